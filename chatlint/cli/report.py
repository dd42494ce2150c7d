"""``chatlint report``: a self-contained HTML page for a QA lead, from the same pipeline as ``check``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatlint.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    cli_options,
    config_options,
    guarded,
    rule_options,
    run_options,
    transcript_options,
)


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="HTML file.")
@click.option("--worst", default=10, show_default=True, help="How many worst conversations to show.")
@click.option("--encoding", default=None, help="Encoding of the input files.")
@click.option("--title", default="chatlint: отчёт по чатам", help="Page title.")
@transcript_options
@rule_options
@config_options
def report(
    paths, output, worst, encoding, title, input_format, tz, operators, maps, jobs, progress,
    select, ignore, rules, no_builtin, extend_select, config_file, isolated,
) -> None:  # fmt: skip
    """Write a self-contained HTML report for a QA lead: operators, rules, speed, worst chats."""
    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    opts = run_options(input_format, tz, operators, maps, jobs, progress, encoding, keep_events=True)
    raise SystemExit(guarded(lambda: write_report(paths, Path(output), worst, title, cli, opts)))


def write_report(paths, output: Path, worst: int, title: str, cli, opts) -> int:
    """Check the inputs with each file's configuration and write the HTML report."""
    from chatlint.project import Project
    from chatlint.report import render_report
    from chatlint.run import Run
    from chatlint.summary import Summary

    project = Project(cli, opts.encoding)
    run = Run(project, paths, (), opts, sys.stderr)
    summary = Summary(keep_worst=worst, keep_frt=True)
    for result in run.results():
        summary.add(result)
    rules_by_id = {r.id: r for r in project.settings_for(None).linter.all_rules}
    from chatlint.atomic import NotWritten, write_output

    try:
        write_output(output, render_report(summary, rules_by_id, title).encode("utf-8"))
    except (NotWritten, OSError) as exc:
        click.echo(f"chatlint: error: {exc}", err=True)
        return EXIT_USAGE
    click.echo(f"chatlint: wrote {output}: {summary.findings} findings in {summary.conversations} conversations")
    return EXIT_USAGE if run.failed else EXIT_OK
