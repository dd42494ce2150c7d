"""Messages as pandas frames to findings and per-conversation summaries: the engine-free part of
chatlint.dask, so that any engine that hands out pandas partitions (Dask, Spark's
``mapInPandas``, a plain loop) checks conversations the same way (docs/scale.md).

A *partition* holds every row of the conversations in it. ``Plan`` says how its rows are read
(the transcript readers' field names, ``columns`` mapping others); ``LinterSpec`` is what a
worker needs to build the Linter (its arguments and the extra rule files as bytes), built once
per process by ``checker_for``.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from chatlint.conversation import Conversation, Event
from chatlint.linter import Linter
from chatlint.qa import QAConfig
from chatlint.transcripts.base import BadRecord, ReadOptions, TimeParser, local_zone
from chatlint.transcripts.generic import FieldMap, event_from

PATH, LINE, ORDER, PROBLEM, WARNING = "path", "line", "_order", "_problem", "_warning"
WHERE = "_where"  # a message's file positions (chatlint.conversation.Where) as "offset,line,column,…"
STRING = pd.StringDtype("pyarrow")
STRINGS = pd.ArrowDtype(pa.list_(pa.string()))
FINDING_COLUMNS: dict[str, object] = {
    "rule": STRING, "severity": STRING, "message": STRING, "start": "int64", "end": "int64", "text": STRING,
    "suggestions": object, "fix": STRING, "source": STRING, "path": STRING, "line": "int64", "column": "int64",
    "end_line": "int64", "end_column": "int64", "conversation_id": STRING, "message_id": STRING, "author": STRING,
    "role": STRING, "timestamp": STRING, "extra": STRING,
}  # fmt: skip
PROBLEM_COLUMNS: dict[str, object] = {
    "path": STRING, "line": "int64", "index": STRING, "severity": STRING, "message": STRING,
}  # fmt: skip
RECORD = "record"  # what a row of check_partition's frame is: a finding, a conversation, a problem
# check_partition's frame holds the suggestions in Arrow (no Python list per finding for the GC to walk);
# the diagnostics frame has them as lists, which pandas reads back from Parquet (an Arrow list dtype it cannot)
CHECKED_COLUMNS: dict[str, object] = {**FINDING_COLUMNS, "suggestions": STRINGS, RECORD: STRING}


# --- the Linter in each process -------------------------------------------------------------
def _canonical(value: object) -> object:
    """``value`` with every set sorted, so that its repr is the same in every process."""
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


@dataclass(frozen=True)
class LinterSpec:
    """What a worker needs to build the Linter: its arguments, the extra rule files as bytes."""

    kwargs: tuple  # sorted (name, value) pairs of the Linter arguments but ``rules``
    rule_files: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def from_kwargs(cls, kwargs: Mapping | None = None) -> LinterSpec:
        """The spec of ``Linter(**kwargs)``; the files of ``rules`` (folders: their YAML files) are read."""
        kwargs = dict(kwargs or {})
        files: list[tuple[str, bytes]] = []
        for i, raw in enumerate(kwargs.pop("rules", None) or ()):
            path = Path(raw)
            members = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
            for member in members:
                name = f"{i:03d}/{member.relative_to(path) if path.is_dir() else member.name}"
                files.append((name, member.read_bytes()))
        return cls(tuple(sorted(kwargs.items())), tuple(files))

    @property
    def key(self) -> str:
        """A digest of the spec: equal specs share one Linter per process."""
        digest = hashlib.sha256(repr(_canonical(self.kwargs)).encode())
        for name, data in self.rule_files:
            digest.update(name.encode() + b"\0" + data)
        return digest.hexdigest()[:16]

    def build(self) -> Linter:
        """The Linter, its extra rules written under a temporary folder of this process."""
        kwargs = dict(self.kwargs)
        if self.rule_files:
            folder = Path(tempfile.mkdtemp(prefix=f"chatlint-rules-{self.key}-"))
            for name, data in self.rule_files:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            kwargs["rules"] = sorted({str(folder / name.split("/")[0]) for name, _ in self.rule_files})
        return Linter(**kwargs)


_LINTERS: dict[str, Linter] = {}
_LOCK = threading.Lock()


def checker_for(spec: LinterSpec) -> Linter:
    """The Linter of ``spec`` for this process, built on first use (worker threads share it)."""
    linter = _LINTERS.get(spec.key)
    if linter is None:
        with _LOCK:
            linter = _LINTERS.get(spec.key)
            if linter is None:
                linter = _LINTERS[spec.key] = spec.build()
    return linter


# --- rows to conversations -----------------------------------------------------------------
class _Times(TimeParser):
    """The readers' time parsing, plus the datetime values a Parquet or pandas column holds."""

    def __call__(self, value: object):
        if isinstance(value, datetime):
            if value.tzinfo is None:
                self.naive += 1
                value = value.replace(tzinfo=self.tz)
            return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        return super().__call__(value)


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value)


