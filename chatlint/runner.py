"""Running ``chatlint check`` over inputs: plain replies and transcripts, in 1 or N processes.

Inputs become *units* (one plain reply, or one conversation) in input order. Units are checked
in batches, in this process or in a pool of ``jobs`` processes; results come back in input
order, so the output is the same for any ``jobs``. At most two batches per process are in
flight, so memory stays bounded however long the input is.

With ``jobs > 1`` the parent reads the inputs and writes the output; the workers check and
format: a result carries its findings as finished output strings (``UnitResult.items``) and
the few fields the summary counts, not the Reply and Diagnostic objects. The Linter is built
once, in the parent, and the workers get it by ``fork`` (where the platform has no ``fork``,
each worker builds its own).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import chatlint.templates  # noqa: F401 - registers the template readers in READERS
from chatlint.conversation import Conversation
from chatlint.sources import READERS, BinaryInput, InputError, LineWriter, Reply, decode, replies_from
from chatlint.summary import Summary, UnitResult
from chatlint import formats
from chatlint.transcripts import FORMATS, SUFFIXES, ReadOptions, read

TRANSCRIPT_SUFFIXES = SUFFIXES
INPUT_FORMATS = ("auto", "replies", *FORMATS)
BATCH_EVENTS = 2000


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


# --- per-process checker --------------------------------------------------------------------
_CHECKER = None
_ITEM = None  # the output writer's ``item`` (finding -> output string), or None: keep the objects


def _set_checker(linter, output_format: str | None) -> None:
    global _CHECKER, _ITEM
    from chatlint.dialogue import ConversationChecker

    _CHECKER = ConversationChecker(linter)
    if output_format is None:
        _ITEM = None
    elif output_format == "":
        _ITEM = _no_item
    else:
        from chatlint.writers import WRITERS

        _ITEM = WRITERS[output_format](None, linter.rules).item


def _no_item(reply: Reply, d) -> str:
    return ""  # --statistics: only the counts are needed


def _init(linter_kwargs: dict, output_format: str | None) -> None:
    """A worker's initialiser where processes are spawned, not forked."""
    from chatlint.linter import Linter

    _set_checker(Linter(**linter_kwargs), output_format)


def _check_batch(batch: list, keep_events: bool) -> list[UnitResult]:
    return [_check_unit(unit, keep_events, skip) for unit, skip in batch]


def _formatted(result: UnitResult) -> UnitResult:
    """The result with its findings as output strings and summary marks (cheap to send back)."""
    if _ITEM is not None:
        result.tally()
        result.items = [_ITEM(reply, d) for reply, d in result.findings]
        result.findings = []
    return result


def _unskipped(findings: list, skip: tuple[str, ...]) -> list:
    """The findings without those of the rules ``per-file-ignores`` turns off for the file."""
    from chatlint.linter import selector_matches

    return [(r, d) for r, d in findings if not any(selector_matches(s, d.rule) for s in skip)]


def _check_unit(unit: Reply | Conversation, keep_events: bool, skip: tuple[str, ...] = ()) -> UnitResult:
    from chatlint.kinds.dialogue import first_response

    checker = _CHECKER
    if isinstance(unit, Reply):
        findings = [(unit, d) for d in checker.linter.check(unit.text)]
        return _formatted(UnitResult(_unskipped(findings, skip) if skip else findings, unit.path))
    findings = checker.check(unit)
    if skip:
        findings = _unskipped(findings, skip)
    replies: dict[str, int] = {}
    for e in unit.replies:
        replies[e.author] = replies.get(e.author, 0) + 1
    frt = first_response(unit)
    events = None
    if keep_events and findings:
        events = [
            {
                "message_id": e.message_id,
                "role": e.role,
                "type": e.event_type,
                "author": e.author,
                "time": e.timestamp.isoformat() if e.timestamp else "",
                "text": e.text,
            }
            for e in unit.events
        ]
    result = UnitResult(
        findings,
        unit.path,
        unit.conversation_id,
        replies,
        frt[1] if frt else None,
        events,
        max((e.line for e in unit.events), default=0),
    )
    return result if keep_events else _formatted(result)


