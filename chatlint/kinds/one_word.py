"""The ``one-word`` rule kind: a reply that is a single word."""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.text import PLACEHOLDER, normalise


@register
class OneWordRule(RuleKind):
    """Flags a reply of fewer than ``min_words`` words, unless it is in ``allow``."""

    name = "one-word"
    keys = {"min_words": 2, "allow": []}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.allow = frozenset(normalise(str(a)) for a in params["allow"] or [])

    def find(self, doc: Doc) -> list[Match]:
        words = doc.content  # the content tokens: words, numbers, codes
        if not words or len(words) >= self.params["min_words"]:
            return []
        if any(t.kind == PLACEHOLDER for t in doc.tokens):
            return []  # «{{greeting}}, {{name}}» expands to more than it shows
        if " ".join(t.norm for t in words) in self.allow:
            return []
        return [Match(words[0].start, words[-1].end)]
