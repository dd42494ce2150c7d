"""The phrase inventory's coverage and the development set's scores in ``chatlint eval``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.evaluate import dev_kind, evaluate_dev, load_entries
from chatlint.inventory import InventoryError, coverage, load_inventory
from chatlint.linter import Linter

ROOT = Path(__file__).resolve().parent.parent
RULES = ["taboo/dont-know", "style/one-word", "tone/hedging"]

SOURCES = """\
- {id: a, title: "Article A", kind: article}
- {id: b, title: "Survey B", kind: survey}
- {id: notes, title: "Our notes", kind: internal}
"""
PHRASES = """\
- {phrase: "я не знаю", family: ignorance, sources: [a, b], rule: taboo/dont-know, example: "Я не знаю, когда привезут."}
- {phrase: "без понятия", family: ignorance, sources: [a, b], rule: taboo/dont-know, example: "Уточню и вернусь."}
- {phrase: "это не ко мне", family: brush-off, sources: [a, notes], rule: tone/not-written, example: "Это не ко мне."}
- {phrase: "вроде бы", family: hedging, sources: [b], rule: tone/hedging}
- {phrase: "долгое молчание", family: conversation, sources: [a, b], not_covered: "needs timestamps"}
"""


def _inventory(tmp_path: Path, phrases: str = PHRASES) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir(parents=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "phrases.yaml").write_text(phrases, encoding="utf-8")
    return folder


def test_coverage_counts_per_family(tmp_path: Path) -> None:
    phrases, sources = load_inventory([_inventory(tmp_path)])
    result = coverage(Linter(select=["taboo/dont-know", "style/one-word"]), phrases, sources)
    ignorance = result.families["ignorance"]
    assert (ignorance.phrases, ignorance.caught) == (2, 1)
    assert result.families["conversation"].not_covered == 1
    assert result.families["hedging"].off == 1  # the rule exists but is not selected
    assert [p.phrase for p in result.missed] == ["без понятия", "это не ко мне"]
    assert result.no_rule == {"tone/not-written"}
    # «это не ко мне» has one public source (the other is internal): not a must-cover phrase
    assert [p.phrase for p in result.must_cover()] == ["без понятия"]


def test_selected_rule_counts_the_phrase(tmp_path: Path) -> None:
    phrases, sources = load_inventory([_inventory(tmp_path)])
    result = coverage(Linter(select=RULES), phrases, sources)
    assert result.families["hedging"].caught == 1  # «вроде бы» itself is the checked text


@pytest.mark.parametrize(
    ("phrases", "message"),
    [
        ('- {phrase: "x", family: f, sources: [a]}\n', "give exactly one of 'rule' and 'not_covered'"),
        ('- {phrase: "x", family: f, sources: [zz], not_covered: "y"}\n', "unknown source 'zz'"),
        ('- {phrase: "x", family: f, sources: [a], rule: "Bad Id"}\n', "is not a rule id"),
        ('- {phrase: "x", family: f, sources: [], not_covered: "y"}\n', "'sources' must be a non-empty list"),
        ('- {phrase: "x", family: f, sources: [a], not_covered: "y", colour: red}\n', "unknown key 'colour'"),
        ('- {family: f, sources: [a], not_covered: "y"}\n', "'phrase' must be a non-empty string"),
    ],
)
def test_bad_inventory_names_file_and_line(tmp_path: Path, phrases: str, message: str) -> None:
    folder = _inventory(tmp_path, phrases)
    with pytest.raises(InventoryError, match=message) as info:
        load_inventory([folder])
    assert f"{folder / 'phrases.yaml'}:1:" in str(info.value)


def test_cli_inventory_alone_and_json(tmp_path: Path) -> None:
    folder = str(_inventory(tmp_path))
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "--inventory", folder, "--select", "taboo/dont-know"])
    assert result.exit_code == 0, result.output
    assert "Inventory coverage" in result.output
    assert "phrases.yaml:2: taboo/dont-know: «без понятия» — 'Уточню и вернусь.'" in result.output
    assert "do not exist yet: tone/not-written" in result.output
    result = runner.invoke(main, ["eval", "--inventory", folder, "--select", "taboo/dont-know", "--format", "json"])
    data = json.loads(result.output)["inventory"]
    assert data["must_cover"] == ["без понятия"]
    bad = _inventory(tmp_path / "x", '- {phrase: "x"}\n')
    assert runner.invoke(main, ["eval", "--inventory", str(bad)]).exit_code == 2


DEV_BAD = """\
- text: "Я не знаю."
  rules: [taboo/dont-know]
