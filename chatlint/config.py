"""Project configuration: ``[tool.chatlint]`` in pyproject.toml, ``chatlint.toml`` or ``.chatlint.yaml``.

The configuration of a checked file is the first of these found walking up from the
file's folder (in one folder: chatlint.toml, then .chatlint.yaml/.yml, then a
pyproject.toml that has a ``[tool.chatlint]`` table), up to the repository root or the
user's home, and owned by this user or root. Paths in it (rule folders,
globs) are relative to the folder of the configuration file. Every key is described in
docs/config.md. An unknown key is an error naming the file and the key.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

import regex

from chatlint.selection import selector_matches

CONFIG_NAMES = ("chatlint.toml", ".chatlint.yaml", ".chatlint.yml", "pyproject.toml")
TEMPLATE_KEYS = {"fields": list, "csv-column": str, "txt-paragraphs": bool}
VOCABULARY_KEYS = {"accept": list, "reject": list}


class ConfigFileError(Exception):
    """A configuration file that cannot be used: the message names the file and the key."""

    label = "config error"


class SelectionError(ConfigFileError):
    """A command-line ``--select``/``--ignore`` names a rule that does not exist."""

    label = "error"


@dataclass
class Config:
    """The effective configuration; ``origin`` says where each key's value came from."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)
    builtin: bool = True
    vocabulary: dict[str, list[str]] = field(default_factory=lambda: {"accept": [], "reject": []})
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True  # a folder walk leaves out what .gitignore files leave out
    templates: dict[str, Any] = field(default_factory=dict)
    skip_binary: bool = False  # a binary file is skipped quietly (a notice, exit unchanged), not an input error
    qa: dict[str, Any] = field(default_factory=dict)  # chatlint.qa: weights, categories
    path: Path | None = None  # the configuration file, None when there is none
    root: Path = field(default_factory=Path.cwd)  # the folder globs and paths are relative to
    origin: dict[str, str] = field(default_factory=dict)

    def key_origin(self, key: str) -> str:
        return self.origin.get(key, "default")


# TOML/YAML key -> (attribute, expected type)
KEYS: dict[str, tuple[str, type]] = {
    "select": ("select", list),
    "ignore": ("ignore", list),
    "extend-select": ("extend_select", list),
    "severity": ("severity", dict),
    "per-file-ignores": ("per_file_ignores", dict),
    "rules": ("rules", list),
    "builtin": ("builtin", bool),
    "vocabulary": ("vocabulary", dict),
    "options": ("options", dict),
    "exclude": ("exclude", list),
    "respect-gitignore": ("respect_gitignore", bool),
    "templates": ("templates", dict),
    "skip-binary": ("skip_binary", bool),
    "qa": ("qa", dict),
}


def find_config(start: Path) -> Path | None:
    """The configuration file that applies to ``start`` (a file or folder), walking up.

    The walk stops at the repository root (a folder with ``.git``) or the user's home folder,
    so a file planted in a shared folder above them is never used; a configuration owned by
    another user (not this user, not root) is ignored with a warning, as git does for a
    repository of someone else (``safe.directory``).
    """
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    home = _home()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file() and (name != "pyproject.toml" or _has_tool_table(path)) and _owned_by_us(path):
                return path
        if candidate == home or (candidate / ".git").exists():
            break
    return None


_WARNED: set[Path] = set()


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder for this user
        return None


def _owned_by_us(path: Path) -> bool:
    """Whether a configuration file is this user's or root's; warns once about another user's."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows
        return True
    try:
        owner = path.stat().st_uid
    except OSError:
        return False
    if owner in (0, os.getuid()):
        return True
    if path not in _WARNED:
        _WARNED.add(path)
        print(f"chatlint: warning: {path} is owned by another user (uid {owner}): ignored", file=sys.stderr)
    return False


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "tool.chatlint" in text


def _where(path: Path) -> str:
    return f"{path} [tool.chatlint]" if path.name == "pyproject.toml" else str(path)


def load_config(path: Path) -> Config:
    """Read and validate one configuration file, held to the rule files' limits: at most
    512 KB, nesting of 20, no YAML aliases, no duplicate keys."""
    from chatlint.limits import MAX_DEPTH, MAX_FILE_BYTES

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigFileError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KB: refused")
    if path.suffix == ".toml":
        data = _load_toml(path, text, MAX_DEPTH)
    else:
        import yaml

        from chatlint.rule_yaml import load_yaml, yaml_problem  # PyYAML costs 20 ms at start: only for a YAML config

        try:
            data = load_yaml(text) or {}
        except yaml.YAMLError as exc:
            line, problem = yaml_problem(exc, text)
            where = f":{line}" if line else ""
            raise ConfigFileError(f"{path}{where}: bad YAML: {problem.replace(' in rules', '')}") from None
    if not isinstance(data, dict):
        raise ConfigFileError(f"{path}: the configuration must be a table of keys")
    return _from_mapping(data, path, text)


def _load_toml(path: Path, text: str, max_depth: int) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    if _bracket_depth(text) > max_depth:  # tomllib recurses: a RecursionError, not an error message
        raise ConfigFileError(f"{path}: nested deeper than {max_depth} levels")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: bad TOML: {exc}") from None
    except RecursionError:
        raise ConfigFileError(f"{path}: nested deeper than {max_depth} levels") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("chatlint", {})
    return data


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` (strings included: an overestimate only refuses sooner)."""
    depth = top = 0
    for ch in regex.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        top = max(top, depth)
    return top


