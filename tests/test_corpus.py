"""The rule pack measured on corpus/: precision and recall of every default-on rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatlint.evaluate import evaluate, load_entries
from chatlint.linter import Linter

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MIN_PRECISION = 0.95
MIN_RECALL = 0.90
MIN_BAD, MIN_GOOD, MIN_CLEAN = 20, 20, 300

_LINTER = Linter()
_ENTRIES, _FILES = load_entries([CORPUS / "labelled", CORPUS / "clean"])
_REPORT = evaluate(_LINTER, _ENTRIES, _FILES)
_DEFAULT_ON = [r.id for r in _LINTER.rules if r.impl.scope == "reply"]  # dialogue rules: test_dialogue_examples


def _detail(rule_id: str) -> str:
    lines = [f"{o.kind} {o.entry.where}: {o.entry.text!r}" for o in _REPORT.outcomes if o.rule == rule_id]
    return "\n".join(lines)


@pytest.mark.parametrize("rule_id", _DEFAULT_ON)
def test_precision_and_recall(rule_id: str) -> None:
    score = _REPORT.scores[rule_id]
    assert score.labelled, f"{rule_id} has no labelled entries in corpus/labelled/"
    assert score.recall >= MIN_RECALL, f"{rule_id} recall {score.recall:.3f}\n{_detail(rule_id)}"
    if score.precision is not None:
        assert score.precision >= MIN_PRECISION, f"{rule_id} precision {score.precision:.3f}\n{_detail(rule_id)}"


@pytest.mark.parametrize("rule_id", _DEFAULT_ON)
def test_enough_bad_and_good_entries(rule_id: str) -> None:
    bad = [e for e in _ENTRIES if rule_id in e.rules]
    files = {e.path for e in bad}
    good = [e for e in _ENTRIES if e.path in files and rule_id not in e.rules]
    assert len(bad) >= MIN_BAD, f"{rule_id}: {len(bad)} labelled bad entries, want {MIN_BAD}"
    assert len(good) >= MIN_GOOD, f"{rule_id}: {len(good)} good entries next to its bad ones, want {MIN_GOOD}"


def test_clean_set_is_large_and_clean() -> None:
    clean = [e for e in _ENTRIES if e.clean]
    assert len(clean) >= MIN_CLEAN
    alarms = [o for o in _REPORT.outcomes if o.entry.clean]
    assert not alarms, "\n".join(f"{o.rule} {o.entry.where}: {o.entry.text!r}" for o in alarms)


def test_corpus_entries_are_unique() -> None:
    seen: dict[str, str] = {}
    for entry in _ENTRIES:
        assert entry.text not in seen, f"{entry.where} repeats {seen[entry.text]}"
        seen[entry.text] = entry.where
