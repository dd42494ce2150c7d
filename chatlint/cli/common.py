"""What every command shares: exit codes, usage errors, option sets, the configured Linter."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FAIL_ON = ("error", "warning", "info")
FIELDS = ("conversation_id", "message_id", "timestamp", "role", "author", "author_name", "author_id", "text",
          "event_type", "transfer_to", "internal")  # fmt: skip


class UsageError(click.ClickException):
    """A one-line error that exits with code 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"chatlint: error: {self.format_message()}", err=True)


def split(values: tuple[str, ...]) -> list[str]:
    """``("a,b", "c")`` → ``["a", "b", "c"]``."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--no-cache``: load the rules from their YAML (also in worker processes, through the environment)."""
    if value:
        import os

        os.environ["CHATLINT_NO_CACHE"] = "1"


def _options(*options) -> Callable:
    def add(func):
        for option in reversed(options):
            func = option(func)
        return func

    return add


rule_options = _options(
    click.option("--select", multiple=True, help="Only these rules or categories (comma-separated, repeatable)."),
    click.option("--ignore", multiple=True, help="Skip these rules or categories."),
    click.option("--rules", "rules", multiple=True, type=click.Path(), help="Extra rule file or folder."),
    click.option("--no-builtin", is_flag=True, help="Use only the rules given with --rules."),
    click.option(
        "--no-cache",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_no_cache,
        help="Do not read or write the cache of loaded rules (see docs/config.md).",
    ),
)

config_options = _options(
    click.option("--extend-select", multiple=True, help="Also these rules (e.g. ones that are off by default)."),
    click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file."),
    click.option("--isolated", is_flag=True, help="Ignore configuration files."),
)


class _InputFormat(click.Choice):
    """``--input-format``: the transcript formats are listed (and their readers imported,
    80 ms) only when a value other than ``auto``/``replies`` is given or help is shown."""

    TEXT_FORMATS = ("auto", "replies")

    def __init__(self) -> None:
        super().__init__(self.TEXT_FORMATS)

    @property
    def choices(self):  # noqa: D102
        from chatlint.inputs import INPUT_FORMATS

        return INPUT_FORMATS

    @choices.setter
    def choices(self, value) -> None:  # click.Choice.__init__ sets it; the property answers
        pass

    def convert(self, value, param, ctx):  # noqa: D102
        if value in self.TEXT_FORMATS:
            return value
        return super().convert(value, param, ctx)


TEXT_FORMATS = _InputFormat.TEXT_FORMATS

transcript_options = _options(
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
)


def cli_options(select=(), ignore=(), rules=(), no_builtin=False, extend_select=(), config_file=None, isolated=False):
    """The command line's say about the configuration (chatlint.project.CliOptions)."""
    from chatlint.project import CliOptions

    return CliOptions(
        split(select), split(ignore), split(extend_select), list(rules), no_builtin, config_file, isolated
    )


def read_options(tz, maps) -> tuple:
    """The time zone and the --map columns, checked: a UsageError (exit 2) on a bad value.
    Light: ``check --text`` calls it without reading any transcript."""
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


def run_options(input_format, tz, operators, maps, jobs, progress, encoding, keep_events=False):
    """chatlint.inputs.RunOptions from the command-line values (a UsageError on a bad value)."""
    from chatlint.cli.progress import show_progress
    from chatlint.inputs import RunOptions
    from chatlint.transcripts import ReadOptions
    from chatlint.transcripts.base import local_zone

    zone, columns = read_options(tz, maps)
    if zone is not None:
        zone_name = tz
    else:
        zone = local_zone()
        zone_name = f"this machine's zone ({zone})"
    read = ReadOptions(
        tz=zone,
        tz_name=zone_name,
        tz_given=bool(tz),
        operators=frozenset(operators),
        columns=columns,
        encoding=encoding,
    )
    return RunOptions(
        input_format=input_format,
        read=read,
        jobs=jobs,
        progress=show_progress(progress, sys.stderr),
        keep_events=keep_events,
        encoding=encoding,
    )


def guarded(action: Callable[[], int]) -> int:
    """Run ``action``, turning configuration and rule errors, an output that cannot be written
    (a full disk, a closed pipe) and internal errors into one-line messages (exit 2)."""
    import os

    from chatlint.config import ConfigFileError
    from chatlint.rules import RuleLoadError

    try:
        return action()
    except RuleLoadError as exc:
        for problem in exc.problems:
            click.echo(f"chatlint: rule error: {problem}", err=True)
        return EXIT_USAGE
    except ConfigFileError as exc:
        click.echo(f"chatlint: {exc.label}: {exc}", err=True)
        return EXIT_USAGE
    except OSError as exc:
        if os.environ.get("CHATLINT_DEBUG") or not _is_output_error(exc):
            raise
        _silence_stdout()
        _say(f"chatlint: error: cannot write the output: {exc.strerror or exc}")
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line and its own exit code, not a traceback
        if os.environ.get("CHATLINT_DEBUG"):
            raise
        name = type(exc).__name__
        _say(f"chatlint: internal error {name}: {exc} (please report it; CHATLINT_DEBUG=1 shows the traceback)")
        return EXIT_USAGE


def _is_output_error(exc: OSError) -> bool:
    import errno

    return isinstance(exc, BrokenPipeError) or exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (a test runner): nothing to flush
        pass


def _say(message: str) -> None:
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr is gone too: the exit code says it
        pass


def configured(cli) -> tuple:
    """The Linter of the configuration that applies in the current folder, and its arguments."""
    from pathlib import Path

    from chatlint.project import Project

    result: list = []

    def build() -> int:
        project = Project(cli)
        config = project.config_for(Path.cwd())
        result.extend((project.linter_for(config), project.linter_kwargs(config)))
        return EXIT_OK

    code = guarded(build)
    if code != EXIT_OK:
        raise SystemExit(code)
    return result[0], result[1]


def safe_streams() -> None:
    """Lone surrogates (from undecodable file names or arguments) are written escaped, never crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a detached or closed stream
                pass


def flag_linter(rules: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], no_builtin: bool):
    """A Linter from the command-line flags alone (``eval``: the corpus labels are for the pack)."""
    import gc

    from chatlint.linter import ConfigError, Linter
    from chatlint.rules import RuleLoadError

    # Loading the dictionary and the rules allocates hundreds of thousands of objects that
    # live as long as the process: no collection while loading, and what was loaded is frozen
    # out of the collector's sight (this process only).
    gc.disable()
    try:
        linter = Linter(rules=list(rules), select=split(select) or None, ignore=split(ignore), builtin=not no_builtin)
        gc.freeze()
        return linter
    except RuleLoadError as exc:
        for problem in exc.problems:
            click.echo(f"chatlint: rule error: {problem}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    finally:
        gc.enable()