def _line_of(text: str, key: str) -> str:
    m = regex.search(rf"""(?m)^[ \t]*(?:\[[^\]\n]*)?["']?{regex.escape(key)}["']?[ \t]*[=:\]]""", text)
    return f":{text.count(chr(10), 0, m.start()) + 1}" if m else ""


def _from_mapping(data: dict, path: Path, text: str) -> Config:
    where = _where(path)
    config = Config(path=path, root=path.parent.resolve())

    def fail(key: str, message: str) -> ConfigFileError:
        file = f"{path}{_line_of(text, key.rsplit('.', 1)[-1])}"
        table = " [tool.chatlint]" if path.name == "pyproject.toml" else ""
        return ConfigFileError(f"{file}:{table} {key}: {message}")

    for key, value in data.items():
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (keys: {', '.join(KEYS)})"
            raise fail(str(key), f"unknown key{hint}")
        attr, expected = KEYS[key]
        if not isinstance(value, expected):
            raise fail(key, f"must be a {'list' if expected is list else expected.__name__}")
        if expected is list:
            _strings(value, key, fail)
        setattr(config, attr, value)
        config.origin[attr] = where
    for rule_id, level in config.severity.items():
        if not isinstance(level, str):
            raise fail(f"severity.{rule_id}", "must be error, warning or info")
    for glob, ids in config.per_file_ignores.items():
        if not isinstance(ids, list):
            ids = [ids]
            config.per_file_ignores[glob] = ids
        _strings(ids, f"per-file-ignores.{glob}", fail)
    _check_globs(config, fail)
    for sub, allowed, name in (
        (config.vocabulary, VOCABULARY_KEYS, "vocabulary"),
        (config.templates, TEMPLATE_KEYS, "templates"),
    ):
        for key, value in sub.items():
            if key not in allowed:
                raise fail(f"{name}.{key}", f"unknown key (keys: {', '.join(allowed)})")
            if not isinstance(value, allowed[key]):
                raise fail(f"{name}.{key}", f"must be a {'list' if allowed[key] is list else allowed[key].__name__}")
            if allowed[key] is list:
                _strings(value, f"{name}.{key}", fail)
    config.vocabulary = {
        "accept": list(config.vocabulary.get("accept", [])),
        "reject": list(config.vocabulary.get("reject", [])),
    }
    for rule_id, values in config.options.items():
        if not isinstance(values, dict):
            raise fail(f"options.{rule_id}", "must be a table of parameters")
    if config.qa:
        from chatlint.qa import QAConfigError, qa_config

        try:
            qa_config(config.qa)
        except QAConfigError as exc:
            raise fail(f"qa.{exc.key}", str(exc)) from None
    config.rules = [str((config.root / p).resolve()) for p in config.rules]
    for rule_path in config.rules:
        if not Path(rule_path).exists():
            raise fail("rules", f"no such rule file or folder: {rule_path}")
    return config


def _check_globs(config: Config, fail) -> None:
    """A glob of ``exclude`` or ``per-file-ignores`` that cannot be compiled is an error naming the key."""
    for key, patterns in [("exclude", config.exclude)] + [
        (f"per-file-ignores.{g}", [g]) for g in config.per_file_ignores
    ]:
        try:
            _spec(tuple(patterns))
        except (re.error, ValueError, TypeError) as exc:
            raise fail(key, f"not a glob: {exc}") from None


def _strings(values: list, key: str, fail) -> None:
    for value in values:
        if not isinstance(value, str):
            raise fail(key, f"must be a list of strings, found {value!r}")


