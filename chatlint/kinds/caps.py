"""The ``caps`` rule kind: WORDS WRITTEN IN CAPITALS, except allowed acronyms."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import regex

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import CAPS, reply_bits
from chatlint.text import NUMBER, PUNCT, WORD, Token

_SPACED = regex.compile(r"\p{Lu} \p{Lu} \p{Lu}")  # letters spaced out: «П О В Т О Р Я Ю»

_NUMBERING = "0123456789.)-–—•* \t"
# a word in capitals right after these is a name (ООО «РОГА», ИП ИВАНОВА) or a label
# (кнопка ОПЛАТИТЬ, промокод ЛЕТО), not shouting
_LEGAL_FORMS = frozenset("ооо ип ао пао зао оао нко ано фгуп муп тоо гуп кфх".split())
_LABEL_WORDS = frozenset(
    "кнопка кнопку кнопке кнопкой раздел разделе раздела вкладка вкладку вкладке пункт пункте меню "
    "промокод промокоду промокодом код кодом купон статус статусом надпись надписью поле поля тариф "
    "тарифе тарифу опция опцию".split()
)
_NAME_WORDS = 4  # words of a name in capitals after a legal form («ООО «РОГА И КОПЫТА»»)
_HEADING_WORDS = 5  # a heading line has at most this many words, and no verb or comma
_PREDICATES = frozenset({"VERB", "INFN", "PRTS", "ADJS", "PRED", "GRND"})


@lru_cache(maxsize=1)
def shipped_names() -> frozenset[str]:
    """The shipped lexicon of names written in capitals (chatlint/data/caps_names.txt)."""
    text = resources.files("chatlint").joinpath("data/caps_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().upper() for line in text.splitlines() if line.strip() and not line.startswith("#"))


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
        if not reply_bits(doc.text)[0] & CAPS and not _SPACED.search(doc.text):
            return []  # no word can have two capitals and no small letter: most replies
        return self._find(doc)

    def _find(self, doc: Doc) -> list[Match]:
        found: list[Match] = []
        run: list = []
        tokens = rejoin_spaced(doc.tokens)
        for i, token in enumerate(tokens + [None]):
            if token is not None and token.kind == WORD and self._is_caps(token.text) and not _is_name(tokens, i):
                run.append(i)
                continue
            if token is not None and token.kind != WORD and token.kind in (PUNCT, NUMBER) and run:
                if token.text in (",", "-", "—", "–"):
                    continue  # a comma or dash does not break a shouted phrase
            if run:
                found.extend(self._report(doc, tokens, run))
                run = []
        return found

    def _report(self, doc: Doc, tokens: list[Token], run: list[int]) -> list[Match]:
        words = [tokens[i] for i in run]
        letters = sum(len(w.text) for w in words)
        longest = max(len(w.text) for w in words)
        if len(words) >= self.params["min_words"] and letters >= self.params["run_min_letters"]:
            pass
        elif longest >= self.params["min_letters"]:
            pass
        else:
            return []
        start, end = words[0].start, words[-1].end
        if (
            not self.params["headings"]
            and _is_heading(doc.text, start, end)
            and (_numbered(doc.text, start) or self._title_like(doc, words, start, end))
        ):
            return []
        if _quoted(doc.text, start, end):
            return []  # «ОПЛАТИТЬ», "ЛЕТНЯЯ РАСПРОДАЖА": a label or a name in quotes
        lowered = _lowered(doc.text, words)
        first = tokens[run[0]]
        if run[0] == 0 or tokens[run[0] - 1].sentence != first.sentence:
            lowered = lowered[:1].upper() + lowered[1:]
        return [Match(start, end, (lowered,), lowered)]

    def _title_like(self, doc: Doc, words: list[Token], start: int, end: int) -> bool:
        """A line in capitals reads as a section title, not as shouting: a few words, no
        comma, no verb or predicate («2.4 ЗАХВАТ ЭКРАНА», not «ПОВТОРЯЮ, ЗАКАЗ ОТМЕНЁН»)."""
        if len(words) > _HEADING_WORDS or "," in doc.text[start:end]:
            return False
        for word in words:
            parses = self.morph.parses(word.text.lower().replace("ё", "е"))
            if parses and parses[0].tag.POS in _PREDICATES or word.text.upper() == "НЕ":
                return False
        return True


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


def _numbered(text: str, start: int) -> bool:
    """The line holding ``start`` opens with list numbering («1.3 БУФЕР …»): a section title."""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return any(c.isdigit() for c in line)


def rejoin_spaced(tokens: list[Token]) -> list[Token]:
    """Letters spaced out one by one («П О В Т О Р Я Ю») read as one word: three or more
    single capital letters with one space between them become one token (its text the
    letters joined, its span the whole run). Other tokens are kept as they are."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        while (
            j < len(tokens)
            and _single_capital(tokens[j])
            and (j == i or (tokens[j].start - tokens[j - 1].end == 1 and not tokens[j].newline_before))
        ):
            j += 1
        if j - i >= 3:
            letters = "".join(t.text for t in tokens[i:j])
            out.append(tokens[i]._replace(end=tokens[j - 1].end, text=letters, norm=letters.lower()))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


