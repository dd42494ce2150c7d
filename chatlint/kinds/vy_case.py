"""The ``vy-case`` rule kind: «Вы» and «вы» written consistently in one reply.

Only forms in the middle of a sentence tell the writer's choice: at the start of a
sentence (or after «:», «;», «(», a quote or a dash) «Вы» is capitalised anyway.
"""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.pattern import PatternError
from chatlint.text import EMOJI, PLACEHOLDER, WORD

FORMS = frozenset(
    {
        "вы", "вас", "вам", "вами",
        "ваш", "ваша", "ваше", "ваши", "вашего", "вашей", "вашему", "вашим", "вашими",
        "вашу", "вашем", "ваших", "вашею",
    }
)  # fmt: skip
_OPENERS = frozenset({":", ";", "(", "«", '"', "“", "„", "—", "–", "-", "•", "*"})


@register
class VyCaseRule(RuleKind):
    """``require``: "" (be consistent within the reply), "Вы" or "вы" (always this one)."""

    name = "vy-case"
    keys = {"require": ""}
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        if params["require"] not in ("", "Вы", "вы"):
            raise PatternError('\'require\' must be "Вы", "вы" or empty (consistent within a reply)')
        self.require = params["require"]

    def find(self, doc: Doc) -> list[Match]:
        forms = []  # (token, capitalised)
        tokens = doc.tokens
        for i, token in enumerate(tokens):
            if token.kind != WORD or token.norm not in FORMS or token.text.isupper() and len(token.text) > 1:
                continue
            if _sentence_initial(tokens, i):
                continue
            forms.append((token, token.text[0].isupper()))
        if not forms:
            return []
        if self.require:
            wanted_upper = self.require == "Вы"
        else:
            capital = sum(1 for _, up in forms if up)
            lower = len(forms) - capital
            if not capital or not lower:
                return []
            # The majority sets the style; on a tie, the first form does.
            wanted_upper = capital > lower if capital != lower else forms[0][1]
        found = []
        for token, upper in forms:
            if upper == wanted_upper:
                continue
            fixed = token.text[0].upper() + token.text[1:] if wanted_upper else token.text[0].lower() + token.text[1:]
            found.append(Match(token.start, token.end, (fixed,), fixed))
        return found


def _sentence_initial(tokens: list, i: int) -> bool:
    """The word opens a sentence, a line, or a part after «:», «(», a quote or a dash."""
    if i == 0 or tokens[i].newline_before or tokens[i - 1].sentence != tokens[i].sentence:
        return True
    prev = tokens[i - 1]
    return prev.kind != WORD and (prev.text in _OPENERS or prev.kind in (EMOJI, PLACEHOLDER))
