"""Exports to a Dask DataFrame of messages, and the ``chatlint check --dask`` run over them.

Every transcript format of the serial run is read by its own reader (chatlint.transcripts), one
partition per file, so a message, its line and its id are the same as in a serial run; Parquet
files (one row per message, the column names of docs/transcripts.md) are read a row group per
partition, ``line`` being the 1-based row. A row or record that cannot be read becomes a row
with ``_problem`` set, reported with its file and line, never fatal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import IO

import dask.dataframe as dd
import pandas as pd

from chatlint.conversation import Event
from chatlint.dask import arrow_schema, check_frame
from chatlint.frames import LINE, PATH, PROBLEM, STRING, WARNING, WHERE, _Times, merge_statistics
from chatlint.transcripts.base import BadRecord, ReadOptions, local_zone

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
MESSAGE_COLUMNS: dict[str, object] = {
    "conversation_id": STRING, "message_id": STRING, "timestamp": STRING, "role": STRING, "author_name": STRING,
    "author_id": STRING, "text": STRING, "event_type": STRING, "transfer_to": STRING, "internal": "bool",
    PATH: STRING, LINE: "int64", PROBLEM: STRING, WARNING: STRING, WHERE: STRING,
}  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """How to read the exports (picklable: it travels to the workers with each file)."""

    input_format: str = "auto"
    tz: tzinfo | None = None
    operators: frozenset[str] = frozenset()
    columns: tuple[tuple[str, str], ...] = ()
    encoding: str | None = None
    tz_name: str = ""
    tz_given: bool = False

    def options(self, problems: list) -> ReadOptions:
        def problem(path: str, line: int, message: str) -> None:
            problems.append(_problem_row(path, line, message))

        def warn(path: str, line: int, message: str) -> None:
            problems.append(_problem_row(path, line, message, WARNING))

        return ReadOptions(
            tz=self.tz or local_zone(), tz_name=self.tz_name, tz_given=self.tz_given, operators=self.operators,
            columns=dict(self.columns), encoding=self.encoding, problem=problem, warn=warn,
        )  # fmt: skip


def _problem_row(path: str, line: int, message: str, kind: str = PROBLEM) -> dict:
    """A row that is no message: an error (``_problem``) or a warning on the file (``_warning``)."""
    return {PATH: path, LINE: line, kind: message, "internal": False}


def _event_row(event: Event, path: str) -> dict:
    return {
        "conversation_id": event.conversation_id, "message_id": event.message_id,
        "timestamp": event.timestamp.isoformat() if event.timestamp else None, "role": event.role,
        "author_name": event.author_name, "author_id": event.author_id, "text": event.text,
        "event_type": event.event_type, "transfer_to": event.transfer_to, "internal": event.is_internal,
        PATH: path, LINE: event.line, PROBLEM: None, WARNING: None,
        WHERE: ",".join(map(str, event.where)) or None,
    }  # fmt: skip


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(MESSAGE_COLUMNS)).astype(MESSAGE_COLUMNS)


def read_export(path: str, fmt: str, reading: Reading) -> pd.DataFrame:
    """The messages of one transcript file (in a format of chatlint.transcripts) as rows."""
    from chatlint.sources import InputError
    from chatlint.transcripts import read

    rows: list[dict] = []
    try:
        for conv in read(Path(path), fmt, reading.options(rows)):
            rows.extend(_event_row(e, path) for e in conv.events)
    except (InputError, OSError, UnicodeDecodeError) as exc:
        rows.append(_problem_row(path, 0, str(getattr(exc, "message", None) or exc)))
    return _frame(rows)


def read_row_group(path: str, group: int, first_row: int, reading: Reading) -> pd.DataFrame:
    """The messages of one row group of a Parquet file; ``line`` is the 1-based row in the file."""
    import pyarrow.parquet as pq

    from chatlint.transcripts.generic import FieldMap, event_from

    table = pq.ParquetFile(path).read_row_group(group)
    fmap = FieldMap(table.column_names, dict(reading.columns))
    rows: list[dict] = []
    opts = reading.options(rows)
    times = _Times(opts)
    if fmap.missing():
        return _frame([_problem_row(path, 1, f"no column for {', '.join(fmap.missing())}; map it with --map")])
    name = Path(path).name
    for i, record in enumerate(table.to_pylist(), first_row + 1):
        try:
            rows.append(_event_row(event_from(record, fmap, times, i, f"{name}:{i}"), path))
        except BadRecord as exc:
            rows.append(_problem_row(path, i, str(exc)))
    times.report(f"{path} (rows {first_row + 1}-{first_row + table.num_rows})", opts)
    return _frame(rows)


def read_messages(paths: Iterable[str | Path], reading: Reading | None = None) -> tuple[dd.DataFrame, list[dict]]:
    """A frame of the messages of these files (folders: their transcript and Parquet files), and
    the problems found before reading (a file that is no transcript)."""
    reading = reading or Reading()
    parts: list[tuple] = []
    problems: list[dict] = []
    for path in _files(paths):
        fmt = _format_of(path, reading)
        if fmt is None:
            problems.append(_problem_row(str(path), 0, "not a transcript (--dask checks chat exports only)"))
        elif fmt == "parquet":
            parts.extend(_row_groups(path, problems))
        else:
            parts.append(("file", str(path), fmt, 0))
    if not parts:
        return dd.from_pandas(_frame([]), npartitions=1), problems
    return dd.from_map(_read_part, parts, reading=reading, meta=_frame([]), enforce_metadata=False), problems


def _read_part(part: tuple, reading: Reading) -> pd.DataFrame:
    kind, path, fmt_or_group, first = part
    if kind == "file":
        return read_export(path, fmt_or_group, reading)
    return read_row_group(path, fmt_or_group, first, reading)


def _row_groups(path: Path, problems: list[dict]) -> list[tuple]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        problems.append(_problem_row(str(path), 0, f"not a Parquet file: {exc}"))
        return []
    parts, first = [], 0
    for group in range(meta.num_row_groups):
        parts.append(("group", str(path), group, first))
        first += meta.row_group(group).num_rows
    return parts


def _files(paths: Iterable[str | Path]) -> list[Path]:
    from chatlint.transcripts import SUFFIXES

    known = SUFFIXES | PARQUET_SUFFIXES
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in known))
        else:
            out.append(path)
    return out


def _format_of(path: Path, reading: Reading) -> str | None:
    from chatlint.transcripts import detect

    if path.suffix.lower() in PARQUET_SUFFIXES:
        return "parquet"
    if reading.input_format not in ("auto", "replies"):
        return reading.input_format
    return detect(path, ReadOptions(encoding=reading.encoding)) if path.is_file() else None


# --- chatlint check --dask ------------------------------------------------------------------
@dataclass
class DaskRun:
    """What ``chatlint check --dask`` was asked to do."""

    paths: list[str]
    linter_kwargs: Mapping = field(default_factory=dict)
    scheduler: str = "local"  # "local": a LocalCluster on this machine; else a scheduler address
    workers: int = 2  # processes of the LocalCluster
    fmt: str = "text"
    output: str | None = None  # a .parquet folder for the findings instead of ``fmt`` on ``out``
    reading: Reading = field(default_factory=Reading)
    fail_on: str = "error"
    per_path: dict = field(default_factory=dict)  # file -> (LinterSpec, per-file ignores), see check_frame
    statistics: bool = False  # counts by rule and by operator (``--statistics``) instead of the findings


# the p2p shuffle buffers up to 1 GiB of outgoing shards per worker by default: for a worker of
# ~300 MB, smaller buffers (the data waits on disk instead; docs/scale.md)
P2P_BUFFERS = {"distributed.p2p.comm.buffer": "64 MiB", "distributed.p2p.storage.buffer": "32 MiB"}
# Arrow's own allocator (jemalloc or mimalloc) keeps freed pages of each partition's tables; the
# system allocator hands them back (peak per worker 303 → 260 MB at 200,000 messages; docs/scale.md)
WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` single-threaded processes on 127.0.0.1, with the small p2p
    buffers and Arrow's system allocator (``--dask local`` and the bench)."""
    import dask
    from distributed import LocalCluster

    dask.config.set(P2P_BUFFERS)  # the worker processes start with this configuration
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        env=WORKER_ENV,
    )