- text: "Мы не знаем, когда привезут заказ."
  rules: [taboo/dont-know]
- text: "Ага, конечно."
  rules: [tone/no-such-rule]
- text: "Вроде бы приедет."
  rules: [tone/hedging]
"""
DEV_NEAR = """\
- text: "Спасибо, всё получили."
  rules: []
- text: "Да."
  rules: [style/one-word]      # fires for another reason, labelled: still silent
- text: "Я правда не знаю."
  rules: []                    # dont-know fires: not silent
"""


def test_dev_set_recall_and_silence(tmp_path: Path) -> None:
    for kind, text in (("bad", DEV_BAD), ("near", DEV_NEAR)):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "ignorance.yaml").write_text(text, encoding="utf-8")
    entries, _ = load_entries([tmp_path])
    report = evaluate_dev(Linter(select=["taboo/dont-know", "style/one-word"]), entries)
    family = report.families["ignorance"]
    # «Ага, конечно.» names a rule that does not exist: a miss; «Вроде бы» names one that is off
    assert (family.violations, family.caught, report.unscored) == (3, 2, 1)
    assert report.labels["tone/no-such-rule"] == [1, 0] and report.not_loaded == {"tone/no-such-rule"}
    assert (family.near_misses, family.silent) == (3, 2)


def test_no_dev_folders_no_section(tmp_path: Path) -> None:
    (tmp_path / "labelled").mkdir()
    (tmp_path / "labelled" / "a.yaml").write_text('- text: "Нет."\n  rules: [taboo/bare-no]\n', encoding="utf-8")
    entries, _ = load_entries([tmp_path])
    assert evaluate_dev(Linter(), entries) is None


def test_shipped_inventory_loads_and_names_its_sources() -> None:
    phrases, sources = load_inventory([ROOT / "corpus" / "inventory"])
    public = {s.id for s in sources.values() if s.kind != "internal"}
    assert len(public) >= 12
    assert len({p.phrase for p in phrases}) == len(phrases), "a phrase is listed twice"
    used = {s for p in phrases for s in p.sources}
    assert public <= used, f"sources no phrase cites: {sorted(public - used)}"


def test_shipped_dev_set_is_consistent_with_the_inventory() -> None:
    entries, _ = load_entries([ROOT / "corpus" / "dev"])
    bad = [e for e in entries if dev_kind(e.path) == "violation"]
    near = [e for e in entries if dev_kind(e.path) == "near-miss"]
    assert len(bad) >= 200 and len(near) >= 200 and len(entries) >= 400
    assert len({e.text for e in entries}) == len(entries), "a dev reply is listed twice"
    assert all(e.rules for e in bad), "a violation must name the rule it should get"
    families_bad = {Path(e.path).stem for e in bad}
    families_near = {Path(e.path).stem for e in near}
    assert families_bad == families_near, f"families with one side only: {families_bad ^ families_near}"
    phrases, _ = load_inventory([ROOT / "corpus" / "inventory"])
    planned = {p.rule for p in phrases if p.rule}
    known = {r.id for r in Linter().all_rules}
    labels = {r for e in entries for r in e.rules}
    assert labels - known <= planned, (
        f"dev labels no rule or inventory phrase names: {sorted(labels - known - planned)}"
    )


def test_eval_of_a_corpus_folder_reads_its_inventory_folder_as_an_inventory(tmp_path: Path) -> None:
    _inventory(tmp_path)  # tmp_path/inventory/
    (tmp_path / "labelled").mkdir()
    (tmp_path / "labelled" / "a.yaml").write_text(
        '- text: "Я не знаю."\n  rules: [taboo/dont-know]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["eval", str(tmp_path), "--select", "taboo/dont-know"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 entries in 1 files")  # the inventory's YAML is not read as replies
    assert "Inventory coverage" in result.output and "«без понятия»" in result.output
