"""``chatlint check``: replies, canned-reply files and transcripts through the one pipeline,
with ``--fix``/``--diff`` as a pass over the canned-reply files before they are checked."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import IO

import click

from chatlint.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    FAIL_ON,
    TEXT_FORMATS,
    UsageError,
    cli_options,
    config_options,
    guarded,
    read_options,
    rule_options,
    run_options,
    safe_streams,
    transcript_options,
)
from chatlint.reply import Reply
from chatlint.sources import LineWriter

OUTPUT_FORMATS = ("text", "json", "jsonl", "sarif", "github")  # the keys of chatlint.writers.WRITERS
_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class CheckRequest:
    """Everything ``chatlint check`` was asked to do."""

    paths: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fmt: str = "text"
    encoding: str | None = None
    cli: object = None  # chatlint.project.CliOptions
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    stdin_filename: str | None = None
    statistics: bool = False
    fail_on: str = "error"

    @property
    def fixing(self) -> bool:
        return self.fix or self.unsafe_fixes or self.diff

    def fails(self, severity: str) -> bool:
        return _RANK.get(severity, 0) >= _RANK[self.fail_on]


def check_texts(req: CheckRequest, out: IO[str]) -> int:
    """Only ``--text`` replies: no file, no transcript reader, no pool (the start-up path)."""
    from chatlint.pipeline import check_unit
    from chatlint.project import Project
    from chatlint.writers import WRITERS

    settings = Project(req.cli, req.encoding).settings_for(None)
    writer = WRITERS[req.fmt](out, settings.linter.rules)
    failing = False
    writer.start()
    for i, text in enumerate(req.texts):
        name = "<text>" if len(req.texts) == 1 else f"<text{i + 1}>"
        for reply, d in check_unit(Reply(text, name), settings.linter):
            writer.write(reply, d)
            failing = failing or req.fails(d.severity)
    writer.end()
    return EXIT_FINDINGS if failing else EXIT_OK


def run_check(req: CheckRequest, opts, stdin: IO[bytes], out: IO[str], err: IO[str]) -> int:
    """Check files (and texts, stdin), write findings as they come, return the exit code."""
    from chatlint.project import Project
    from chatlint.run import Run

    err = LineWriter(err)  # every message on one line, whatever a file name or a header holds
    project = Project(req.cli, req.encoding)
    if req.stdin_filename is not None and "-" in req.paths:
        from chatlint.cli.fixing import check_stdin_file

        return check_stdin_file(req, project, stdin, out, err)
    opts.output_format = "" if req.statistics else req.fmt
    run = Run(project, req.paths, req.texts, opts, err, stdin)
    if req.fixing:
        from chatlint.cli.fixing import fix_files

        changed = fix_files(req, run, out, err)
        if req.diff:
            return EXIT_USAGE if run.failed else (EXIT_FINDINGS if changed else EXIT_OK)
    return _report(req, run, out, err)


def _report(req: CheckRequest, run, out: IO[str], err: IO[str]) -> int:
    from chatlint.summary import Summary
    from chatlint.writers import WRITERS

    writer = WRITERS[req.fmt](out, run.project.settings_for(None).linter.rules)
    summary = Summary(keep_worst=0, keep_frt=False)
    progress = None
    if run.opts.progress:
        from chatlint.cli.progress import Progress

        progress = Progress(err, run.total_lines())
    failing = False
    if not req.statistics:
        writer.start()
    for result in run.results(run.opts.output_format):
        summary.add(result)
        failing = failing or any(req.fails(mark[1]) for mark in result.tally())
        if not req.statistics:
            for item in result.items:
                writer.emit(item)
        if progress is not None:
            progress.update(run.inputs.done_lines + result.last_line, summary.conversations, summary.findings)
    if progress is not None:
        progress.update(0, summary.conversations, summary.findings, final=True)
    if req.statistics:
        _statistics(req.fmt, summary, out)
    else:
        writer.end()
    out.flush()
    if run.failed:
        return EXIT_USAGE
    return EXIT_FINDINGS if failing else EXIT_OK


def _statistics(fmt: str, summary, out: IO[str]) -> None:
    from chatlint.summary import write_statistics

    write_statistics(summary, fmt, out)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--text", "texts", multiple=True, help="Check this reply (repeatable).")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True)
@click.option("--encoding", default=None, help="Encoding of the input files (default: detect UTF-8/UTF-16).")
@click.option("--statistics", is_flag=True, help="Print counts by rule and by operator instead of findings.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or a higher one is reported.",
)
@transcript_options
@rule_options
@config_options
@click.option("--fix", is_flag=True, help="Apply safe fixes to template files in place.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (phrase rewrites); implies --fix.")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff instead of writing them.")
@click.option("--stdin-filename", default=None, help="The file name stdin stands for (its format and config).")
@click.option(
    "--dask",
    "dask_scheduler",
    default=None,
    metavar="SCHEDULER",
    help="Check transcripts on a Dask cluster: a scheduler address, or 'local' (-j processes); docs/scale.md.",
)
@click.option(
    "--output", default=None, type=click.Path(), help="With --dask: write the findings to this Parquet folder."
)
def check(
    paths, texts, fmt, encoding, statistics, fail_on, input_format, tz, operators, maps, jobs, progress,
    select, ignore, rules, no_builtin, extend_select, config_file, isolated, dask_scheduler, output, **fixing,
) -> None:  # fmt: skip
    """Check replies, template libraries and chat transcripts: files or folders ('-' for stdin), or --text.

    Transcripts (JSONL, CSV, Excel, JSON, Telegram, WhatsApp, Jivo, Bitrix24, Chatwoot, Usedesk,
    Talk-Me, Carrot quest, Zendesk, Intercom, Freshchat, LiveChat, Botpress, Rasa) are recognised
    by content; a file not recognised is an error naming the --input-format/--map to use; see
    docs/transcripts.md. Template libraries: docs/templates.md.
    """
    safe_streams()
    if not paths and not texts:
        raise UsageError("nothing to check: give a file, '-' for stdin, or --text")
    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    req = CheckRequest(list(paths), list(texts), fmt, encoding, cli, statistics=statistics, fail_on=fail_on, **fixing)
    if not paths and not statistics and jobs == 1 and input_format in TEXT_FORMATS:
        # only --text: no transcript can be involved, so the transcript readers stay unimported;
        # and no cyclic GC (15 ms of a 300 ms start): the work is a few replies, then the process ends
        import gc

        gc.disable()
        read_options(tz, maps)
        raise SystemExit(guarded(lambda: check_texts(req, sys.stdout)))
    opts = run_options(input_format, tz, operators, maps, jobs, progress, encoding)
    if dask_scheduler or output:
        from chatlint.cli.dask import check_on_dask  # chatlint[dask]

        raise SystemExit(guarded(lambda: check_on_dask(req, opts, dask_scheduler, output)))
    raise SystemExit(guarded(lambda: run_check(req, opts, sys.stdin.buffer, sys.stdout, sys.stderr)))
