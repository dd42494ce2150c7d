"""The ``emoji`` rule kind: a pile of emoji in one reply."""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.text import EMOJI


@register
class EmojiRule(RuleKind):
    """Flags a run of more than ``max_run`` emoji, or more than ``max_total`` in a reply."""

    name = "emoji"
    keys = {"max_run": 1, "max_total": 3}

    def find(self, doc: Doc) -> list[Match]:
        emoji = [t for t in doc.tokens if t[0] == EMOJI]  # t[0]: the kind, without the property
        found: list[Match] = []
        i = 0
        while i < len(emoji):
            j = i
            while j + 1 < len(emoji) and doc.text[emoji[j].end : emoji[j + 1].start].strip() == "":
                j += 1
            if j - i + 1 > self.params["max_run"]:
                found.append(Match(emoji[i].start, emoji[j].end, (doc.text[emoji[i].start : emoji[i].end],)))
            i = j + 1
        if not found and len(emoji) > self.params["max_total"]:
            extra = emoji[self.params["max_total"]]
            found.append(Match(extra.start, emoji[-1].end))
        return found