# --- inputs -----------------------------------------------------------------------------------
def expand(path: Path) -> list[Path]:
    """A folder means every file in it that a reader knows (sorted); a file means itself."""
    if path.is_dir():
        known = set(READERS) | TRANSCRIPT_SUFFIXES
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in known)
    return [path]


class Inputs:
    """Turns paths and texts into ``(unit, skip)`` pairs, reporting unreadable inputs on ``err``.

    With a ``project`` (chatlint.project.Project), each file's configuration applies as in
    template runs: ``exclude`` leaves files out (named or found in a folder; folders are walked
    without what .gitignore leaves out), ``per-file-ignores`` gives the rule selectors ``skip``
    turns off for the units of that file.
    """

    def __init__(
        self, paths: Iterable[str], texts: Iterable[str], opts: RunOptions, err: IO[str], project=None
    ) -> None:
        self.texts = list(texts)
        paths = self.paths = list(paths)
        self.opts, self.err = opts, LineWriter(err)  # every message on one line
        self.project = project
        self.files: list[Path | str] = []
        for raw in paths:
            if raw == "-":
                self.files.append("-")
            elif project is None:
                self.files.extend(expand(Path(raw)))
            else:
                self.files.extend(project.files(Path(raw), also=TRANSCRIPT_SUFFIXES))
        self.failed = False
        self.empty = bool(list(paths)) and not self.files  # an empty selection is an error, as in ruff
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
        self.err.write(f"chatlint: input error: {where}: {message}\n")

    def _warn(self, path: str, line: int, message: str) -> None:
        where = f"{path}:{line}" if line else path
        self.err.write(f"chatlint: warning: {where}: {message}\n")

    def _skip(self, path: Path) -> tuple[str, ...]:
        if self.project is None:
            return ()
        from chatlint.config import file_ignores

        return tuple(file_ignores(path, self.project.config_for(path)))

    def __iter__(self) -> Iterator[tuple[Reply | Conversation, tuple[str, ...]]]:
        if self.empty:
            self.failed = True
            self.err.write(f"chatlint: error: {formats.no_files(self.paths)}\n")
        for i, text in enumerate(self.texts):
            yield Reply(text, "<text>" if len(self.texts) == 1 else f"<text{i + 1}>"), ()
        for path in self.files:
            self.current = str(path)
            try:
                if path == "-":
                    yield Reply(decode(sys.stdin.buffer.read(), "<stdin>", self.opts.encoding), "<stdin>"), ()
                    continue
                skip = self._skip(path)
                fmt = self.opts.input_format
                if fmt == "auto":
                    fmt = formats.detect(path, self.opts.read)
                    if fmt is None:
                        self._problem(str(path), 0, formats.not_recognised(path, self.opts.read))
                        continue
                library = fmt == "replies" or formats.FORMATS[fmt].kind == formats.LIBRARY
                units = replies_from(path, self.opts.encoding) if library else read(path, fmt, self.opts.read)
                for unit in units:
                    yield unit, skip
            except BinaryInput as exc:
                self.err.write(f"chatlint: skipped: {exc}\n")  # a notice; the exit code is unchanged
            except InputError as exc:
                self.failed = True
                self.err.write(f"chatlint: input error: {exc}\n")
            except UnicodeDecodeError as exc:
                self.failed = True
                self.err.write(f"chatlint: input error: {path}: not {exc.encoding} ({exc.reason}); give --encoding\n")
            except OSError as exc:
                self.failed = True
                self.err.write(f"chatlint: input error: {path}: {exc.strerror or exc}\n")
            except Exception as exc:  # a reader bug: one line, and the other files are still checked
                if os.environ.get("CHATLINT_DEBUG"):
                    raise
                self.failed = True
                self.err.write(
                    f"chatlint: input error: {path}: internal error {type(exc).__name__}: {exc} "
                    "(please report it; CHATLINT_DEBUG=1 shows the traceback)\n"
                )
            if path != "-":
                self.done_lines += _count_lines(path) if self.opts.progress else 0


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


