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
    files, per_path = _files_and_settings(project, req.paths)
    read = opts.read
    reading = Reading(
        opts.input_format, read.tz, read.operators, tuple(sorted(read.columns.items())), read.encoding,
        tz_name=read.tz_name, tz_given=read.tz_given,
    )  # fmt: skip
    workers = opts.jobs if opts.jobs > 1 else (os.cpu_count() or 1)
    request = DaskRun(
        files, Project.linter_kwargs(config), scheduler, workers, req.fmt, output, reading, per_path=per_path
    )
    request.fail_on = req.fail_on
    request.statistics = req.statistics
    return run(request, sys.stdout, sys.stderr)


def _files_and_settings(project, paths: list[str]) -> tuple[list[str], dict]:
    """The files a serial run would read (``exclude`` and ``.gitignore`` applied), and for each the
    LinterSpec and per-file ignores of the configuration nearest it, as a serial run applies them."""
    from chatlint.dask_files import PARQUET_SUFFIXES
    from chatlint.frames import LinterSpec
    from chatlint.transcripts import SUFFIXES

    files: list[str] = []
    per_path: dict[str, tuple] = {}
    specs: dict[int, LinterSpec] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            files.append(raw)  # reported by the run as a file it cannot read
            continue
        for file in project.files(path, also=SUFFIXES | PARQUET_SUFFIXES):
            if path.is_dir() and file.suffix.lower() not in SUFFIXES | PARQUET_SUFFIXES:
                continue  # a folder's other files (canned replies, notes) are no chat exports
            settings = project.settings_for(file)  # a bad nested configuration fails here
            spec = specs.get(id(settings.config))
            if spec is None:
                spec = specs[id(settings.config)] = LinterSpec.from_kwargs(project.linter_kwargs(settings.config))
            files.append(str(file))
            per_path[str(file)] = (spec, settings.skip)
    return files, per_path