def validate_rule_ids(config: Config, rule_ids: list[str]) -> None:
    """An unknown rule id or category in any key of ``config`` is an error naming the key."""
    known = list(rule_ids)
    path = config.path

    def check(key: str, selector: str, exact: bool = False) -> None:
        if selector == "ALL" and not exact:
            return
        ok = selector in known if exact else any(selector_matches(selector, i) for i in known)
        if not ok:
            close = difflib.get_close_matches(selector, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"{path}{_line_of(path.read_text(encoding='utf-8-sig'), key.split('.')[0]) if path else ''}"
            raise ConfigFileError(f"{where}: {key}: unknown rule {'id' if exact else 'or category'} {selector!r}{hint}")

    for key, attr in (("select", "select"), ("ignore", "ignore"), ("extend-select", "extend_select")):
        if config.origin.get(attr, "default") == "command line":
            continue
        for selector in getattr(config, attr) or []:
            check(key, selector)
    for rule_id in config.severity:
        check(f"severity.{rule_id}", rule_id, exact=True)
    for rule_id in config.options:
        check(f"options.{rule_id}", rule_id, exact=True)
    for glob, ids in config.per_file_ignores.items():
        for selector in ids:
            check(f"per-file-ignores.{glob}", selector)
    for selector in config.qa.get("categories") or {}:
        check(f"qa.categories.{selector}", selector)


def merge_cli(config: Config, **cli: Any) -> Config:
    """Command-line options over a configuration: ``select`` replaces, the others add."""
    config = replace(config, origin=dict(config.origin))
    if cli.get("select"):
        config.select = list(cli["select"])
        config.origin["select"] = "command line"
    for attr in ("ignore", "extend_select", "rules"):
        if cli.get(attr):
            values = list(cli[attr]) if attr != "rules" else [str(Path(p).resolve()) for p in cli[attr]]
            setattr(config, attr, list(getattr(config, attr)) + values)
            config.origin[attr] = (
                "command line" if attr not in config.origin else f"{config.origin[attr]} + command line"
            )
    if cli.get("no_builtin"):
        config.builtin = False
        config.origin["builtin"] = "command line"
    return config


def relative(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` in POSIX form, or None when it is outside."""
    try:
        return PurePosixPath(path.resolve().relative_to(root)).as_posix()
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):
    """The patterns compiled with git's .gitignore semantics (pathspec's ``GitIgnoreSpec``)."""
    import pathspec  # here: 10 ms at start, and ``check --text`` matches no path

    return pathspec.GitIgnoreSpec.from_lines(_git_pattern(p) for p in patterns)


def _git_pattern(pattern: str) -> str:
    """A leading ``./`` anchors the pattern to the configuration's folder, as a leading ``/`` does."""
    return "/" + pattern[2:] if pattern.startswith("./") else pattern


def glob_matches(pattern: str, rel: str) -> bool:
    """A glob with git's semantics (as in ``.gitignore``) against a path relative to the configuration's
    folder: a pattern without a ``/`` inside matches a name anywhere (``*.md``, ``drafts``); with one it
    is anchored there (``replies/*.yaml``: ``*`` stays within a folder, ``replies/**/*.yaml`` spans
    folders); a trailing ``/`` means a folder, and what is in a matched folder matches too."""
    return paths_match((pattern,), rel)


def paths_match(patterns: tuple[str, ...] | list[str], rel: str) -> bool:
    """``rel`` matches the patterns read as one .gitignore (so ``!pattern`` takes a path back out)."""
    return bool(patterns) and _spec(tuple(patterns)).match_file(rel)


def is_excluded(path: Path, config: Config) -> bool:
    if not config.exclude:
        return False
    rel = relative(path, config.root)
    return rel is not None and paths_match(config.exclude, rel)


def file_ignores(path: Path, config: Config) -> list[str]:
    """The rule selectors that ``per-file-ignores`` turns off for ``path``."""
    if not config.per_file_ignores:
        return []
    rel = relative(path, config.root)
    if rel is None:
        return []
    return [s for glob, ids in config.per_file_ignores.items() if glob_matches(glob, rel) for s in ids]


def describe(config: Config) -> list[tuple[str, Any, str]]:
    """(key, value, origin) for every key, in the order of docs/config.md."""
    out = []
    for key, (attr, _) in KEYS.items():
        value = getattr(config, attr)
        if attr == "rules":
            value = list(value)
        out.append((key, value, config.key_origin(attr)))
    return out


__all__ = [
    "Config",
    "ConfigFileError",
    "describe",
    "file_ignores",
    "find_config",
    "fields",
    "glob_matches",
    "is_excluded",
    "paths_match",
    "load_config",
    "merge_cli",
    "validate_rule_ids",
]
