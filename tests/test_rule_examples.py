"""Every rule's YAML examples are tests: each bad example fires the rule, each good one does not."""

from __future__ import annotations

import pytest

from chatlint.linter import Linter
from chatlint.suggestions import apply_first

_ALL = Linter(extend_select=[r.id for r in Linter().all_rules])
_CASES = [
    pytest.param(rule.id, kind, text, id=f"{rule.id}:{kind}:{i}")
    for rule in _ALL.all_rules
    if rule.impl.scope == "reply"  # dialogue rules' examples are chats: tests/test_dialogue_examples.py
    for kind, texts in (("bad", rule.examples_bad), ("good", rule.examples_good))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("rule_id", "kind", "text"), _CASES)
def test_example(rule_id: str, kind: str, text: str) -> None:
    fired = [d for d in _ALL.check(text) if d.rule == rule_id]
    if kind == "bad":
        assert fired, f"{rule_id} did not fire on its bad example {text!r}"
        for d in fired:
            assert text[d.start : d.end] == d.text
    else:
        assert not fired, f"{rule_id} fired on its good example {text!r}: {[d.text for d in fired]}"


# Rules of scope "file" (kind meta, e.g. chatlint/unused-ignore) judge chatlint's own markup in
# files, not reply text; tests/test_suppressions.py covers them.
@pytest.mark.parametrize("rule", [r for r in _ALL.all_rules if r.impl.scope != "file"], ids=lambda r: r.id)
def test_rule_has_enough_examples(rule) -> None:
    assert len(rule.examples_bad) >= 6, f"{rule.id}: at least 6 bad examples"
    assert len(rule.examples_good) >= 6, f"{rule.id}: at least 6 good examples"
    assert rule.source, f"{rule.id}: cites no source"


_FIXED = [
    pytest.param(rule.id, text, fixed, id=f"{rule.id}:fixed:{i}")
    for rule in _ALL.all_rules
    if rule.impl.scope == "reply"
    for i, (text, fixed) in enumerate(rule.examples_fixed.items())
]


@pytest.mark.parametrize(("rule_id", "text", "fixed"), _FIXED)
def test_fixed_example(rule_id: str, text: str, fixed: str) -> None:
    """A bad example with ``fixed:`` reads exactly so once the rule's first suggestions are in."""
    fired = [d for d in _ALL.check(text) if d.rule == rule_id]
    assert fired and all(d.suggestions for d in fired), f"{rule_id} gave no suggestion on {text!r}"
    result, _ = apply_first(text, fired)
    assert result == fixed


def _suggests(rule) -> bool:
    return any(d.suggestions for text in rule.examples_bad for d in _ALL.check(text) if d.rule == rule.id)


@pytest.mark.parametrize("rule", [r for r in _ALL.all_rules if r.impl.scope == "reply"], ids=lambda r: r.id)
def test_suggesting_rule_states_two_fixes(rule) -> None:
    if not _suggests(rule):
        pytest.skip(f"{rule.id} suggests nothing on its examples")
    assert len(rule.examples_fixed) >= 2, f"{rule.id} suggests replacements: state at least two `fixed:` examples"
