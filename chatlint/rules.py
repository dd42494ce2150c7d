"""Rules as data: the Rule model and the YAML loader with file-and-line errors."""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from chatlint.diagnostic import SEVERITIES
from chatlint.kinds import KINDS, Context, RuleKind
from chatlint.pattern import PatternError, parse_pattern

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.rule_yaml import LineDict

RULE_ID_RE = regex.compile(r"[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*")  # used with fullmatch: «$» allows a final «\n»
COMMON_KEYS = {
    "id", "kind", "severity", "message", "source", "why", "suggest", "unless",
    "unless_scope", "examples", "enabled", "fix", "quotes",
}  # fmt: skip
from chatlint.limits import MAX_FILE_BYTES  # noqa: E402,F401 - also the rule files' limit

MAX_LIST_ITEMS = 20_000  # items in one kind parameter (word lists, patterns)
MAX_TEXT_LIST = 2_000  # suggestions, unless patterns, examples of one rule


def builtin_rules_dir() -> Path:
    """The built-in pack: inside the installed package, or ``rules/`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return here / "rules"


@dataclass(frozen=True)
class RuleProblem:
    """What is wrong with a rule, and where."""

    path: str
    line: int
    rule_id: str
    message: str

    def __str__(self) -> str:
        rule = f" {self.rule_id}:" if self.rule_id else ""
        return f"{self.path}:{self.line}:{rule} {self.message}"


class RuleLoadError(Exception):
    """One or more rule files could not be loaded; ``problems`` lists each."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Rule:
    """One rule as loaded from YAML, compiled into its kind."""

    id: str
    kind: str
    severity: str
    message: str
    source: str
    why: str = ""
    suggest: list[str] = field(default_factory=list)
    unless: list = field(default_factory=list)  # compiled Patterns
    unless_source: list[str] = field(default_factory=list)
    unless_scope: str = "sentence"
    examples_bad: list[str] = field(default_factory=list)
    examples_good: list[str] = field(default_factory=list)
    examples_fixed: dict[str, str] = field(default_factory=dict)  # bad example -> the reply once fixed
    enabled: bool = True
    fix: str = "none"  # "safe", "unsafe" or "none"
    quotes: bool = False  # also check text quoted from the client
    params: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    line: int = 0
    impl: Any = None  # the RuleKind instance


def rule_files(path: Path) -> list[Path]:
    """The YAML rule files of a folder (sorted), or the file itself."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_rules(paths: list[Path | str], ctx: Context, *, cache: bool = True) -> list[Rule]:
    """Load and compile every rule in these files and folders.

    Raises RuleLoadError listing every problem found (file, line, rule id), after reading
    all files, so that one mistake does not hide the next. With ``cache`` the loaded rules
    come from the user's cache folder when these exact files were loaded before by this
    exact chatlint (chatlint/rule_cache.py); a fresh list of new objects either way.
    """
    roots = [Path(p) for p in paths]
    if not cache:
        return _load_rules(roots, ctx)
    from chatlint.rule_cache import cached_rules

    files = _inputs(roots)
    # the rules are built from the very bytes the key was made of
    return cached_rules(files, ctx, lambda: _load_rules(roots, ctx, dict(files or ())))


def _read_rule_file(file: Path) -> bytes:
    """At most ``MAX_FILE_BYTES`` + 1 bytes of a regular file (``rules = ["/dev/zero"]`` would
    never end, a FIFO would block): an ``OSError`` for anything else."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(MAX_FILE_BYTES + 1)


def _inputs(roots: list[Path]) -> list[tuple[str, bytes]] | None:
    """Name and bytes of every file ``_load_rules`` reads, in its order (None: some cannot be read)."""
    files = []
    for root in roots:
        if not root.exists():
            return None
        for file in rule_files(root):
            try:
                data = _read_rule_file(file)
            except OSError:
                return None
            if len(data) > MAX_FILE_BYTES:
                return None
            files.append((str(file), data))
    return files


def _load_rules(roots: list[Path], ctx: Context, contents: dict[str, bytes] | None = None) -> list[Rule]:
    rules: list[Rule] = []
    problems: list[RuleProblem] = []
    seen: dict[str, Rule] = {}
    for root in roots:
        if not root.exists():
            problems.append(RuleProblem(str(root), 0, "", "no such rule file or folder"))
            continue
        for file in rule_files(root):
            for rule in _load_file(file, ctx, problems, (contents or {}).get(str(file))):
                if rule.id in seen:
                    first = seen[rule.id]
                    problems.append(
                        RuleProblem(
                            rule.path, rule.line, rule.id, f"duplicate id: already defined at {first.path}:{first.line}"
                        )
                    )
                    continue
                seen[rule.id] = rule
                rules.append(rule)
    if problems:
        raise RuleLoadError(problems)
    return rules


