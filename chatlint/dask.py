"""chatlint on Dask: a DataFrame of messages in, DataFrames of findings and per-conversation scores out.

``check_frame(messages)`` takes a Dask DataFrame with one row per message (conversation id,
role, text, and optionally time, author, message id, …: the field names of docs/transcripts.md,
``columns`` maps others) and returns a ``Checked`` with three lazy frames:

- ``diagnostics``: one row per finding, the ``--format json`` fields plus the input's other
  columns of the message the finding is on;
- ``summary``: one row per conversation: messages, replies, first-response time, QA score and
  its categories (chatlint.qa), findings by severity and one count column per enabled rule;
- ``problems``: rows that could not be read, with their file and line (or index label).

Conversations are checked whole: the frame is shuffled by conversation id once (and by
``path`` when it has that column), unless the caller says it already is (``partitioned=True``).
The Linter is built once per worker process (``ChatlintPlugin`` on a distributed cluster, or
the per-process cache of ``checker_for`` anywhere else), never pickled: what reaches the
workers is a ``LinterSpec``, the Linter's arguments with the bytes of the extra rule files.

``read_messages(paths)`` makes such a frame from JSONL, CSV and Parquet exports (the columns
named as the transcript readers would), with ``path`` and ``line`` columns for positions; and
``run(paths, ...)`` is what ``chatlint check --dask`` does.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd

from chatlint.conversation import Conversation, Event
from chatlint.linter import Linter
from chatlint.qa import QAConfig
from chatlint.transcripts.base import BadRecord, ReadOptions, TimeParser, local_zone
from chatlint.transcripts.generic import FieldMap, event_from

PATH, LINE, ORDER, PROBLEM = "path", "line", "_order", "_problem"
STRING = pd.StringDtype("pyarrow")
FINDING_COLUMNS: dict[str, object] = {
    "rule": STRING, "severity": STRING, "message": STRING, "start": "int64", "end": "int64", "text": STRING,
    "suggestions": object, "fix": STRING, "source": STRING, "path": STRING, "line": "int64", "column": "int64",
    "end_line": "int64", "end_column": "int64", "conversation_id": STRING, "message_id": STRING, "author": STRING,
    "role": STRING, "timestamp": STRING, "extra": STRING,
}  # fmt: skip
PROBLEM_COLUMNS: dict[str, object] = {"path": STRING, "line": "int64", "index": STRING, "message": STRING}


# --- the Linter on the workers ----------------------------------------------------------------
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
        digest = hashlib.sha256(repr(self.kwargs).encode())
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


def _plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ChatlintPlugin(WorkerPlugin):
        """Builds the Linter when a worker starts (and again in a worker that replaces a lost one)."""

        def __init__(self, spec: LinterSpec) -> None:
            self.spec = spec
            self.name = f"chatlint-{spec.key}"

        def setup(self, worker) -> None:
            checker_for(self.spec)

    return ChatlintPlugin


def register(client, spec: LinterSpec) -> None:
    """Build the Linter on every worker of ``client`` now and on every worker that joins later."""
    client.register_plugin(_plugin_class()(spec))


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
    """The rows as dicts of native values, missing values as None, with their index label."""
    records = pdf.to_dict("records")
    for record, label in zip(records, pdf.index):
        for key, value in record.items():
            if _missing(value):
                record[key] = None
        record["__index"] = label
    return records


def conversations(pdf: pd.DataFrame, plan: Plan, problems: list | None = None):
    """``(Conversation, rows by message id)`` for each conversation of a partition (all its rows
    are in it); a row that is no message goes to ``problems`` as ``(path, line, index, message)``."""
    if pdf.empty:
        return
    fmap, times = plan.fields, _Times(ReadOptions(tz=plan.tz or local_zone()))
    keys = plan.keys
    pdf = pdf.sort_values([*keys, ORDER] if ORDER in pdf.columns else keys, kind="stable")
    current: Conversation | None = None
    current_key = None
    rows: dict[str, dict] = {}
    for record in _records(pdf):
        path = str(record.get(PATH) or plan.path)
        line = int(record.get(LINE) or 0)
        error = record.get(PROBLEM)
        if error:
            _problem(problems, path, line, record, str(error))
            continue
        try:
            event = _event(record, fmap, times, path, line)
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


def _event(record: dict, fmap: FieldMap, times: TimeParser, path: str, line: int) -> Event:
    fallback = f"{Path(path).name}:{line}" if line else f"row {record['__index']}"
    return event_from(record, fmap, times, line, fallback)


def _problem(problems: list | None, path: str, line: int, record: dict, message: str) -> None:
    if problems is not None:
        problems.append({"path": path, "line": line, "index": str(record["__index"]), "message": message})


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
    row["extra"] = json.dumps(dict(d.extra), ensure_ascii=False)  # in the order of --format json
    for name in extras:
        row[_extra_name(name)] = record.get(name) if record is not None else None
    return row


def _extra_name(column: str) -> str:
    return f"input_{column}" if column in FINDING_COLUMNS else column


def check_partition(pdf: pd.DataFrame, spec: LinterSpec, plan: Plan, dtypes: Mapping) -> pd.DataFrame:
    """The findings of the conversations of one partition, one row each."""
    from chatlint.pipeline import check_conversation

    linter = checker_for(spec)
    rows = []
    for conv, records in conversations(pdf, plan):
        for reply, d in check_conversation(conv, linter):
            rows.append(_finding_row(reply, d, records.get(str(reply.meta.get("message_id"))), plan.extras))
    return _typed(rows, dtypes)


def problems_partition(pdf: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The rows of one partition that are no message, with why."""
    problems: list = []
    for _ in conversations(pdf, plan, problems):
        pass
    return _typed(problems, PROBLEM_COLUMNS)


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


