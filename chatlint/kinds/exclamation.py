"""The ``exclamation`` rule kind: «!!!» and too many exclamation marks."""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.text import PUNCT


@register
class ExclamationRule(RuleKind):
    """Flags a run of more than ``max_run`` «!», or more than ``max_total`` in one reply."""

    name = "exclamation"
    keys = {"max_run": 1, "max_total": 3}
    fix_default = "safe"

    def find(self, doc: Doc) -> list[Match]:
        found: list[Match] = []
        if "!" not in doc.text:
            return found
        marks = 0
        crossing = None
        for token in doc.tokens:
            if token[0] != PUNCT or "!" not in token[3]:  # kind, text: plain indexing is faster
                continue
            count = token.text.count("!")
            marks += count
            if count > self.params["max_run"]:
                fixed = "?!" if "?" in token.text else "!"
                found.append(Match(token.start, token.end, (fixed,), fixed))
            elif marks > self.params["max_total"] and crossing is None:
                crossing = token
        if not found and crossing is not None:
            found.append(Match(crossing.start, crossing.end, (".",)))
        return found