def _load_file(file: Path, ctx: Context, problems: list[RuleProblem], raw_bytes: bytes | None = None) -> list[Rule]:
    name = str(file)
    try:
        if raw_bytes is None:
            raw_bytes = _read_rule_file(file)
    except OSError as exc:
        problems.append(RuleProblem(name, 0, "", f"cannot read: {exc.strerror}"))
        return []
    if len(raw_bytes) > MAX_FILE_BYTES:
        problems.append(RuleProblem(name, 0, "", f"file is larger than {MAX_FILE_BYTES // 1024} KB: refused"))
        return []
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        problems.append(RuleProblem(name, line, "", "not valid UTF-8"))
        return []
    from chatlint.rule_yaml import LineList  # PyYAML only when a rule file is parsed

    try:
        data = _parse(text, name)
    except _YamlProblem as exc:
        problems.append(exc.problem)
        return []
    if data is None:
        return []
    if isinstance(data, dict) and set(data) == {"rules"}:
        data = data["rules"]
    if not isinstance(data, list):
        problems.append(
            RuleProblem(name, getattr(data, "line", 1), "", "a rule file is a list of rules (or 'rules:' with a list)")
        )
        return []
    rules = []
    for i, raw in enumerate(data):
        line = data.lines[i] if isinstance(data, LineList) else 0
        if not isinstance(raw, dict):
            problems.append(RuleProblem(name, line, "", "each rule is a mapping with at least 'id' and 'message'"))
            continue
        try:
            rule = _build_rule(raw, name, line, ctx, problems)
        except Exception as exc:  # a malformed rule must never crash the loader
            rule_id = raw.get("id") if isinstance(raw.get("id"), str) else ""
            problems.append(RuleProblem(name, line, rule_id, f"cannot load this rule: {type(exc).__name__}: {exc}"))
            continue
        if rule is not None:
            rules.append(rule)
    return rules


class _YamlProblem(Exception):
    def __init__(self, problem: RuleProblem) -> None:
        self.problem = problem


def _parse(text: str, name: str) -> Any:
    """The YAML of a rule file with line-keeping containers; a syntax error raises _YamlProblem with its line."""
    import yaml

    from chatlint.rule_yaml import load_yaml, yaml_problem

    try:
        return load_yaml(text)
    except (yaml.YAMLError, RecursionError) as exc:
        line, problem = yaml_problem(exc, text)
        raise _YamlProblem(RuleProblem(name, line, "", f"invalid YAML: {problem}")) from None


def _build_rule(raw: LineDict, path: str, line: int, ctx: Context, problems: list[RuleProblem]) -> Rule | None:
    """One rule from its YAML mapping: common keys, kind parameters, then compiled; None on a problem."""
    raw_id = raw.get("id")
    rule_id = raw_id if isinstance(raw_id, str) else ""
    before = len(problems)

    def problem(message: str, key: str | None = None) -> None:
        key_line = getattr(raw, "key_lines", {}).get(key, line) if key else line
        problems.append(RuleProblem(path, key_line, rule_id, message))

    _check_id(raw_id, problem)
    kind = _kind_of(raw, problem)
    if kind is None:
        return None
    common = _common_keys(raw, kind, problem)
    params = _kind_params(raw, kind, problem)
    if len(problems) > before:
        return None
    rule = Rule(id=rule_id, kind=kind.name, params=params, path=path, line=line, **common)
    return rule if _compile(rule, raw, kind, ctx, problem) else None


def _check_id(raw_id: Any, problem: Callable[..., None]) -> None:
    if raw_id is not None and not isinstance(raw_id, str):
        problem(f"'id' must be a string like 'taboo/dont-know', not {type(raw_id).__name__}", "id")
    elif not raw_id:
        problem("missing 'id' (a string like 'taboo/dont-know')", "id")
    elif not RULE_ID_RE.fullmatch(raw_id):
        problem(f"id {raw_id!r} must look like 'category/name' in lower case", "id")


def _kind_of(raw: LineDict, problem: Callable[..., None]) -> type[RuleKind] | None:
    """The rule's kind (named, or inferred from its keys), with its unknown and missing keys reported."""
    kind_name = raw.get("kind") or _infer_kind(raw)
    if not isinstance(kind_name, str):
        problem(f"'kind' must be a string (one of: {', '.join(sorted(KINDS))})", "kind")
        return None
    if kind_name not in KINDS:
        close = difflib.get_close_matches(str(kind_name), KINDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (one of: {', '.join(sorted(KINDS))})"
        problem(f"unknown kind {kind_name!r}{hint}" if kind_name else f"missing 'kind'{hint}", "kind")
        every_key = COMMON_KEYS.union(*(k.keys for k in KINDS.values()))
        for key in raw:
            if key not in every_key:
                close = difflib.get_close_matches(key, every_key, n=1)
                problem(f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""), key)
        return None
    kind = KINDS[kind_name]
    allowed = COMMON_KEYS | set(kind.keys)
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problem(f"unknown key {key!r} for kind {kind_name!r}{hint}", key)
    for key in kind.required:
        if key not in raw:
            problem(f"kind {kind_name!r} needs {key!r}")
    return kind


