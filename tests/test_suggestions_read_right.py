"""Every suggestion of every finding, put into the reply, must read right.

Over corpus/ and, when it is there, the shared real data (../shared/data next to the
checkout, as in CI): the first suggestion of each rule's findings is put in, and the result
must not fire the same rule again, nor show a pronoun before an infinitive, two pronouns in
a row, a sentence pasted into a clause or doubled punctuation at a seam.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chatlint.evaluate import load_entries
from chatlint.linter import Linter
from chatlint.suggestions import apply_first, seam_problems

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHATLINT_SHARED_DATA", ROOT.parent / "shared" / "data"))
SHARED_FIELDS = {
    "rutube_operator_answers.jsonl": "operator_answer",
    "canned_replies.jsonl": "text",
    "rutube_kb_answers.jsonl": "kb_answer",
}
_LINTER = Linter()


def _problems(text: str) -> list[str]:
    found = [d for d in _LINTER.check(text) if d.suggestions]
    problems = []
    for rule in sorted({d.rule for d in found}):
        mine = [d for d in found if d.rule == rule]
        result, spans = apply_first(text, mine)
        again = [
            d.text
            for d in _LINTER.check(result)
            if d.rule == rule and any(d.start < e and s < d.end for s, e, _ in spans)
        ]
        if again:
            problems.append(f"{rule} still fires on {result!r}: {again}")
        problems.extend(f"{rule}: {p} in {result!r}" for p in seam_problems(result, spans, _LINTER.morph))
    return problems


def test_suggestions_read_right_on_corpus() -> None:
    entries, _ = load_entries([ROOT / "corpus"])
    problems = [f"{e.where}: {p}" for e in entries for p in _problems(e.text)]
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def _shared_texts() -> list[tuple[str, str]]:
    texts = []
    for name, key in SHARED_FIELDS.items():
        path = SHARED / name
        if not path.exists():
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            value = json.loads(line).get(key)
            if isinstance(value, str) and value.strip():
                texts.append((f"{name}:{i}", value))
    return texts


def test_suggestions_read_right_on_shared_data() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (CI has it at ../shared next to the checkout): real-data part not run")
    texts = _shared_texts()
    assert texts, f"{SHARED} holds none of {sorted(SHARED_FIELDS)}"
    problems = [f"{where}: {p}" for where, text in texts for p in _problems(text)]
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def test_one_suggestion_is_not_put_in_twice_in_a_sentence() -> None:
    """Two findings of a rule in one sentence with the same first suggestion: only the first
    offers it («Уточню ещё раз, уточню ещё раз.» is a stutter); in two sentences both do."""
    one = [d for d in _LINTER.check("Я же вам уже объяснял, читайте внимательнее.") if d.rule == "tone/condescending"]
    assert [bool(d.suggestions) for d in one] == [True, False]
    assert (
        apply_first("Я же вам уже объяснял, читайте внимательнее.", one)[0] == "Уточню ещё раз, читайте внимательнее."
    )
    two = [d for d in _LINTER.check("Я же вам уже объяснял. Читайте внимательнее.") if d.rule == "tone/condescending"]
    assert [bool(d.suggestions) for d in two] == [True, True]


def test_a_whole_question_replaced_by_a_statement_ends_with_a_stop() -> None:
    """«Читать умеете?» is answered by «Уточню ещё раз.», not «Уточню ещё раз?»; a question
    that goes on after the flagged words keeps its mark."""
    for text, expected in [("Читать умеете?", "Уточню ещё раз."), ("Я не знаю?", "Я уточню.")]:
        found = [d for d in _LINTER.check(text) if d.suggestions]
        assert apply_first(text, found)[0] == expected
    text = "Не знаю, вам удобно завтра?"
    found = [d for d in _LINTER.check(text) if d.suggestions]
    assert apply_first(text, found)[0].endswith("вам удобно завтра?")