def _batches(units: Iterable, size: int = BATCH_EVENTS) -> Iterator[list]:
    """Lists of (unit, skip) of about ``size`` events each."""
    batch, weight = [], 0
    for unit, skip in units:
        batch.append((unit, skip))
        weight += len(unit.events) if isinstance(unit, Conversation) else 1
        if weight >= size:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def check_units(
    units: Iterable,
    linter_kwargs: dict,
    jobs: int,
    keep_events: bool,
    linter=None,
    output_format: str | None = None,
) -> Iterator[UnitResult]:
    """Results for the ``(unit, skip)`` pairs (skip: rule selectors turned off for the unit's file),
    in input order, from ``jobs`` processes (``linter``: the Linter of ``linter_kwargs`` when
    built). With ``output_format`` (and not ``keep_events``) the results carry formatted
    ``items`` instead of findings."""
    forking = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
    output_format = None if keep_events else output_format
    if jobs <= 1 or forking:
        if linter is None:
            from chatlint.linter import Linter

            linter = Linter(**linter_kwargs)
        _set_checker(linter, output_format)
    if jobs <= 1:
        for unit, skip in units:
            yield _check_unit(unit, keep_events, skip)
        return
    if forking:  # the workers inherit the Linter built above
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ProcessPoolExecutor(jobs, initializer=_init, initargs=(linter_kwargs, output_format))
    with pool:
        pending: deque = deque()
        for batch in _batches(units):
            pending.append(pool.submit(_check_batch, batch, keep_events))
            while len(pending) >= 2 * jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


# --- progress -----------------------------------------------------------------------------
class Progress:
    """A one-line progress bar on a terminal: lines read of all input files, conversations, findings."""

    def __init__(self, stream: IO[str], total_lines: int) -> None:
        self.stream, self.total = stream, max(total_lines, 1)
        self.last = 0.0

    def update(self, inputs: Inputs, unit: UnitResult, summary: Summary, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        done = min(inputs.done_lines + unit.last_line, self.total) if not final else self.total
        width = 30
        filled = int(width * done / self.total)
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(
            f"\r{bar} {100 * done // self.total:3d}%  {summary.conversations} conversations, "
            f"{summary.findings} findings"
        )
        if final:
            self.stream.write("\n")
        self.stream.flush()


def show_progress(requested: bool | None, stream: IO[str]) -> bool:
    """A bar only on a terminal, never in CI; ``--progress``/``--no-progress`` override."""
    if requested is not None:
        return requested
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


def run(
    paths: Iterable[str],
    texts: Iterable[str],
    linter_kwargs: dict,
    opts: RunOptions,
    on_result,
    err: IO[str],
    linter=None,
    keep_worst: int = 10,
    project=None,
) -> tuple[Summary, bool]:
    """Check everything; ``on_result(unit)`` gets each result in input order. Returns the summary
    and whether an input could not be read (fully or partly). ``project``: apply each file's
    ``exclude`` and ``per-file-ignores`` (see Inputs)."""
    inputs = Inputs(paths, texts, opts, err, project)
    summary = Summary(keep_worst=keep_worst, keep_frt=opts.keep_events)
    progress = None
    if opts.progress:
        total = sum(_count_lines(p) for p in inputs.files if p != "-")
        progress = Progress(err, total)
    last = None
    for result in check_units(inputs, linter_kwargs, opts.jobs, opts.keep_events, linter, opts.output_format):
        if on_result is not None:
            on_result(result)
        summary.add(result)
        if progress is not None:
            progress.update(inputs, result, summary)
        last = result
    if progress is not None and last is not None:
        progress.update(inputs, last, summary, final=True)
    return summary, inputs.failed
