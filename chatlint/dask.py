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

The work on each partition is chatlint.frames (pandas only, also Spark's ``mapInPandas``);
chatlint.dask_files reads exports into such a frame and runs ``chatlint check --dask``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

import dask.dataframe as dd
import pandas as pd

from chatlint.frames import (  # noqa: F401 - the pandas-level API, re-exported
    FINDING_COLUMNS,
    LINE,
    ORDER,
    PATH,
    PROBLEM,
    PROBLEM_COLUMNS,
    RECORD,
    STATISTICS_COLUMNS,
    STRING,
    STRINGS,
    LinterSpec,
    Plan,
    _extra_name,
    _Times,
    _typed,
    _with_order,
    batch_checker,
    check_partition,
    checker_for,
    conversations,
    findings_partition,
    merge_statistics,
    plan_for,
    problems_partition,
    statistics_partition,
    summary_dtypes,
    summary_partition,
)
from chatlint.qa import QAConfig

WARM_UP = "Здравствуйте! Сейчас проверю ваш заказ, это займёт пару минут."


def _plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ChatlintPlugin(WorkerPlugin):
        """Builds the Linter when a worker starts (and again in a worker that replaces a lost one)."""

        def __init__(self, spec: LinterSpec) -> None:
            self.spec = spec
            self.name = f"chatlint-{spec.key}"

        def setup(self, worker) -> None:
            linter = checker_for(self.spec)
            linter.check(WARM_UP)  # the dictionaries a first check loads: a worker's start-up, not a task's

    return ChatlintPlugin


def register(client, spec: LinterSpec) -> None:
    """Build the Linter on every worker of ``client`` now and on every worker that joins later."""
    client.register_plugin(_plugin_class()(spec))


# --- the frames -------------------------------------------------------------------------------
@dataclass
class Checked:
    """The lazy results of ``check_frame``; ``compute()`` gives all three in one pass."""

    diagnostics: dd.DataFrame
    summary: dd.DataFrame
    problems: dd.DataFrame
    rules: list = field(default_factory=list)  # the enabled rules (for SARIF output)
    statistics: dd.DataFrame | None = None  # one row of ``--statistics`` counts a partition (merge_statistics)

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
    per_path: Mapping[str, tuple[LinterSpec, tuple[str, ...]]] | None = None,
) -> Checked:
    """Check a Dask DataFrame of messages (see the module docstring). ``linter_kwargs``: the
    ``Linter`` arguments (the built-in rules by default) or their LinterSpec; ``columns``: model field → column;
    ``tz``: the zone of times without one; ``partitioned``: every conversation's rows are already
    in one partition; ``client``: a distributed Client to register the worker plugin with
    (default: the current one, if any); ``per_path``: the ``path`` column's files with the LinterSpec
    and per-file ignores of each (``chatlint check --dask``: the configuration nearest each file)."""
    spec = linter_kwargs if isinstance(linter_kwargs, LinterSpec) else LinterSpec.from_kwargs(linter_kwargs)
    linter = checker_for(spec)  # built here too: a bad configuration fails now, not on the workers
    qa = qa or QAConfig()
    plan = plan_for(messages.columns, columns, tz, path)
    per_path = dict(per_path or {})
    specs = {spec.key: spec} | {s.key: s for s, _ in per_path.values()}
    enabled = set().union(*(checker_for(s).enabled_ids for s in specs.values()))
    for each in specs.values():
        _register(client, each)
    if not partitioned:
        messages = messages.map_partitions(_with_order, meta=_order_meta(messages))
        messages = messages.shuffle(on=plan.keys)
    dtypes = dict(FINDING_COLUMNS)
    dtypes.update({_extra_name(c): messages._meta.dtypes[c] for c in plan.extras})
    all_dtypes = {**dtypes, "suggestions": STRINGS, RECORD: STRING}
    # one pass over each shuffled partition; the three frames are cheap selections of its result
    checked = messages.map_partitions(
        check_partition, spec, plan, all_dtypes, per_path or None, meta=_typed([], all_dtypes)
    )
    diagnostics = checked.map_partitions(findings_partition, dtypes, meta=_typed([], dtypes))
    rule_ids = tuple(sorted(enabled))
    sdtypes = summary_dtypes(rule_ids, qa)
    summary = checked.map_partitions(summary_partition, rule_ids, qa, sdtypes, meta=_typed([], sdtypes))
    problems = checked.map_partitions(problems_partition, meta=_typed([], PROBLEM_COLUMNS))
    statistics = checked.map_partitions(statistics_partition, meta=_typed([], STATISTICS_COLUMNS))
    return Checked(diagnostics, summary, problems, list(linter.rules), statistics)


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


def _register(client, spec: LinterSpec) -> None:
    if client is None:
        try:
            from distributed import get_client

            client = get_client()
        except (ImportError, ValueError):
            return
    register(client, spec)
