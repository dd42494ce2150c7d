"""The command line: ``chatlint check``, ``chatlint eval``, ``chatlint rules``, ``chatlint rule ID``,
``chatlint report``.

Exit codes: 0 no error-severity finding; 1 at least one; 2 usage, configuration or
rule errors, or an input that could not be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatlint.server.commands import add_commands as add_server_commands
from chatlint.transcript_cli import (
    OUTPUT_FORMATS,
    TEXT_FORMATS,
    check_read_options,
    report_command,
    run_options,
    transcript_options,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(click.ClickException):
    """A one-line error that exits with code 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"chatlint: error: {self.format_message()}", err=True)


def _linter(rules: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], no_builtin: bool):
    import gc

    from chatlint.linter import ConfigError, Linter
    from chatlint.rules import RuleLoadError

    # Loading the dictionary and the rules allocates hundreds of thousands of objects that
    # live as long as the process: collecting cycles among them is wasted time, at start and
    # later (every full collection would walk them again). So no collection while loading,
    # and what was loaded is frozen out of the collector's sight (this process only).
    gc.disable()
    try:
        linter = Linter(
            rules=list(rules),
            select=_split(select) or None,
            ignore=_split(ignore),
            builtin=not no_builtin,
        )
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


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--no-cache``: load the rules from their YAML (also in worker processes, through the environment)."""
    if value:
        import os

        os.environ["CHATLINT_NO_CACHE"] = "1"


_rule_options = [
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
]


def rule_options(func):
    for option in reversed(_rule_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatlint", prog_name="chatlint")
def main() -> None:
    """chatlint: a linter for Russian chat-operator replies."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--text", "texts", multiple=True, help="Check this reply (repeatable).")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True)