def _common_keys(raw: LineDict, kind: type[RuleKind], problem: Callable[..., None]) -> dict[str, Any]:
    """The keys every rule has (severity, message, source, examples …), checked, as Rule fields."""
    severity = raw.get("severity", "warning")
    if severity not in SEVERITIES:
        problem(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}", "severity")
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        problem("missing 'message': say what is wrong and what to write instead", "message")
        message = ""
    source = raw.get("source", "")
    if not isinstance(source, str) or not source.strip():
        problem("missing 'source': the guide (file and section) this rule comes from", "source")
        source = ""
    suggest = _str_list(raw.get("suggest", []), "suggest", problem)
    unless_source = _str_list(raw.get("unless", []), "unless", problem)
    unless_scope = raw.get("unless_scope", "sentence")
    if unless_scope not in ("sentence", "reply"):
        problem("unless_scope must be 'sentence' or 'reply'", "unless_scope")
    examples = raw.get("examples", {}) or {}
    if not isinstance(examples, dict) or set(examples) - {"bad", "good"}:
        problem("examples must be a mapping with 'bad' and 'good' lists", "examples")
        examples = {}
    bad, fixed = _bad_examples(examples.get("bad", []), problem)
    good = _str_list(examples.get("good", []), "examples.good", problem)
    fix = raw.get("fix", kind.fix_default)
    if fix not in ("safe", "unsafe", "none"):
        problem("fix must be 'safe', 'unsafe' or 'none'", "fix")
    for key in ("enabled", "quotes"):
        if key in raw and not isinstance(raw[key], bool):
            problem(f"{key!r} must be true or false", key)
    return {
        "severity": severity,
        "message": message.strip(),
        "source": source.strip(),
        "why": str(raw.get("why", "") or "").strip(),
        "suggest": suggest,
        "unless_source": unless_source,
        "unless_scope": unless_scope,
        "examples_bad": bad,
        "examples_good": good,
        "examples_fixed": fixed,
        "enabled": raw.get("enabled", True),
        "fix": fix,
        "quotes": raw.get("quotes", False),
    }


def _kind_params(raw: LineDict, kind: type[RuleKind], problem: Callable[..., None]) -> dict[str, Any]:
    """The kind's own keys with their defaults, checked against the default's type, as plain data."""
    params = {}
    for key, default in kind.keys.items():
        value = raw.get(key, default)
        error = param_error(key, value, default)
        if error:
            problem(error, key)
            continue
        params[key] = _plain(value)
    return params


def _plain(value: Any) -> Any:
    """YAML's line-keeping containers as plain dicts and lists: a loaded rule holds plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _compile(rule: Rule, raw: LineDict, kind: type[RuleKind], ctx: Context, problem: Callable[..., None]) -> bool:
    """Parse the rule's ``unless`` patterns and build its kind; False (with a problem) when either fails."""
    try:
        rule.unless = [parse_pattern(p, ctx.morph) for p in rule.unless_source]
    except PatternError as exc:
        problem(f"in 'unless': {exc}", "unless")
        return False
    try:
        rule.impl = kind(rule, rule.params, ctx)
    except PatternError as exc:
        key = next((k for k in kind.required if k in raw), None)
        problem(str(exc), key)
        return False
    return True


def param_error(key: str, value: Any, default: Any) -> str:
    """Why ``value`` cannot be the parameter ``key`` whose default is ``default`` ('' if it can)."""
    if default is not None and value is not None and not isinstance(value, type(default)):
        if not (isinstance(default, float) and isinstance(value, int)) or isinstance(value, bool):
            return f"{key!r} must be a {type(default).__name__}, not {type(value).__name__}"
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, bool):
        return f"{key!r} must be a number, not {value!r}"
    if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
        return f"{key!r} has more than {MAX_LIST_ITEMS} items"
    if isinstance(default, list) and isinstance(value, list):
        if not all(isinstance(v, (str, int, float)) for v in value):
            return f"{key!r} must be a list of words or numbers, not of lists or mappings"
    if isinstance(default, (int, float)) and isinstance(value, (int, float)) and value < 0:
        return f"{key!r} must not be negative"
    return ""


def _infer_kind(raw: dict) -> str:
    for key, kind in (("patterns", "pattern"), ("substitute", "substitute"), ("regex", "regex")):
        if key in raw:
            return kind
    return ""


def _bad_examples(value: Any, problem) -> tuple[list[str], dict[str, str]]:
    """``examples.bad``: strings, or ``{text: …, fixed: …}`` mappings stating what the reply
    reads once the rule's first suggestion is put in (as LanguageTool's ``correction``)."""
    if not isinstance(value, list):
        return _str_list(value, "examples.bad", problem), {}
    texts, fixed = [], {}
    for item in value:
        if isinstance(item, dict):
            if set(item) != {"text", "fixed"} or not all(isinstance(v, str) for v in item.values()):
                problem("a bad example is a string or a mapping of 'text' and 'fixed' strings", "examples")
                continue
            fixed[item["text"]] = item["fixed"]
            item = item["text"]
        texts.append(item)
    return _str_list(texts, "examples.bad", problem), fixed


def _str_list(value: Any, key: str, problem) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(f"{key!r} must be a list of strings", key.split(".")[0])
        return []
    if len(value) > MAX_TEXT_LIST:
        problem(f"{key!r} has more than {MAX_TEXT_LIST} items", key.split(".")[0])
        return []
    return list(value)