@dataclass(frozen=True)
class Plan:
    """How the rows of a frame are read: the field map, the grouping keys, the extra columns."""

    columns: tuple[str, ...]
    mapping: tuple[tuple[str, str], ...] = ()  # model field -> column (``--map``)
    tz: tzinfo | None = None
    path: str = "<dataframe>"
    extras: tuple[str, ...] = ()

    @property
    def fields(self) -> FieldMap:
        return FieldMap(list(self.columns), dict(self.mapping))

    @property
    def keys(self) -> list[str]:
        cid = self.fields.key["conversation_id"]
        return [PATH, cid] if PATH in self.columns else [cid]


def _records(pdf: pd.DataFrame) -> list[dict]:
    """The rows as dicts of native values, missing values as None, with their index label (column
    by column: a partition's values are converted in bulk, not cell by cell)."""
    names = [str(c) for c in pdf.columns] + ["__index"]
    columns = []
    for name in pdf.columns:
        column = pdf[name]
        values = column.tolist()
        missing = column.isna().to_numpy()
        if missing.any():
            for i in np.flatnonzero(missing):
                values[i] = None
        columns.append(values)
    columns.append(pdf.index.tolist())
    return [dict(zip(names, row)) for row in zip(*columns)]


def conversations(pdf: pd.DataFrame, plan: Plan, problems: list | None = None):
    """``(Conversation, rows by message id)`` for each conversation of a partition (all its rows
    are in it); a row that is no message goes to ``problems`` as ``(path, line, index, message)``."""
    if pdf.empty:
        return
    fmap, times = plan.fields, _Times(ReadOptions(tz=plan.tz or local_zone()))
    keys = plan.keys
    order = [c for c in (ORDER, LINE) if c in pdf.columns][:1]  # the input's order, else the line in the file
    pdf = pdf.sort_values([*keys, *order], kind="stable")
    current: Conversation | None = None
    current_key = None
    rows: dict[str, dict] = {}
    names: dict[str, str] = {}  # path -> its file name (the fallback message ids)
    for record in _records(pdf):
        path = str(record.get(PATH) or plan.path)
        line = int(record.get(LINE) or 0)
        error, warning = record.get(PROBLEM), record.get(WARNING)
        if error or warning:  # a row the reader could not read, or a note on the file
            _problem(problems, path, line, record, str(error or warning), "error" if error else "warning")
            continue
        try:
            name = names.get(path) or names.setdefault(path, Path(path).name)
            event = _event(record, fmap, times, name, line)
        except BadRecord as exc:
            _problem(problems, path, line, record, str(exc))
            continue
        key = (path, event.conversation_id)
        if key != current_key:
            if current is not None:
                yield current.sort(), rows
            current, current_key, rows = Conversation(event.conversation_id, path=path, source_format="dask"), key, {}
        event.seq = len(current.events)
        current.events.append(event)
        rows[event.message_id] = record
    if current is not None:
        yield current.sort(), rows


