"""Command-line glue for transcripts: the reading options of ``check``/``report``, the check run
(streamed output, ``--statistics``, exit codes) and the ``report`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chatlint.writers import WRITERS

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.runner import RunOptions

OUTPUT_FORMATS = tuple(WRITERS)
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
TEXT_FORMATS = ("auto", "replies")  # the --input-format values that need no transcript reader


class _InputFormat(click.Choice):
    """``--input-format``: the transcript formats are listed (and their readers imported,
    80 ms) only when a value other than ``auto``/``replies`` is given or help is shown."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMATS)

    @property
    def choices(self):  # noqa: D102
        from chatlint.runner import INPUT_FORMATS

        return INPUT_FORMATS

    @choices.setter
    def choices(self, value) -> None:  # click.Choice.__init__ sets it; the property answers
        pass

    def convert(self, value, param, ctx):  # noqa: D102
        if value in TEXT_FORMATS:
            return value
        return super().convert(value, param, ctx)


_options = [
    click.option(
        "--input-format",
        type=_InputFormat(),
        default="auto",
        show_default=True,
        help="Transcript format; 'auto' judges each file by its content, 'replies' reads files as replies.",
    ),
    click.option("--tz", default=None, help="Time zone for timestamps without one (default: this machine's)."),
    click.option(
        "--operator", "operators", multiple=True, help="Who the operators are (Telegram, WhatsApp): name or id."
    ),
    click.option("--map", "maps", multiple=True, help="Column/field mapping FIELD=NAME, e.g. --map text=Сообщение."),
    click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes."),
    click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, not in CI)."),
]
FIELDS = ("conversation_id", "message_id", "timestamp", "role", "author", "author_name", "author_id", "text",
          "event_type", "transfer_to", "internal")  # fmt: skip


def transcript_options(func):
    """Add the transcript reading options to a click command."""
    for option in reversed(_options):
        func = option(func)
    return func


def check_read_options(tz, maps) -> tuple:
    """The time zone and the --map columns, checked: a UsageError (exit 2) on a bad value.
    Light: ``check --text`` calls it without reading any transcript."""
    from chatlint.cli import UsageError

    zone = None
    if tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone {tz!r} (e.g. Europe/Moscow)") from None
    columns = {}
    for item in maps:
        name, sep, column = item.partition("=")
        if not sep or name.strip() not in FIELDS or not column.strip():
            raise UsageError(f"--map takes FIELD=NAME with FIELD one of {', '.join(FIELDS)}; got {item!r}")
        columns[name.strip()] = column.strip()
    return zone, columns


def run_options(input_format, tz, operators, maps, jobs, progress, encoding, keep_events=False) -> RunOptions:
    """RunOptions from the command-line values; click.UsageError-like exits on bad values."""
    from chatlint.runner import RunOptions, show_progress
    from chatlint.transcripts import ReadOptions
    from chatlint.transcripts.base import local_zone

    zone, columns = check_read_options(tz, maps)
    if zone is not None:
        zone_name = tz
    else:
        zone = local_zone()
        zone_name = f"this machine's zone ({zone})"
    read = ReadOptions(tz=zone, tz_name=zone_name, operators=frozenset(operators), columns=columns, encoding=encoding)
    return RunOptions(
        input_format=input_format,
        read=read,
        jobs=jobs,
        progress=show_progress(progress, sys.stderr),
        keep_events=keep_events,
        encoding=encoding,
    )


def linter_kwargs(rules, select, ignore, no_builtin) -> dict:
    """The Linter arguments, so that worker processes build the same linter."""
    from chatlint.cli import _split

    return {
        "rules": list(rules),
        "select": _split(select) or None,
        "ignore": _split(ignore),
        "builtin": not no_builtin,
    }


def run_check(paths, texts, fmt: str, statistics: bool, linter, kwargs: dict, opts: RunOptions, cli=None) -> int:
    """Check, write findings as they come (or only statistics), return the exit code. ``cli``
    (chatlint.project.CliOptions): each file's ``exclude`` and ``per-file-ignores`` apply."""
    from chatlint.project import Project
    from chatlint.runner import run

    project = Project(cli) if cli is not None else None
    out = sys.stdout
    writer = WRITERS[fmt](out, linter.rules)
    errors = 0

    def on_result(unit) -> None:
        nonlocal errors
        errors += sum(mark[1] == "error" for mark in unit.tally())
        if not statistics:
            for item in unit.items:
                writer.emit(item)

    opts.output_format = "" if statistics else fmt
    if not statistics:
        writer.start()
    summary, failed = run(paths, texts, kwargs, opts, on_result, sys.stderr, linter=linter, project=project)
    if statistics:
        if fmt in ("json", "jsonl"):
            import json

            out.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
        else:
            summary.write_text(out)
    else:
        writer.end()
    out.flush()
    if failed:
        return EXIT_USAGE
    return EXIT_FINDINGS if errors else EXIT_OK


def report_command(main_group, make_linter, rule_options) -> None:
    """Register ``chatlint report`` on the CLI group."""

    @main_group.command("report")
    @click.argument("paths", nargs=-1, required=True, type=click.Path())
    @click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="HTML file.")
    @click.option("--worst", default=10, show_default=True, help="How many worst conversations to show.")
    @click.option("--encoding", default=None, help="Encoding of the input files.")
    @click.option("--title", default="chatlint: отчёт по чатам", help="Page title.")
    @transcript_options
    @rule_options
    def report(
        paths, output, worst, encoding, title, input_format, tz, operators, maps, jobs, progress,
        select, ignore, rules, no_builtin,
    ) -> None:  # fmt: skip
        """Write a self-contained HTML report for a QA lead: operators, rules, speed, worst chats."""
        from chatlint.report import render_report
        from chatlint.runner import run

        linter = make_linter(rules, select, ignore, no_builtin)
        opts = run_options(input_format, tz, operators, maps, jobs, progress, encoding, keep_events=True)
        kwargs = linter_kwargs(rules, select, ignore, no_builtin)
        summary, failed = run(paths, (), kwargs, opts, None, sys.stderr, linter=linter, keep_worst=worst)
        rules_by_id = {r.id: r for r in linter.all_rules}
        from chatlint.atomic import NotWritten, write_output

        try:
            write_output(Path(output), render_report(summary, rules_by_id, title).encode("utf-8"))
        except (NotWritten, OSError) as exc:
            click.echo(f"chatlint: error: {exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        click.echo(f"chatlint: wrote {output}: {summary.findings} findings in {summary.conversations} conversations")
        raise SystemExit(EXIT_USAGE if failed else EXIT_OK)