@click.option("--encoding", default=None, help="Encoding of the input files (default: detect UTF-8/UTF-16).")
@click.option("--statistics", is_flag=True, help="Print counts by rule and by operator instead of findings.")
@transcript_options
@rule_options
@click.option("--extend-select", multiple=True, help="Also these rules (e.g. ones that are off by default).")
@click.option("--fix", is_flag=True, help="Apply safe fixes to template files in place.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (phrase rewrites); implies --fix.")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff instead of writing them.")
@click.option("--stdin-filename", default=None, help="The file name stdin stands for (its format and config).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
def check(
    paths, texts, fmt, encoding, statistics, input_format, tz, operators, maps, jobs, progress,
    select, ignore, rules, no_builtin, extend_select, config_file, isolated, **fixing,
) -> None:  # fmt: skip
    """Check replies, template libraries and chat transcripts: files or folders ('-' for stdin), or --text.

    Transcripts (JSONL, CSV, JSON, Telegram, WhatsApp, Jivo, Bitrix24, Chatwoot, Usedesk) are
    recognised by content; see docs/transcripts.md. Template libraries: docs/templates.md.
    """
    from chatlint.run import CheckRequest, configured_linter, run_check, uses_transcripts

    _safe_streams()
    if not paths and not texts:
        raise UsageError("nothing to check: give a file, '-' for stdin, or --text")
    cli = _cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    if not paths and not statistics and jobs == 1 and input_format in TEXT_FORMATS:
        # only --text: no transcript can be involved, so the transcript readers stay unimported;
        # and no cyclic GC (15 ms of a 300 ms start): the work is a few replies, then the process ends
        import gc

        gc.disable()
        check_read_options(tz, maps)
    else:
        opts = run_options(input_format, tz, operators, maps, jobs, progress, encoding)
        if uses_transcripts(paths, statistics, opts, fixing):
            from chatlint.transcript_cli import run_check as run_transcripts

            def transcripts() -> int:
                linter, kwargs = configured_linter(cli)
                return run_transcripts(paths, texts, fmt, statistics, linter, kwargs, opts, cli)

            raise SystemExit(_guarded(transcripts))
    request = CheckRequest(list(paths), list(texts), fmt, encoding, cli, **fixing)
    raise SystemExit(_guarded(lambda: run_check(request, sys.stdin.buffer, sys.stdout, sys.stderr)))


def _cli_options(select, ignore, rules, no_builtin, extend_select=(), config_file=None, isolated=False):
    from chatlint.project import CliOptions

    return CliOptions(
        _split(select), _split(ignore), _split(extend_select), list(rules), no_builtin, config_file, isolated
    )


def _guarded(action):
    """Run ``action``, turning configuration and rule errors into one-line messages (exit 2)."""
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


@main.command("config")
@click.argument("path", default=".", type=click.Path())
@rule_options
@click.option("--extend-select", multiple=True, help="Also these rules.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
def show_config(path, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """Print the configuration that applies to PATH and where each value comes from."""
    from chatlint.config_show import show

    cli = _cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    raise SystemExit(_guarded(lambda: show(Path(path), cli, sys.stdout)))


def _internal(exc: Exception) -> str:
    """One line for an unexpected exception; CHATLINT_DEBUG=1 re-raises it for the traceback."""
    import os

    if os.environ.get("CHATLINT_DEBUG"):
        raise exc
    return f"internal error {type(exc).__name__}: {exc} (please report it; CHATLINT_DEBUG=1 shows the traceback)"


def _safe_streams() -> None:
    """Lone surrogates (from undecodable file names or arguments) are written escaped, never crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a detached or closed stream
                pass


@main.command("eval")
@click.argument("corpus", nargs=-1, type=click.Path())
@click.option("--sample", "samples", multiple=True, type=click.Path(), help="Unlabelled JSONL replies: list every hit.")
@click.option("--field", "field_name", default="text", show_default=True, help="The JSONL field that holds the reply.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--min-precision", type=click.FloatRange(0, 1), help="Exit 1 if any rule's precision is lower.")
@click.option("--min-recall", type=click.FloatRange(0, 1), help="Exit 1 if any rule's recall is lower (or unknown).")
@rule_options
def eval_command(
    corpus, samples, field_name, fmt, min_precision, min_recall, select, ignore, rules, no_builtin
) -> None:
    """Measure the rules on a labelled corpus (see docs/corpus.md), or list their hits on --sample JSONL."""
    import json

    from chatlint import evaluate as ev

    if bool(corpus) == bool(samples):
        raise UsageError("give corpus files or folders, or --sample FILE.jsonl (not both)")
    linter = _linter(rules, select, ignore, no_builtin)
    try:
        if samples:
            total, hits = 0, []
            for sample in samples:
                count, found = ev.sample_hits(linter, Path(sample), field_name)
                total, hits = total + count, hits + found
            if fmt == "json":
                items = [dict(h.diagnostic.to_dict(), path=h.path, line=h.line, reply=h.reply) for h in hits]
                click.echo(json.dumps(items, ensure_ascii=False, indent=2))
            else:
                click.echo(ev.format_sample(total, hits, [r.id for r in linter.rules]), nl=False)
            raise SystemExit(EXIT_OK)
        entries, files = ev.load_entries(corpus)
    except ev.CorpusError as exc:
        raise UsageError(str(exc)) from None
    report = ev.evaluate(linter, entries, files)
    failures = report.failures(min_precision, min_recall)
    if fmt == "json":
        click.echo(json.dumps(dict(report.to_dict(), failures=failures), ensure_ascii=False, indent=2))
    else:
        click.echo(ev.format_report(report, failures), nl=False)
    raise SystemExit(EXIT_FINDINGS if failures else EXIT_OK)


_config_options = [
    click.option("--extend-select", multiple=True, help="Also these rules (e.g. ones that are off by default)."),
    click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this configuration file."),
    click.option("--isolated", is_flag=True, help="Ignore configuration files."),
]


def config_options(func):
    for option in reversed(_config_options):
        func = option(func)
    return func


def _configured(cli) -> tuple:
    """The Linter of the configuration that applies in the current folder, and its arguments."""
    from chatlint.run import configured_linter

    result: list = []

    def build() -> int:
        result.extend(configured_linter(cli))
        return EXIT_OK

    code = _guarded(build)
    if code != EXIT_OK:
        raise SystemExit(code)
    return result[0], result[1]


@main.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Also list rules that are off.")
@rule_options
@config_options
def list_rules(show_all, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """List the rules as the configuration here sets them: id, severity, kind, on/off."""
    cli = _cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    linter, kwargs = _configured(cli)
    enabled = {r.id for r in linter.rules}
    for rule in linter.all_rules:
        if rule.id not in enabled and not show_all:
            continue
        state = "" if rule.id in enabled else "  (off)"
        severity = kwargs["severity"].get(rule.id, rule.severity)
        click.echo(f"{rule.id:32} {severity:8} {rule.kind:12}{state}")


@main.command("rule")
@click.argument("rule_id")
@rule_options
@config_options
def explain_rule(rule_id, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """Explain one rule as the configuration here sets it: message, why, source, examples, suggestions."""
    from chatlint.linter import Linter, selector_matches

    cli = _cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    linter, kwargs = _configured(cli)
    if not any(r.id == rule_id for r in linter.all_rules):
        close = [r.id for r in linter.all_rules if selector_matches(rule_id, r.id)]
        hint = f" (in that category: {', '.join(close)})" if close else "; see 'chatlint rules --all'"
        raise UsageError(f"no rule {rule_id!r}{hint}")
    rule = linter.rule(rule_id)
    if any(r.id == rule_id for r in linter.rules):
        state = "on"
    elif not rule.enabled:
        state = "off by default"
    else:
        state = "off in this configuration"
    severity = kwargs["severity"].get(rule.id, rule.severity)
    click.echo(f"{rule.id} ({severity}, {rule.kind}, {state})\n")
    click.echo(f"Message: {rule.message}")
    if rule.why:
        click.echo(f"Why:     {rule.why}")
    click.echo(f"Source:  {rule.source}")
    click.echo(f"Defined: {rule.path}:{rule.line}")
    if rule.suggest:
        click.echo("Suggest: " + " | ".join(rule.suggest))
    # the examples are shown with this rule alone on, whatever the configuration selects
    only = Linter(**{**kwargs, "select": [rule_id], "ignore": [], "extend_select": []})
    for title, items in (("Bad", rule.examples_bad), ("Good", rule.examples_good)):
        if items:
            click.echo(f"\n{title}:")
            for text in items:
                click.echo(f"  {text}")
                if title == "Bad":
                    for d in only.check(text):
                        if d.rule == rule.id and d.suggestions:
                            click.echo(f"    → {' | '.join(d.suggestions)}")


report_command(main, _linter, rule_options)
add_server_commands(main)

if __name__ == "__main__":  # pragma: no cover
    main()