def connect(scheduler: str, workers: int):
    """A distributed Client: of a LocalCluster of ``workers`` processes on 127.0.0.1, or of an address."""
    import logging

    from distributed import Client

    # the scheduler's notes on each shuffle ("initialized", "deactivated") are not for the user
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    return Client(local_cluster(workers) if scheduler == "local" else scheduler)


def run(req: DaskRun, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Check the exports on a cluster and write the findings; the exit code of ``chatlint check``."""
    out, err = out or sys.stdout, err or sys.stderr
    import dask

    from chatlint.summary import write_statistics

    client = connect(req.scheduler, req.workers)
    try:
        messages, early = read_messages(req.paths, req.reading)
        checked = check_frame(messages, req.linter_kwargs, client=client, per_path=req.per_path)
        if req.statistics:
            counts, problems = dask.compute(checked.statistics, checked.problems)
            summary = merge_statistics(counts["counts"])
            severities = list(summary.by_severity)
            write_statistics(summary, req.fmt, out)
            out.flush()
        elif req.output:
            schema = arrow_schema(checked.diagnostics)
            write = checked.diagnostics.to_parquet(req.output, write_index=False, compute=False, schema=schema)
            _, severities, problems = dask.compute(write, checked.diagnostics["severity"], checked.problems)
            err.write(f"chatlint: wrote {len(severities)} findings to {req.output}\n")
        else:
            found, problems = dask.compute(checked.diagnostics, checked.problems)
            severities = found["severity"]
            write_findings(found, req.fmt, checked.rules, out)
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and req.scheduler == "local":
            cluster.close()
    failed = report_problems(early, problems, err)
    rank = {"info": 0, "warning": 1, "error": 2}
    failing = any(rank.get(s, 0) >= rank[req.fail_on] for s in severities)
    return 2 if failed else (1 if failing else 0)


def report_problems(early: list[dict], problems: pd.DataFrame, err: IO[str]) -> bool:
    """``chatlint: input error: FILE:LINE: why`` (and ``warning:``) for each, sorted; True when
    there was an error."""
    from chatlint.sources import LineWriter

    writer = LineWriter(err)
    items = [(p[PATH], p[LINE], "error", p[PROBLEM]) for p in early]
    items += list(zip(problems["path"], problems["line"], problems["severity"], problems["message"]))
    for path, line, severity, message in sorted(items):
        label = "input error" if severity == "error" else "warning"
        where = f"{path}:{line}" if line else path
        writer.write(f"chatlint: {label}: {where}: {message}\n")
    return any(item[2] == "error" for item in items)


def findings_of(found: pd.DataFrame) -> list:
    """``(Reply, Diagnostic)`` pairs from diagnostics rows, sorted by file, line and column."""
    import json

    from chatlint.diagnostic import Diagnostic, Fix
    from chatlint.sources import Reply

    order = found.sort_values(["path", "line", "column", "end_line", "end_column", "rule", "message"], kind="stable")
    pairs = []
    for row in order.to_dict("records"):
        fix = json.loads(row["fix"]) if isinstance(row["fix"], str) else None
        d = Diagnostic(
            rule=row["rule"], severity=row["severity"], start=row["start"], end=row["end"], message=row["message"],
            text=row["text"], suggestions=tuple(row["suggestions"]), fix=Fix(**fix) if fix else None,
            source=row["source"], extra=json.loads(row["extra"]),
        )  # fmt: skip
        meta = {k: _none(row[k]) for k in ("conversation_id", "message_id", "author", "role", "timestamp")}
        placed = _Placed(row["start"], row["line"], row["column"], row["end"], row["end_line"], row["end_column"])
        pairs.append((Reply(row["text"], row["path"], placed, meta), d))
    return pairs


@dataclass(frozen=True)
class _Placed:
    """The file positions a worker computed for a finding's start and end (exact through escapes)."""

    start: int
    line: int
    column: int
    end: int
    end_line: int
    end_column: int

    def __call__(self, offset: int) -> tuple[int, int]:
        if offset == self.end and offset != self.start:
            return self.end_line, self.end_column
        return self.line, self.column + max(offset - self.start, 0)


def _none(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value


def write_findings(found: pd.DataFrame, fmt: str, rules: list, out: IO[str]) -> None:
    """The findings in a ``chatlint check --format`` format, sorted by file and position."""
    from chatlint.writers import WRITERS

    writer = WRITERS[fmt](out, rules)
    writer.start()
    for reply, d in findings_of(found):
        writer.write(reply, d)
    writer.end()
    out.flush()
