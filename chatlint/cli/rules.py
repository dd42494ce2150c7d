"""``chatlint rules``, ``chatlint rule ID``, ``chatlint config`` and ``chatlint eval``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatlint.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    cli_options,
    config_options,
    configured,
    flag_linter,
    guarded,
    rule_options,
)


@click.command("config")
@click.argument("path", default=".", type=click.Path())
@rule_options
@config_options
def show_config(path, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """Print the configuration that applies to PATH and where each value comes from."""
    from chatlint.config_show import show

    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    raise SystemExit(guarded(lambda: show(Path(path), cli, sys.stdout)))


@click.command("eval")
@click.argument("corpus", nargs=-1, type=click.Path())
@click.option("--sample", "samples", multiple=True, type=click.Path(), help="Unlabelled JSONL replies: list every hit.")
@click.option("--field", "field_name", default="text", show_default=True, help="The JSONL field that holds the reply.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--min-precision", type=click.FloatRange(0, 1), help="Exit 1 if any rule's precision is lower.")
@click.option("--min-recall", type=click.FloatRange(0, 1), help="Exit 1 if any rule's recall is lower (or unknown).")
@click.option("--inventory", multiple=True, type=click.Path(), help="Also report a phrase inventory's coverage.")
@rule_options
def eval_command(
    corpus, samples, field_name, fmt, min_precision, min_recall, inventory, select, ignore, rules, no_builtin
) -> None:
    """Measure the rules on a labelled corpus (see docs/corpus.md), or list their hits on --sample JSONL."""
    import json

    from chatlint import evaluate as ev
    from chatlint.inventory import InventoryError

    if bool(corpus) == bool(samples) and not (inventory and not samples):
        raise UsageError("give corpus files or folders, or --sample FILE.jsonl (not both)")
    linter = flag_linter(rules, select, ignore, no_builtin)
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
    try:
        folders = list(dict.fromkeys([*map(Path, inventory), *ev.inventory_folders(corpus)]))
        extra, extra_text = ev.report_extras(linter, entries, folders)
    except InventoryError as exc:
        raise UsageError(str(exc)) from None
    failures = report.failures(min_precision, min_recall)
    if fmt == "json":
        click.echo(json.dumps(dict(report.to_dict(), **extra, failures=failures), ensure_ascii=False, indent=2))
    else:
        click.echo((ev.format_report(report, failures) if corpus else "") + extra_text, nl=False)
    raise SystemExit(EXIT_FINDINGS if failures else EXIT_OK)


@click.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Also list rules that are off.")
@rule_options
@config_options
def list_rules(show_all, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """List the rules as the configuration here sets them: id, severity, kind, on/off."""
    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    linter, kwargs = configured(cli)
    enabled = {r.id for r in linter.rules}
    for rule in linter.all_rules:
        if rule.id not in enabled and not show_all:
            continue
        state = "" if rule.id in enabled else "  (off)"
        severity = kwargs["severity"].get(rule.id, rule.severity)
        click.echo(f"{rule.id:32} {severity:8} {rule.kind:12}{state}")


@click.command("rule")
@click.argument("rule_id")
@rule_options
@config_options
def explain_rule(rule_id, select, ignore, rules, no_builtin, extend_select, config_file, isolated) -> None:
    """Explain one rule as the configuration here sets it: message, why, source, examples, suggestions."""
    from chatlint.linter import Linter, selector_matches

    cli = cli_options(select, ignore, rules, no_builtin, extend_select, config_file, isolated)
    linter, kwargs = configured(cli)
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
