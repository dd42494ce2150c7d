"""The generated rule docs (``python -m chatlint.docgen``) are committed as generated."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatlint import docgen
from chatlint.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent


def test_committed_docs_are_the_generated_ones() -> None:
    for path, text in docgen.generated(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m chatlint.docgen"


def test_the_check_reports_a_stale_file(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text(f"# Rules\n\n{docgen.START}\nold\n{docgen.END}\n", encoding="utf-8")
    monkeypatch.setattr(docgen, "_checkout", lambda: tmp_path)
    assert docgen.main(["--check"]) == 1
    assert "docs/rules.md is out of date" in capsys.readouterr().err
    assert not (tmp_path / "docs" / "rules-list.md").exists()  # --check writes nothing
    assert docgen.main([]) == 0 and docgen.main(["--check"]) == 0
    text = (tmp_path / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text.startswith("# Rules\n\n" + docgen.START) and "old" not in text


def test_the_reference_has_every_kind_and_key_with_its_default() -> None:
    reference = docgen.kind_reference()
    for name, kind in KINDS.items():
        assert f"#### `{name}`" in reference
        for key in kind.keys:
            assert f"| `{key}` |" in reference
    assert "| `max_seconds` | int | `30` |" in reference  # dialogue-first-response
    assert "| `patterns` | required | — |" in reference
    assert "Fix by default: `unsafe`" in reference.split("#### `pattern`")[1].split("####")[0]


def test_the_rule_list_has_every_rule_and_marks_those_off_by_default(all_rules_linter) -> None:
    listing = docgen.rules_list(all_rules_linter.all_rules)
    off = [r for r in all_rules_linter.all_rules if not r.enabled]
    assert off  # the pack has rules that are off by default (dialogue/contacts, …)
    for rule in all_rules_linter.all_rules:
        state = "on" if rule.enabled else "off"
        assert f"| `{rule.id}` | `{rule.kind}` | {rule.severity} | {state} |" in listing


def test_markers_are_required() -> None:
    with pytest.raises(ValueError, match="marker"):
        docgen.with_kind_reference("# Rules without markers\n")
