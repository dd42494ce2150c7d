"""A run over inputs: the files' settings, the jobs, the results in input order.

``Run`` joins chatlint/inputs.py (units and their settings) and chatlint/execute.py
(serial or process-pool checking); ``chatlint check``, ``chatlint report`` and the public
``check_files`` use it. ``check_files`` is the library's way to check files as the command
line does: each file's configuration, per-file ignores, inline suppressions, findings in
position order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from chatlint.execute import Linters, run_jobs
from chatlint.inputs import Inputs, Job, RunOptions, count_lines
from chatlint.pipeline import Finding
from chatlint.project import CliOptions, Project
from chatlint.summary import UnitResult


class Run:
    """The jobs of some inputs and their results; ``failed`` once an input could not be read."""

    def __init__(
        self,
        project: Project,
        paths: Iterable[str],
        texts: Iterable[str],
        opts: RunOptions,
        err: IO[str],
        stdin: IO[bytes] | None = None,
    ) -> None:
        self.project, self.opts = project, opts
        self.inputs = Inputs(project, paths, texts, opts, err, stdin)
        self.linters = Linters()

    @property
    def failed(self) -> bool:
        return self.inputs.failed

    def total_lines(self) -> int:
        return sum(count_lines(p) for p in self.inputs.files if p != "-")

    def _jobs(self) -> Iterator[Job]:
        linters, settings = self.linters, self.inputs.settings
        for job in self.inputs:
            key = job[1]
            if key not in linters.built:
                linters.built[key] = settings[key].linter
                linters.kwargs[key] = self.project.linter_kwargs(settings[key].config)
            yield job

    def results(self, output_format: str | None = None) -> Iterator[UnitResult]:
        """Each unit's result in input order (formatted as ``output_format`` when given)."""
        return run_jobs(self._jobs(), self.linters, self.opts.jobs, output_format, self.opts.keep_events)


@dataclass
class FileResult:
    """The findings of one input file, in position order, and the problems reading it."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Problems(io.StringIO):
    """Collects the one-line input messages of a run, by the file being read when they came."""

    def __init__(self, inputs_of) -> None:
        super().__init__()
        self.inputs_of = inputs_of
        self.by_path: dict[str, list[str]] = {}

    def write(self, text: str) -> int:
        self.by_path.setdefault(self.inputs_of().current, []).append(text.rstrip("\n"))
        return len(text)


def check_files(
    paths: Iterable[str | Path],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    rules: Iterable[str] = (),
    config: str | None = None,
    isolated: bool = False,
    encoding: str | None = None,
) -> Iterator[FileResult]:
    """Check files and folders as ``chatlint check`` does; one ``FileResult`` per file, in input order."""
    cli = CliOptions(list(select), list(ignore), list(extend_select), [str(r) for r in rules], False, config, isolated)
    problems = _Problems(lambda: run.inputs)
    run = Run(Project(cli, encoding), [str(p) for p in paths], (), RunOptions(encoding=encoding), problems)
    order = {str(p): i for i, p in enumerate(run.inputs.files)}
    current: FileResult | None = None
    done: set[str] = set()
    for result in run.results():
        if current is None or str(current.path) != result.path:
            if current is not None:
                yield current
            yield from _error_only(problems, order, done, upto=order.get(result.path, len(order)))
            done.add(result.path)
            current = FileResult(Path(result.path), errors=problems.by_path.get(result.path, []))
        current.findings.extend(result.findings)
    if current is not None:
        yield current
    yield from _error_only(problems, order, done, upto=len(order))


def _error_only(problems: _Problems, order: dict[str, int], done: set[str], upto: int) -> Iterator[FileResult]:
    """Files before position ``upto`` that gave no unit, only problems."""
    for path, i in order.items():
        if i < upto and path not in done and path in problems.by_path:
            done.add(path)
            yield FileResult(Path(path), errors=problems.by_path[path])
