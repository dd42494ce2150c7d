"""Every dialogue rule's YAML examples are conversations in the script notation: each bad one
fires the rule, each good one does not (with every rule on, off-by-default ones too)."""

from __future__ import annotations

import pytest

from chatlint.dialogue import ConversationChecker, parse_script
from chatlint.kinds.dialogue import DialogueKind
from chatlint.linter import Linter

_ALL = Linter(extend_select=[r.id for r in Linter().all_rules])
_CHECKER = ConversationChecker(_ALL)
_DIALOGUE = [r for r in _ALL.all_rules if isinstance(r.impl, DialogueKind)]
_CASES = [
    pytest.param(rule.id, kind, script, id=f"{rule.id}:{kind}:{i}")
    for rule in _DIALOGUE
    for kind, scripts in (("bad", rule.examples_bad), ("good", rule.examples_good))
    for i, script in enumerate(scripts)
]


def test_every_issue_rule_is_there() -> None:
    ids = {r.id for r in _DIALOGUE}
    for name in ("first-response", "response-time", "greeting", "ask-name", "please-thanks", "transfers",
                 "burst", "empathy", "repeated-reply", "closing", "contacts"):  # fmt: skip
        assert f"dialogue/{name}" in ids
    assert not _ALL.rule("dialogue/contacts").enabled


@pytest.mark.parametrize(("rule_id", "kind", "script"), _CASES)
def test_dialogue_example(rule_id: str, kind: str, script: str) -> None:
    conv = parse_script(script)
    fired = [(r, d) for r, d in _CHECKER.check(conv) if d.rule == rule_id]
    if kind == "bad":
        assert fired, f"{rule_id} did not fire on its bad example:\n{script}"
        for reply, d in fired:
            assert reply.text[d.start : d.end] == d.text
            assert reply.meta["conversation_id"] == "example" and reply.meta["message_id"]
    else:
        assert not fired, f"{rule_id} fired on its good example:\n{script}\n{[d.message for _, d in fired]}"
