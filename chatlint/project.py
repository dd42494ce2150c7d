"""The settings of every checked file: configuration per file, one Linter per configuration,
the readers of canned-reply files, and the folder walk.

``Project`` is the resolver (ruff's word): for each file it finds the configuration, the
Linter, the per-file ignores and the ``templates`` reading options; chatlint/pipeline.py
does the checking.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chatlint.config import (
    Config,
    ConfigFileError,
    SelectionError,
    file_ignores,
    find_config,
    is_excluded,
    load_config,
    merge_cli,
    validate_rule_ids,
)
from chatlint.kinds import Vocabulary
from chatlint.linter import Linter
from chatlint.pipeline import Library
from chatlint.reply import Finding, Reply
from chatlint.selection import ConfigError
from chatlint.sources import text_replies

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.templates import FileText, TemplateOptions

__all__ = ["CliOptions", "FileSettings", "Finding", "Project"]


def _readers() -> dict:
    """The readers by suffix, the template readers registered (importing chatlint.templates,
    60 ms, happens here: when a file is read, never for ``check --text``)."""
    import chatlint.templates  # noqa: F401 - registers the template readers
    from chatlint.sources import READERS

    return READERS


@dataclass
class CliOptions:
    """What the command line says about the configuration."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    no_builtin: bool = False
    config: str | None = None  # an explicit configuration file
    isolated: bool = False  # ignore configuration files


class Project:
    """Configurations and linters for the files of one run."""

    def __init__(self, cli: CliOptions | None = None, encoding: str | None = None) -> None:
        self.cli = cli or CliOptions()
        self.encoding = encoding
        self._configs: dict[Path | None, Config] = {}
        self._found: dict[Path, Path | None] = {}
        self._linters: dict[int, Linter] = {}

    # configuration -------------------------------------------------------------------
    def config_for(self, path: Path) -> Config:
        """The effective configuration for a file or folder (command line merged in)."""
        if self.cli.isolated:
            key = None
        elif self.cli.config:
            key = Path(self.cli.config).resolve()
        else:
            folder = (path if path.is_dir() else path.parent).resolve()
            if folder not in self._found:
                self._found[folder] = find_config(folder)
            key = self._found[folder]
        config = self._configs.get(key)
        if config is None:
            base = load_config(key) if key is not None else Config()
            config = merge_cli(
                base,
                select=self.cli.select,
                ignore=self.cli.ignore,
                extend_select=self.cli.extend_select,
                rules=self.cli.rules,
                no_builtin=self.cli.no_builtin,
            )
            self._configs[key] = config
        return config

    def linter_for(self, config: Config) -> Linter:
        """One Linter per configuration; rule ids in the configuration are checked first."""
        linter = self._linters.get(id(config))
        if linter is not None:
            return linter
        kwargs = self.linter_kwargs(config)
        where = str(config.path) if config.path else "command line"
        try:
            try:
                linter = Linter(**kwargs)
            except Exception:
                # what is wrong with the configuration's rule ids is said first
                base = Linter(rules=config.rules, builtin=config.builtin, vocabulary=kwargs["vocabulary"])
                validate_rule_ids(config, [r.id for r in base.all_rules])
                raise
            # the ids of all_rules do not depend on the selection or the options: one build is enough
            validate_rule_ids(config, [r.id for r in linter.all_rules])
        except ConfigError as exc:
            if str(exc).startswith("unknown rule or category"):
                # the configuration's selectors were checked above: this one is from the command line
                raise SelectionError(str(exc)) from None
            raise ConfigFileError(f"{where}: {exc}") from None
        self._linters[id(config)] = linter
        return linter

    @staticmethod
    def linter_kwargs(config: Config) -> dict:
        """The ``Linter`` arguments of a configuration (picklable, for worker processes)."""
        return {
            "rules": list(config.rules),
            "select": config.select,
            "ignore": list(config.ignore),
            "extend_select": list(config.extend_select),
            "severity": dict(config.severity),
            "options": {k: dict(v) for k, v in config.options.items()},
            "vocabulary": Vocabulary(
                frozenset(w.lower() for w in config.vocabulary["accept"]),
                frozenset(w.lower() for w in config.vocabulary["reject"]),
            ),
            "builtin": config.builtin,
        }

    @staticmethod
    def template_options(config: Config) -> TemplateOptions:
        from chatlint.templates import TemplateOptions
        from chatlint.templates.tree import DEFAULT_FIELDS

        t = config.templates
        return TemplateOptions(
            fields=tuple(t.get("fields") or DEFAULT_FIELDS),
            csv_column=t.get("csv-column"),
            txt_paragraphs=bool(t.get("txt-paragraphs", False)),
        )

    # files -----------------------------------------------------------------------------
    def files(self, raw: Path, also: Collection[str] = ()) -> Iterator[Path]:
        """A file as given (unless excluded), or the files of a folder with a suffix a reader
        knows (or one of ``also``), sorted, without what ``.gitignore`` and ``exclude`` leave out."""
        if not raw.is_dir():
            if not is_excluded(raw, self.config_for(raw)):
                yield raw
            return
        readers = _readers()
        for path in _folder_files(raw, self.config_for(raw).respect_gitignore):
            suffix = path.suffix.lower()
            if (suffix in readers or suffix in also) and not is_excluded(path, self.config_for(path)):
                yield path

    def replies(self, path: Path, config: Config) -> Iterator[Reply]:
        """The replies of a file, read by the reader registered for its suffix."""
        from chatlint.templates import READERS as TEMPLATE_READERS

        reader = _readers().get(path.suffix.lower(), text_replies)
        if reader in TEMPLATE_READERS.values():
            yield from reader(path, self.encoding, self.template_options(config))
        else:
            yield from reader(path, self.encoding)

    def replies_of_text(self, file: FileText, suffix: str, config: Config) -> Iterator[Reply]:
        """The replies of already decoded text in the format ``suffix`` names (stdin, fixes)."""
        from chatlint.templates import TEXT_READERS

        reader = TEXT_READERS.get(suffix.lower())
        if reader is None:
            yield Reply(file.text, file.path, file.line_col)
            return
        yield from reader(file, self.template_options(config))

    # settings -------------------------------------------------------------------------
    def settings_for(self, path: Path | None) -> FileSettings:
        """What applies to the units of a file (``None``: a text or stdin, the configuration here)."""
        config = self.config_for(path if path is not None else Path.cwd())
        skip = tuple(file_ignores(path, config)) if path is not None else ()
        return FileSettings(config, self.linter_for(config), skip)

    def library(self, path: Path, config: Config) -> Library:
        """A canned-reply file as one unit."""
        return Library(str(path), list(self.replies(path, config)))