def _event(record: dict, fmap: FieldMap, times: TimeParser, name: str, line: int) -> Event:
    fallback = f"{name}:{line}" if line else f"row {record['__index']}"
    event = event_from(record, fmap, times, line, fallback)
    where = record.get(WHERE)
    if isinstance(where, str) and where:
        event.where = tuple(int(n) for n in where.split(","))  # as the serial reader placed it
    return event


def _problem(problems: list | None, path: str, line: int, record: dict, message: str, severity: str = "error") -> None:
    if problems is not None:
        index = str(record["__index"])
        problems.append({"path": path, "line": line, "index": index, "severity": severity, "message": message})


# --- the partition functions ---------------------------------------------------------------
def _typed(rows: list[dict], dtypes: Mapping[str, object]) -> pd.DataFrame:
    """A frame of ``rows`` with exactly these columns and dtypes (also the ``meta`` of an empty one)."""
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dict(dtypes))


def _finding_row(reply, d, record: dict | None, extras: tuple[str, ...]) -> dict:
    from chatlint.output import finding_dict

    data = finding_dict(reply, d)
    row = {name: data.get(name) for name in FINDING_COLUMNS}
    row["suggestions"] = list(d.suggestions)
    row["fix"] = json.dumps(data["fix"], ensure_ascii=False) if d.fix is not None else None
    row["extra"] = json.dumps(dict(d.extra), ensure_ascii=False) if d.extra else "{}"  # in the order of --format json
    for name in extras:
        row[_extra_name(name)] = record.get(name) if record is not None else None
    return row


def _extra_name(column: str) -> str:
    return f"input_{column}" if column in FINDING_COLUMNS else column


def check_partition(
    pdf: pd.DataFrame, spec: LinterSpec, plan: Plan, dtypes: Mapping, per_path: Mapping | None = None
) -> pd.DataFrame:
    """One pass over a partition: a row per finding, per conversation (its counts, for the summary)
    and per unreadable row (``RECORD`` says which), so the input partition is read once and freed.
    ``per_path``: file -> (LinterSpec, per-file ignores) of the configuration nearest each file
    (``spec`` for the others)."""
    from chatlint.kinds.dialogue import first_response
    from chatlint.pipeline import check_conversation

    rows, problems = [], []
    blank = {"start": 0, "end": 0, "line": 0, "column": 0, "end_line": 0, "end_column": 0, "suggestions": []}
    for conv, records in conversations(pdf, plan, problems):
        here, skip = per_path.get(conv.path, (spec, ())) if per_path else (spec, ())
        for reply, d in check_conversation(conv, checker_for(here), skip):
            row = _finding_row(reply, d, records.get(str(reply.meta.get("message_id"))), plan.extras)
            rows.append(dict(row, **{RECORD: "finding"}))
        frt = first_response(conv)
        by_operator: dict[str, int] = {}  # replies sent by each operator, as chatlint.execute counts them
        for e in conv.replies:
            by_operator[e.author] = by_operator.get(e.author, 0) + 1
        facts = {
            "messages": len(conv.events),
            "replies": len(conv.replies),
            "first_response_s": frt[1] if frt else None,
            "by_operator": by_operator,
        }
        started = conv.events[0].timestamp
        rows.append(
            dict(blank, path=conv.path, conversation_id=conv.conversation_id, author=", ".join(conv.operators),
                 timestamp=started.isoformat() if started else None, extra=json.dumps(facts),
                 **{RECORD: "conversation"})
        )  # fmt: skip
    for p in problems:
        rows.append(
            dict(blank, path=p["path"], line=p["line"], severity=p["severity"], message=p["message"],
                 extra=json.dumps({"index": p["index"]}, ensure_ascii=False), **{RECORD: "problem"})
        )  # fmt: skip
    return _typed(rows, dtypes)


