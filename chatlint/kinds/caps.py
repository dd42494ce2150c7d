"""The ``caps`` rule kind: WORDS WRITTEN IN CAPITALS, except allowed acronyms."""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import CAPS, reply_bits
from chatlint.text import NUMBER, PUNCT, WORD

_NUMBERING = "0123456789.)-–—•* \t"


@register
class CapsRule(RuleKind):
    """Flags a run of ``min_words`` upper-case words, or one long upper-case word.

    ``latin: false`` ignores words with no Cyrillic letter: in a Russian reply they are
    brands, keys and formats (RUTUBE, SHIFT, MKV), not shouting. ``headings: false`` ignores
    a run that is a whole line of a multi-line reply (after list numbering, before a colon):
    section titles of an instruction, often copied from a program's menus.
    """

    name = "caps"
    keys = {"min_words": 2, "min_letters": 6, "run_min_letters": 5, "allow": [], "latin": True, "headings": True}
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.allow = frozenset(str(a).upper() for a in params["allow"] or [])

    def _is_caps(self, text: str) -> bool:
        if text.islower() or text[1:].islower():
            return False  # a lower-case letter and no capital after the first: the common case
        letters = [c for c in text if c.isalpha()]
        if not self.params["latin"] and not any("а" <= c.lower() <= "я" or c in "ёЁ" for c in letters):
            return False
        return len(letters) >= 2 and all(c.isupper() for c in letters) and text.upper() not in self.allow

    def find(self, doc: Doc) -> list[Match]:
        if not reply_bits(doc.text)[0] & CAPS:
            return []  # no word can have two capitals and no small letter: most replies
        return self._find(doc)

    def _find(self, doc: Doc) -> list[Match]:
        found: list[Match] = []
        run: list = []
        tokens = doc.tokens
        for i, token in enumerate(tokens + [None]):
            if token is not None and token.kind == WORD and self._is_caps(token.text):
                run.append(i)
                continue
            if token is not None and token.kind != WORD and token.kind in (PUNCT, NUMBER) and run:
                if token.text in (",", "-", "—", "–"):
                    continue  # a comma or dash does not break a shouted phrase
            if run:
                found.extend(self._report(doc, run))
                run = []
        return found

    def _report(self, doc: Doc, run: list[int]) -> list[Match]:
        words = [doc.tokens[i] for i in run]
        letters = sum(len(w.text) for w in words)
        longest = max(len(w.text) for w in words)
        if len(words) >= self.params["min_words"] and letters >= self.params["run_min_letters"]:
            pass
        elif longest >= self.params["min_letters"]:
            pass
        else:
            return []
        start, end = words[0].start, words[-1].end
        if not self.params["headings"] and _is_heading(doc.text, start, end):
            return []
        span = doc.text[start:end]
        lowered = span.lower()
        first = doc.tokens[run[0]]
        if run[0] == 0 or doc.tokens[run[0] - 1].sentence != first.sentence:
            lowered = lowered[:1].upper() + lowered[1:]
        return [Match(start, end, (lowered,), lowered)]


def _is_heading(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` fills its line (bar numbering and a colon) in a reply of several lines."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    if line_start == 0 and line_end == len(text):
        return False  # a one-line reply in capitals is shouting, not a title
    before, after = text[line_start:start], text[end:line_end]
    return all(c in _NUMBERING for c in before) and after.strip(" \t\r:") == ""