def summary_partition(
    pdf: pd.DataFrame, found: pd.DataFrame, plan: Plan, rule_ids: tuple, qa: QAConfig, dtypes: Mapping
) -> pd.DataFrame:
    """One row per conversation of a partition, from its rows and the findings checked from them."""
    from chatlint.kinds.dialogue import first_response
    from chatlint.qa import score

    by_conv: dict[tuple, list] = {}
    for path, cid, rule, severity, mid in zip(
        found["path"], found["conversation_id"], found["rule"], found["severity"], found["message_id"]
    ):
        by_conv.setdefault((path, cid), []).append((rule, severity, mid))
    rows = []
    for conv, _ in conversations(pdf, plan):
        marks = by_conv.get((conv.path, conv.conversation_id), [])
        qa_score = score(marks, len(conv.replies), rule_ids, qa)
        frt = first_response(conv)
        severities = [m[1] for m in marks]
        row = {
            "path": conv.path, "conversation_id": conv.conversation_id, "operators": ", ".join(conv.operators),
            "started": conv.events[0].timestamp.isoformat() if conv.events[0].timestamp else None,
            "messages": len(conv.events), "replies": len(conv.replies),
            "first_response_s": frt[1] if frt else float("nan"), "findings": len(marks),
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


# --- the frames -------------------------------------------------------------------------------
@dataclass
class Checked:
    """The lazy results of ``check_frame``; ``compute()`` gives all three in one pass."""

    diagnostics: dd.DataFrame
    summary: dd.DataFrame
    problems: dd.DataFrame
    rules: list = field(default_factory=list)  # the enabled rules (for SARIF output)

    def compute(self, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        import dask

        return dask.compute(self.diagnostics, self.summary, self.problems, **kwargs)


def check_frame(
    messages: dd.DataFrame,
    linter_kwargs: Mapping | LinterSpec | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    tz: tzinfo | None = None,
    partitioned: bool = False,
    qa: QAConfig | None = None,
    path: str = "<dataframe>",
    client=None,
) -> Checked:
    """Check a Dask DataFrame of messages (see the module docstring). ``linter_kwargs``: the
    ``Linter`` arguments (the built-in rules by default) or their LinterSpec; ``columns``: model field → column;
    ``tz``: the zone of times without one; ``partitioned``: every conversation's rows are already
    in one partition; ``client``: a distributed Client to register the worker plugin with
    (default: the current one, if any)."""
    spec = linter_kwargs if isinstance(linter_kwargs, LinterSpec) else LinterSpec.from_kwargs(linter_kwargs)
    linter = checker_for(spec)  # built here too: a bad configuration fails now, not on the workers
    qa = qa or QAConfig()
    plan = _plan(messages, columns, tz, path)
    _register(client, spec)
    if not partitioned:
        messages = messages.map_partitions(_with_order, meta=_order_meta(messages))
        messages = messages.shuffle(on=plan.keys)
    dtypes = dict(FINDING_COLUMNS)
    dtypes.update({_extra_name(c): messages._meta.dtypes[c] for c in plan.extras})
    diagnostics = messages.map_partitions(check_partition, spec, plan, dtypes, meta=_typed([], dtypes))
    rule_ids = tuple(sorted(linter.enabled_ids))
    sdtypes = summary_dtypes(rule_ids, qa)
    summary = dd.map_partitions(
        summary_partition, messages, diagnostics, plan, rule_ids, qa, sdtypes, meta=_typed([], sdtypes),
        align_dataframes=False,
    )  # fmt: skip
    problems = messages.map_partitions(problems_partition, plan, meta=_typed([], PROBLEM_COLUMNS))
    return Checked(diagnostics, summary, problems, list(linter.rules))


def arrow_schema(frame: dd.DataFrame):
    """The pyarrow schema of a diagnostics or summary frame (``to_parquet(schema=...)``): the
    ``suggestions`` lists are lists of strings, which cannot be told from an empty ``meta``."""
    import pyarrow as pa

    fields = []
    for name, dtype in frame._meta.dtypes.items():
        if name == "suggestions":
            kind = pa.list_(pa.string())
        elif pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            kind = pa.string()
        else:
            kind = pa.from_numpy_dtype(dtype)
        fields.append(pa.field(str(name), kind))
    return pa.schema(fields)


def _order_meta(messages: dd.DataFrame) -> pd.DataFrame:
    return messages._meta.assign(**{ORDER: pd.Series([], dtype="int64")})


def _plan(messages: dd.DataFrame, columns, tz, path: str) -> Plan:
    names = [str(c) for c in messages.columns]
    fmap = FieldMap(names, dict(columns or {}))
    missing = fmap.missing()
    if missing:
        raise ValueError(
            f"no column for {', '.join(missing)} (columns: {names}); map it with columns={{FIELD: COLUMN}}"
        )
    used = set(fmap.key.values()) | {PATH, LINE, ORDER, PROBLEM}
    extras = tuple(c for c in names if c not in used)
    return Plan(tuple(names), tuple(sorted((columns or {}).items())), tz, path, extras)


def _register(client, spec: LinterSpec) -> None:
    if client is None:
        try:
            from distributed import get_client

            client = get_client()
        except (ImportError, ValueError):
            return
    register(client, spec)