def findings_partition(checked: pd.DataFrame, dtypes: Mapping) -> pd.DataFrame:
    """The finding rows of a ``check_partition`` frame."""
    found = checked[checked[RECORD] == "finding"].drop(columns=[RECORD])
    # Python lists from the Arrow column in one call (Series.tolist goes element by element)
    lists = pa.array(found["suggestions"].array).to_pylist()
    found["suggestions"] = pd.Series(lists, index=found.index, dtype=object)
    return found.astype(dict(dtypes))


def problems_partition(checked: pd.DataFrame) -> pd.DataFrame:
    """The rows of one partition that are no message, with why."""
    rows = checked[checked[RECORD] == "problem"]
    index = [json.loads(e)["index"] for e in rows["extra"]]
    frame = pd.DataFrame(
        {"path": rows["path"], "line": rows["line"], "index": index, "severity": rows["severity"],
         "message": rows["message"]}
    )  # fmt: skip
    return _typed(frame.to_dict("records"), PROBLEM_COLUMNS)


STATISTICS_COLUMNS: dict[str, object] = {"counts": STRING}
_COUNTERS = ("by_rule", "by_severity", "by_operator", "replies_by_operator", "flagged_by_operator")


def statistics_partition(checked: pd.DataFrame) -> pd.DataFrame:
    """The ``--statistics`` counts (chatlint.summary) of a ``check_partition`` frame's
    conversations, as one row of JSON: a partition's counts, whatever its size."""
    from chatlint.summary import Summary, UnitResult

    found = checked[checked[RECORD] == "finding"]
    marks: dict[tuple, list] = {}
    for path, cid, rule, severity, author, role, mid in zip(
        found["path"], found["conversation_id"], found["rule"], found["severity"], found["author"], found["role"],
        found["message_id"],
    ):  # fmt: skip
        operator = author if role == "operator" and isinstance(author, str) else ""
        marks.setdefault((path, cid), []).append((rule, severity, operator, "None" if pd.isna(mid) else str(mid)))
    summary = Summary(keep_worst=0, keep_frt=False)
    convs = checked[checked[RECORD] == "conversation"]
    for path, cid, extra in zip(convs["path"], convs["conversation_id"], convs["extra"]):
        replies = json.loads(extra)["by_operator"]
        summary.add(UnitResult([], path, cid, replies, marks=marks.get((path, cid), [])))
    counts = {"conversations": summary.conversations, "replies": summary.replies, "findings": summary.findings}
    counts.update({name: dict(getattr(summary, name)) for name in _COUNTERS})
    return _typed([{"counts": json.dumps(counts, ensure_ascii=False)}], STATISTICS_COLUMNS)


def merge_statistics(rows: Iterable[str]):
    """One chatlint.summary.Summary of the partitions' ``statistics_partition`` counts."""
    from chatlint.summary import Summary

    summary = Summary(keep_worst=0, keep_frt=False)
    for row in rows:
        counts = json.loads(row)
        summary.conversations += counts["conversations"]
        summary.replies += counts["replies"]
        summary.findings += counts["findings"]
        for name in _COUNTERS:
            getattr(summary, name).update(counts[name])
    return summary


def summary_dtypes(rule_ids: Iterable[str], qa: QAConfig) -> dict[str, object]:
    """The summary frame's columns: counts, times, the QA score and categories, one count per rule."""
    dtypes: dict[str, object] = {
        "path": STRING, "conversation_id": STRING, "operators": STRING, "started": STRING,
        "messages": "int64", "replies": "int64", "first_response_s": "float64",
        "findings": "int64", "errors": "int64", "warnings": "int64", "infos": "int64", "qa_score": "float64",
    }  # fmt: skip
    dtypes.update({f"qa_{name}": "float64" for name in qa.weights})
    dtypes.update({rule: "int64" for rule in sorted(rule_ids)})
    return dtypes


