"""The ``abbreviation`` rule kind: shortened words, with their full form as the fix.

``words`` maps an abbreviation to its full form: ``"т.к.": "так как"``, ``"спс": "спасибо"``.
A dot in the key must be there in the text (spaces after inner dots are allowed: «т. к.»);
a key without dots matches the whole word only. Several full forms (``"мб": "может быть |
можно"``) are offered as suggestions, and then the fix is not safe.

``units`` lists abbreviations that are fine next to a number («5 руб.», «д. 5», «10 мин.»),
and ``skip_upper`` those that are fine written in capitals (a brand: «ОК»).
"""

from __future__ import annotations

import regex

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import BASIC_WORD, TURKISH_I, Watched
from chatlint.morph import match_case
from chatlint.pattern import PatternError
from chatlint.text import CODE, EMAIL, PLACEHOLDER, URL, fold

_NUMBER_BEFORE = regex.compile(r"\d[\d\s\u00a0.,:–-]*(?:[₽$€%]|руб\.|р\.)?[\s\u00a0]*/?[\s\u00a0]*$")
_NUMBER_AFTER = regex.compile(r"^:?[\s\u00a0]*(?:№\s*)?[\d+(]")
_LEADING_LETTERS = regex.compile(r"\p{L}*")


@register
class AbbreviationRule(RuleKind):
    """Finds the ``words`` abbreviations; ``units`` are allowed next to numbers."""

    name = "abbreviation"
    keys = {"words": None, "units": [], "skip_upper": []}
    required = ("words",)
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        words = params["words"]
        if not isinstance(words, dict) or not words:
            raise PatternError("'words' must map each abbreviation to its full form")
        self.full: dict[str, tuple[str, ...]] = {}
        alternatives = []
        heads: set[str] | None = set()
        for key, value in words.items():
            if not isinstance(key, str) or not isinstance(value, str) or not key.strip() or not value.strip():
                raise PatternError(f"'words' entry {key!r}: {value!r} must map a word to a full form")
            norm = _key(key)
            self.full[norm] = tuple(v.strip() for v in value.split("|") if v.strip())
            alternatives.append(_regex_for(key.strip()))
            head = _LEADING_LETTERS.match(key.strip()).group().casefold()
            if heads is not None and BASIC_WORD.match(head):
                heads.add(head)
            else:
                heads = None  # a key that starts with no plain letters: always scan
        alternatives.sort(key=len, reverse=True)  # longest first: «т.е.» before «т.»
        self.compiled = regex.compile(
            r"(?<![\p{L}\d.-])(?:" + "|".join(alternatives) + r")",
            regex.IGNORECASE,
        )
        self.units = frozenset(_key(u) for u in params["units"] or [])
        self.skip_upper = frozenset(_key(u) for u in params["skip_upper"] or [])
        # A match starts after a non-letter with the key's leading letters, followed by a
        # non-letter (a dot, a space, a hyphen or the end of the key and its look-ahead):
        # a reply in which none of them is a whole word cannot match.
        self.head_words = frozenset(heads) if heads else None
        self.heads = Watched(self.head_words) if self.head_words else None
        self.dotted = bool(heads) and any("i" in h for h in heads)  # see prefilter.TURKISH_I

    def find(self, doc: Doc) -> list[Match]:
        text = doc.text
        if (
            self.heads is not None
            and not self.heads.in_reply(text)
            and not (self.dotted and (TURKISH_I[0] in text or TURKISH_I[1] in text))
        ):
            return []
        found = []
        for m in self.compiled.finditer(text):
            surface = m.group()
            key = _key(surface)
            full = self.full.get(key)
            if full is None:
                continue
            if key in self.skip_upper and surface.replace(".", "").isupper():
                continue
            if key in self.units and (
                _NUMBER_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
                or _NUMBER_AFTER.match(text[m.end() : m.end() + 6])
            ):
                continue
            if _inside_token(doc, m.start(), m.end()):
                continue
            suggestions = tuple(dict.fromkeys(_case(f, surface) for f in full))
            found.append(Match(m.start(), m.end(), suggestions, suggestions[0], False if len(full) > 1 else None))
        return found


def _key(text: str) -> str:
    return regex.sub(r"\s+", "", fold(text.strip()))


def _regex_for(key: str) -> str:
    """A regex for one abbreviation: dots are literal, spaces may follow inner dots."""
    parts = []
    for i, ch in enumerate(key):
        if ch == ".":
            parts.append(r"\." + (r"\s?" if i < len(key) - 1 else ""))
        elif ch.isspace():
            if parts and parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(regex.escape(ch))
    body = "".join(parts)
    if not key.endswith("."):
        body += r"(?![\p{L}\d-]|[./]\p{L})"  # not «ДД.ММ.ГГГГ», «Мб/с», «ok.ru»
    return body


def _case(full: str, surface: str) -> str:
    """The full form with the capitalisation of the abbreviation (not ALL CAPS for «ОК»)."""
    letters = [c for c in surface if c.isalpha()]
    if letters and letters[0].isupper():
        return full[:1].upper() + full[1:]
    return match_case(full, surface.lower())


def _inside_token(doc: Doc, start: int, end: int) -> bool:
    """Part of a URL, an e-mail, a code or a placeholder."""
    return any(t.start <= start and end <= t.end and t.kind in (URL, EMAIL, CODE, PLACEHOLDER) for t in doc.tokens)