def _single_capital(token: Token) -> bool:
    return token.kind == WORD and len(token.text) == 1 and token.text.isupper()


def _is_name(tokens: list[Token], i: int) -> bool:
    """A word in capitals that is a name by its shape or the shipped lexicon: in
    ``caps_names.txt``; after a legal form or a label word («ООО РОГА», «кнопку ОПЛАТИТЬ»);
    next to initials («ИВАНОВА А.С.», «А. С. ПЕТРОВ»)."""
    token = tokens[i]
    if token.text.upper().replace("Ё", "Е") in shipped_names() or token.text.upper() in shipped_names():
        return True
    prev = _previous_word(tokens, i)
    if prev is not None and (prev.text.lower() in _LEGAL_FORMS or prev.text.lower() in _LABEL_WORDS):
        return True
    return _initial_at(tokens, i + 1) or _initial_at(tokens, i - 2)


def _previous_word(tokens: list[Token], i: int) -> Token | None:
    """The word before ``i``, looking past quotes and up to ``_NAME_WORDS`` names in capitals
    of the same phrase («ООО «РОГА И КОПЫТА»»: «КОПЫТА» is after the legal form too)."""
    j = i - 1
    stop = max(-1, i - 2 * _NAME_WORDS - 2)  # a bounded look-back: linear on a reply in capitals
    while j > stop:
        token = tokens[j]
        if token.kind == WORD and not (token.text.isupper() and token.text.lower() not in _LEGAL_FORMS):
            return token
        if token.kind != WORD and token.text not in ("«", '"', "“", "„"):
            return None
        j -= 1
    return tokens[j] if j >= 0 and j > stop else None


def _initial_at(tokens: list[Token], i: int) -> bool:
    """``tokens[i]`` is a capital letter followed by a full stop: an initial."""
    return (
        0 <= i < len(tokens) - 1
        and tokens[i].kind == WORD
        and len(tokens[i].text) == 1
        and tokens[i].text.isupper()
        and tokens[i + 1].text == "."
    )


def _quoted(text: str, start: int, end: int) -> bool:
    """The span is exactly what a pair of quotes holds."""
    return text[start - 1 : start] in ("«", '"', "“", "„") and text[end : end + 1] in ("»", '"', "”", "“")


def _lowered(text: str, words: list[Token]) -> str:
    """The run in lower case, letter-spaced words written as one word."""
    parts = [words[0].text.lower()]
    for prev, word in zip(words, words[1:]):
        parts.append(text[prev.end : word.start])
        parts.append(word.text.lower())
    return "".join(parts)