@dataclass(frozen=True)
class FileSettings:
    """The settings of one input file: its configuration, its Linter, its per-file ignores."""

    config: Config
    linter: Linter
    skip: tuple[str, ...] = ()


def _folder_files(folder: Path, respect_gitignore: bool = True) -> list[Path]:
    """Files under ``folder``: what git tracks or would track there, else every file outside
    hidden folders minus what the ``.gitignore`` files on the way leave out. Without
    ``respect_gitignore``: every file outside hidden folders."""
    if respect_gitignore:
        listed = _git_files(folder)
        if listed is not None:
            return listed
    return sorted(_walk_without_git(folder.resolve(), [] if respect_gitignore else None))


def _git_files(folder: Path) -> list[Path] | None:
    """The files git lists under ``folder`` (tracked, or untracked and not ignored), hidden ones
    left out; None outside git."""
    import subprocess  # here: ``check --text`` never walks a folder

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    names = {n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n}
    shown = (n for n in names if not any(part.startswith(".") for part in n.split("/")))  # as the walk does
    return sorted(p for p in (folder / n for n in shown) if p.is_file())


def _walk_without_git(folder: Path, ignores: list | None, seen: set[tuple[int, int]] | None = None) -> Iterator[Path]:
    """The files under ``folder``, hidden entries left out. ``ignores`` holds (folder, spec) of the
    .gitignore files above (None: read no .gitignore). A folder reached again through a link (the
    same device and inode, or a folder above the walk's start) is not walked again."""
    if seen is None:
        seen = {_dir_key(p) for p in (folder, *folder.parents)}
    if ignores is not None:
        ignore_file = folder / ".gitignore"
        if ignore_file.is_file():
            ignores = ignores + [(folder, _gitignore_spec(ignore_file))]
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        is_dir = entry.is_dir()
        if ignores and _ignored(entry, is_dir, ignores):
            continue
        if is_dir:
            key = _dir_key(entry)
            if key not in seen:
                seen.add(key)
                yield from _walk_without_git(entry, ignores, seen)
        elif entry.is_file():
            yield entry


def _dir_key(folder: Path) -> tuple[int, int]:
    stat = folder.stat()
    return stat.st_dev, stat.st_ino


def _gitignore_spec(path: Path):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())


def _ignored(entry: Path, is_dir: bool, ignores: list) -> bool:
    """Git's verdict on ``entry``: the deepest .gitignore with a matching pattern decides, and
    within one file the last matching pattern (``!pattern`` takes a path back in)."""
    verdict = False
    for base, spec in ignores:  # the walk joined ``entry`` onto each base: a path relative to it as named
        rel = entry.relative_to(base).as_posix()
        include = spec.check_file(rel + "/" if is_dir else rel).include
        if include is not None:
            verdict = include
    return verdict
