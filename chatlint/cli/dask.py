"""``chatlint check --dask SCHEDULER``: the check of chatlint/dask_files.py from the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chatlint.cli.common import UsageError


def check_on_dask(req, opts, scheduler: str | None, output: str | None) -> int:
    """Check ``req.paths`` on a Dask cluster with the configuration found from the current folder."""
    if not scheduler:
        raise UsageError("--output needs --dask (write the findings of a Dask run to Parquet)")
    if req.texts or "-" in req.paths or req.fixing or not req.paths:
        raise UsageError("--dask checks transcript files and folders: not with --text, '-', --fix or --diff")
    if output and req.statistics:
        raise UsageError("--output writes findings: not with --statistics")
    if output and not output.endswith((".parquet", ".pq")):
        raise UsageError(f"--output {output!r}: give a Parquet folder name ending in .parquet")
    if output and Path(output).exists():
        raise UsageError(f"--output {output!r} exists: remove it or give a new name (it is never overwritten)")
    try:
        from chatlint.dask_files import DaskRun, Reading, run
    except ImportError as exc:
        raise UsageError(f"--dask needs the dask extra: pip install 'chatlint[dask]' ({exc})") from None
    from chatlint.project import Project

    project = Project(req.cli, req.encoding)
    config = project.config_for(Path.cwd())
    project.linter_for(config)  # a configuration error is reported here, before any cluster starts
    read = opts.read
    reading = Reading(
        opts.input_format, read.tz, read.operators, tuple(sorted(read.columns.items())), read.encoding,
        tz_name=read.tz_name, tz_given=read.tz_given,
    )  # fmt: skip
    workers = opts.jobs if opts.jobs > 1 else (os.cpu_count() or 1)
    request = DaskRun(list(req.paths), Project.linter_kwargs(config), scheduler, workers, req.fmt, output, reading)
    request.fail_on = req.fail_on
    request.statistics = req.statistics
    return run(request, sys.stdout, sys.stderr)
