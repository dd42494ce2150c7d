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
@click.option(
    "--worst", default=1000, show_default=True, help="How many worst conversations to show with all their messages."
)
@click.option("--scorecard", is_flag=True, help="Also write operator scorecards (.scorecard.csv, .scorecard.xlsx).")
@click.option("--encoding", default=None, help="Encoding of the input files.")
@click.option("--title", default="chatlint: отчёт по чатам", help="Page title.")
@transcript_options
@rule_options
@config_options
def report(
    paths, output, worst, scorecard, encoding, title, input_format, tz, operators, maps, jobs, progress,
    select, ignore, rules, no_builtin, extend_select, config_file, isolated,
) -> None:  # fmt: skip
    """Write a self-contained HTML report for a QA lead: operators, QA scores, rules, speed, every chat."""
    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    opts = run_options(input_format, tz, operators, maps, jobs, progress, encoding, keep_events=True)
    raise SystemExit(guarded(lambda: write_report(paths, Path(output), worst, title, cli, opts, scorecard)))


def collect(paths, worst: int, cli, opts):
    """Check the inputs with each file's configuration: (ReportData, rules by id, the Run)."""
    from chatlint.kinds.dialogue import DialogueKind
    from chatlint.project import Project
    from chatlint.qa import qa_config
    from chatlint.report_data import ReportData
    from chatlint.run import Run

    project = Project(cli, opts.encoding)
    run = Run(project, paths, (), opts, sys.stderr)
    settings = project.settings_for(None)
    linter = settings.linter
    rules_by_id = {r.id: r for r in linter.all_rules}
    data = ReportData(
        zone=opts.read.tz,
        zone_name=str(opts.read.tz),
        dialogue_rules=frozenset(r.id for r in linter.all_rules if isinstance(r.impl, DialogueKind)),
        enabled=linter.enabled_ids,
        qa_config=qa_config(settings.config.qa),
        full=worst,
        qa_of=_qa_settings(run),
    )
    for result in run.results():
        data.add(result)
    return data, rules_by_id, run


def _qa_settings(run):
    """Enabled rules and QA configuration of each file's settings (by key), built once per key."""
    from chatlint.qa import qa_config

    cache: dict[int, tuple] = {}

    def qa_of(key: int) -> tuple:
        if key not in cache:
            settings = run.inputs.settings[key]
            cache[key] = (settings.linter.enabled_ids, qa_config(settings.config.qa))
        return cache[key]

    return qa_of


def write_report(paths, output: Path, worst: int, title: str, cli, opts, scorecard: bool = False) -> int:
    """Write the HTML report (and with ``scorecard`` the operator scorecards next to it)."""
    from chatlint.morph import agree_with_number
    from chatlint.report import numeral_forms, render_report

    data, rules_by_id, run = collect(paths, worst, cli, opts)
    forms = numeral_forms(agree_with_number)
    files = [(output, lambda: render_report(data, rules_by_id, forms, title).encode("utf-8"))]
    if scorecard:
        from chatlint.scorecard import scorecard_csv, scorecard_paths, scorecard_xlsx

        csv_path, xlsx_path = scorecard_paths(output)
        files += [(csv_path, lambda: scorecard_csv(data)), (xlsx_path, lambda: scorecard_xlsx(data))]
    for path, content in files:
        if not _write(path, content):
            return EXIT_USAGE
    summary = data.summary
    click.echo(f"chatlint: wrote {output}: {summary.findings} findings in {summary.conversations} conversations")
    return EXIT_USAGE if run.failed else EXIT_OK


def _write(path: Path, content) -> bool:
    """Write one output file, creating its folder as ruff does; False after a one-line error."""
    from chatlint.atomic import NotWritten, write_output

    try:
        data = content()
    except ImportError as exc:
        click.echo(f"chatlint: error: {path}: needs {exc.name} (pip install 'chatlint[xlsx]')", err=True)
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, data)
    except NotWritten as exc:  # its message names the path
        click.echo(f"chatlint: error: {exc}", err=True)
        return False
    except OSError as exc:
        click.echo(f"chatlint: error: cannot write {path}: {exc.strerror or exc}", err=True)
        return False
    return True
