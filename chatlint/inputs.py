"""What ``chatlint check`` and ``chatlint report`` are given, as units for the pipeline.

Paths, ``--text`` values and stdin become units in input order: a reply, a ``Library`` (a
canned-reply file) or a ``Conversation``. Folders are walked once; each file's format is
decided once (by content for the suffixes a transcript may have); each unit comes with the
key of its file's settings, so that worker processes build the same Linter (see
chatlint/execute.py). Input problems are written to ``err`` as one line each.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from chatlint import formats, transcripts
from chatlint.output import safe
from chatlint.pipeline import Library, Unit
from chatlint.project import FileSettings, Project
from chatlint.reply import Reply
from chatlint.sources import (
    MAX_REPLY_BYTES,
    BinaryInput,
    InputError,
    LineWriter,
    check_length,
    check_regular,
    decode,
)
from chatlint.transcripts import ReadOptions

INPUT_FORMATS = ("auto", "replies", *transcripts.FORMATS)
TEXT_FORMATS = ("auto", "replies")  # the --input-format values that need no transcript reader


@dataclass
class RunOptions:
    """How to read and check the inputs."""

    input_format: str = "auto"
    read: ReadOptions = field(default_factory=ReadOptions)
    jobs: int = 1
    progress: bool = False
    keep_events: bool = False  # keep conversations for the HTML report
    encoding: str | None = None
    output_format: str | None = None  # a key of chatlint.writers.WRITERS: results come formatted; "": counted only


# One unit of work: the unit, the key of its file's settings, its per-file ignores.
Job = tuple[Unit, int, tuple[str, ...]]


class Inputs:
    """The jobs of a run, in input order; ``settings[key]`` is what applies to a job's file."""

    def __init__(
        self,
        project: Project,
        paths: Iterable[str],
        texts: Iterable[str],
        opts: RunOptions,
        err: IO[str],
        stdin: IO[bytes] | None = None,
    ) -> None:
        self.project, self.opts, self.err = project, opts, LineWriter(err)  # every message on one line
        self.texts = list(texts)
        self.stdin = stdin
        self.files: list[Path | str] = []
        paths = list(paths)
        for raw in paths:
            if raw == "-":
                self.files.append("-")
            else:
                self.files.extend(project.files(Path(raw), also=transcripts.SUFFIXES))
        self.settings: list[FileSettings] = []
        self._keys: dict[tuple, int] = {}
        self._formats: dict[Path, str | None] = {}
        self.failed = False
        # a folder with nothing to check is an error, as in ruff; a named file that the
        # configuration excludes is skipped quietly (pre-commit passes every staged file)
        self.empty = not self.files and any(raw != "-" and Path(raw).is_dir() for raw in paths)
        self.paths = paths
        self.current = ""
        self.done_lines = 0
        read_opts = opts.read
        read_opts.problem = self._problem
        read_opts.warn = self._warn
        if opts.encoding and not read_opts.encoding:
            read_opts.encoding = opts.encoding

    def _problem(self, path: str, line: int, message: str) -> None:
        self.failed = True
        where = f"{path}:{line}" if line else path
        self.err.write(f"chatlint: input error: {safe(where)}: {safe(message)}\n")

    def _warn(self, path: str, line: int, message: str) -> None:
        where = f"{path}:{line}" if line else path
        self.err.write(f"chatlint: warning: {safe(where)}: {safe(message)}\n")

    def key(self, settings: FileSettings) -> int:
        """The index of a file's settings in ``self.settings`` (one per configuration and ignores)."""
        ident = (id(settings.config), settings.skip)
        key = self._keys.get(ident)
        if key is None:
            key = self._keys[ident] = len(self.settings)
            self.settings.append(settings)
        return key

    def __iter__(self) -> Iterator[Job]:
        if self.empty:
            self.report_failure(formats.no_files(self.paths))
        if self.texts or "-" in self.files:
            here = self.key(self.project.settings_for(None))
        for i, text in enumerate(self.texts):
            yield Reply(text, "<text>" if len(self.texts) == 1 else f"<text{i + 1}>"), here, ()
        for path in self.files:
            self.current = str(path)
            try:
                if path == "-":
                    data = (self.stdin.read(MAX_REPLY_BYTES + 1) if self.stdin is not None else b"") or b""
                    if len(data) > MAX_REPLY_BYTES:
                        raise InputError("<stdin>", 0, f"larger than {MAX_REPLY_BYTES // 2**20} MB: not read")
                    text = decode(data, "<stdin>", self.opts.encoding)
                    check_length(text, "<stdin>", 1)
                    yield Reply(text, "<stdin>"), here, ()
                    continue
                check_regular(path)  # a FIFO or /dev/zero: one input error, not a hang
                settings = self.project.settings_for(path)
                key = self.key(settings)
                for unit in self.units(path, settings):
                    yield unit, key, settings.skip
            except BinaryInput as exc:
                self._binary(path, exc)
            except InputError as exc:
                self.report_failure(f"{exc}")
            except UnicodeDecodeError as exc:
                self.report_failure(f"{path}: not {exc.encoding} ({exc.reason}); give --encoding")
            except OSError as exc:
                self.report_failure(f"{path}: {exc.strerror or exc}")
            except Exception as exc:  # a reader bug: one line, and the other files are still checked
                if os.environ.get("CHATLINT_DEBUG"):
                    raise
                self.report_failure(
                    f"{path}: internal error {type(exc).__name__}: {exc} "
                    "(please report it; CHATLINT_DEBUG=1 shows the traceback)"
                )
            if path != "-" and self.opts.progress:
                self.done_lines += count_lines(path)

    def _binary(self, path, exc: BinaryInput) -> None:
        """A file with NUL bytes: an input error (exit 2), so that a library with findings does
        not pass a hook by holding one NUL, unless its configuration says ``skip-binary``."""
        try:
            quiet = self.project.settings_for(None if path == "-" else path).config.skip_binary
        except Exception:  # noqa: BLE001 - its configuration failed: that is reported elsewhere
            quiet = False
        if quiet:
            self.err.write(f"chatlint: skipped: {safe(exc)}\n")
        else:
            self.report_failure(f"{exc}: not checked (skip-binary = true in the configuration skips such files)")

    def report_failure(self, message: str) -> None:
        """Print an input error (one line) and remember that the run failed."""
        self.failed = True
        self.err.write(f"chatlint: input error: {safe(message)}\n")  # a file name may hold a newline

    def format_of(self, path: Path) -> str | None:
        """The transcript format of a file, or None for a canned-reply file or one not recognised."""
        fmt = self.answer_of(path)
        return fmt if fmt in transcripts.FORMATS else None

    def is_library(self, path: Path) -> bool:
        """Whether a file is read as canned replies."""
        fmt = self.answer_of(path)
        return fmt == "replies" or (fmt in formats.FORMATS and formats.FORMATS[fmt].kind == formats.LIBRARY)

    def answer_of(self, path: Path) -> str | None:
        """The format of a file (chatlint/formats.py), "replies" when forced, None when not
        recognised (decided once)."""
        if path not in self._formats:
            fmt = self.opts.input_format
            self._formats[path] = fmt if fmt != "auto" else formats.detect(path, self.opts.read)
        return self._formats[path]

    def units(self, path: Path, settings: FileSettings) -> Iterator[Unit]:
        """The units of one file; a file not recognised is one input error naming what to pass."""
        fmt = self.answer_of(path)
        if fmt is None:
            self.report_failure(f"{path}: {formats.not_recognised(path, self.opts.read)}")
        elif self.is_library(path):
            yield Library(str(path), list(self.project.replies(path, settings.config)))
        else:
            yield from transcripts.read(path, fmt, self.opts.read)


def count_lines(path: Path) -> int:
    try:
        if not os.path.isfile(path):  # a FIFO or a device: nothing to count
            return 0
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0