def summary_partition(checked: pd.DataFrame, rule_ids: tuple, qa: QAConfig, dtypes: Mapping) -> pd.DataFrame:
    """One row per conversation of a ``check_partition`` frame: its counts, findings and QA score."""
    from chatlint.qa import score

    found = checked[checked[RECORD] == "finding"]
    by_conv: dict[tuple, list] = {}
    for path, cid, rule, severity, mid in zip(
        found["path"], found["conversation_id"], found["rule"], found["severity"], found["message_id"]
    ):
        by_conv.setdefault((path, cid), []).append((rule, severity, mid))
    convs = checked[checked[RECORD] == "conversation"]
    rows = []
    for path, cid, operators, started, extra in zip(
        convs["path"], convs["conversation_id"], convs["author"], convs["timestamp"], convs["extra"]
    ):
        facts = json.loads(extra)
        marks = by_conv.get((path, cid), [])
        qa_score = score(marks, facts["replies"], rule_ids, qa)
        severities = [m[1] for m in marks]
        frt = facts["first_response_s"]
        row = {
            "path": path, "conversation_id": cid, "operators": operators,
            "started": None if pd.isna(started) else started,
            "messages": facts["messages"], "replies": facts["replies"],
            "first_response_s": float("nan") if frt is None else frt, "findings": len(marks),
            "errors": severities.count("error"), "warnings": severities.count("warning"),
            "infos": severities.count("info"),
            "qa_score": qa_score.score if qa_score.score is not None else float("nan"),
        }  # fmt: skip
        for name, cell in qa_score.categories.items():
            row[f"qa_{name}"] = cell.score if cell.score is not None else float("nan")
        counts = dict.fromkeys(rule_ids, 0)
        for rule, _, _ in marks:
            counts[rule] = counts.get(rule, 0) + 1
        row.update(counts)
        rows.append(row)
    return _typed(rows, dtypes)


def _with_order(pdf: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
    """The rows with their place in the input: (partition << 32) + position."""
    number = (partition_info or {}).get("number", 0)
    return pdf.assign(**{ORDER: (number << 32) + np.arange(len(pdf), dtype="int64")})


def plan_for(
    names: Iterable, columns: Mapping[str, str] | None = None, tz: tzinfo | None = None, path: str = "<dataframe>"
) -> Plan:
    """The Plan of a frame with these column names; ValueError when a needed field has no column."""
    names = [str(c) for c in names]
    fmap = FieldMap(names, dict(columns or {}))
    missing = fmap.missing()
    if missing:
        raise ValueError(
            f"no column for {', '.join(missing)} (columns: {names}); map it with columns={{FIELD: COLUMN}}"
        )
    used = set(fmap.key.values()) | {PATH, LINE, ORDER, PROBLEM, WARNING, WHERE}
    extras = tuple(c for c in names if c not in used)
    return Plan(tuple(names), tuple(sorted((columns or {}).items())), tz, path, extras)


# --- Spark and other engines of pandas batches ---------------------------------------------------
def batch_checker(
    names: Iterable[str], linter_kwargs: Mapping | LinterSpec | None = None, **plan
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """A function for Spark's ``mapInPandas``: the batches of a partition (every row of its
    conversations: ``repartition`` by conversation id first) in, its findings out (FINDING_COLUMNS,
    Spark schema ``FINDINGS_DDL``). ``plan``: ``columns``, ``tz``, ``path`` as in ``plan_for``."""
    spec = linter_kwargs if isinstance(linter_kwargs, LinterSpec) else LinterSpec.from_kwargs(linter_kwargs)
    plan = plan_for(names, **plan)
    plan = Plan(plan.columns, plan.mapping, plan.tz, plan.path, ())  # Spark gets a fixed schema

    def check(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        frames = list(batches)
        if frames:
            checked = check_partition(pd.concat(frames, ignore_index=True), spec, plan, CHECKED_COLUMNS)
            yield findings_partition(checked, FINDING_COLUMNS)

    return check


FINDINGS_DDL = (
    "rule string, severity string, message string, start long, end long, text string, "
    "suggestions array<string>, fix string, source string, path string, line long, `column` long, "
    "end_line long, end_column long, conversation_id string, message_id string, author string, role string, "
    "timestamp string, extra string"
)
