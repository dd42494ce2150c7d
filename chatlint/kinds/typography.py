"""The ``typography`` rule kind: several small typing slips, each with its own fix.

Checks (each can be switched off with ``checks``):

* ``space-before``  — a space before «, . ! ? ; :» («Здравствуйте ,Анна»);
* ``space-after``   — no space after «,» «!» «?» «;» or a sentence-ending «.» between words;
* ``double-space``  — two or more spaces between words;
* ``brackets``      — bracket smileys «)))», «((» (runs of unbalanced brackets);
* ``marks``         — «??», «?!?», «,,», «....»;
* ``stretched``     — a letter repeated three times or more («спасибоооо»; not in capitals: «ООО»);
* ``lookalikes``    — Latin letters that look like Cyrillic inside a Cyrillic word.
"""

from __future__ import annotations

import regex

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import MARK_PAIR, MARK_START, MIXED, STRETCHED, reply_bits
from chatlint.text import CODE, EMAIL, PHONE, PLACEHOLDER, URL, WORD, fold

CHECKS = ("space-before", "space-after", "double-space", "brackets", "marks", "stretched", "lookalikes")

# Latin letters that are drawn like Cyrillic ones (both cases), for the look-alike fix.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTXY", "асеорхуАВСЕНКМОРТХУ")
_CYR = regex.compile(r"\p{Cyrillic}")
_LAT = regex.compile(r"\p{Latin}")

# after a word, or after the dot of an abbreviation before a comma («т.е. ,»)
_SPACE_BEFORE = regex.compile(
    r"(?<=[\p{L}\d»)\"])[ \t\u00a0]+(?=[,!?;]|:(?![)(DdPpРр3-])|\.(?![.\p{L}\d]))|(?<=\p{L}\.)[ \t\u00a0]+(?=[,;])"
)
_SPACE_AFTER = regex.compile(
    r"(?<=\p{Ll}{2}|\p{Lu}\p{Ll})[,;!?](?=\p{Cyrillic})|(?<=\p{Cyrillic}\p{Ll})\.(?=\p{Lu}\p{Ll})"
)
_DOUBLE_SPACE = regex.compile(r"(?<=[^\s.!?:;…]) {2,}(?=\S)")  # two spaces after a full stop: a habit
_BRACKETS = regex.compile(r"\){2,}|\({2,}")
_MARKS = regex.compile(r"[?!]{2,}|,{2,}|\.{4,}")
_STRETCHED = regex.compile(r"(\p{Cyrillic})\1{2,}", regex.IGNORECASE)
# The cheap rejects come from the chunks of the reply (``chatlint.kinds.prefilter``): a check
# runs its ``regex`` scan only when some chunk could hold what it looks for.
_MARK_CHECKS = frozenset({"space-after", "marks"})


@register
class TypographyRule(RuleKind):
    """Typing slips; ``allow`` lists words to leave alone (e.g. «длинношеее»)."""

    name = "typography"
    keys = {"checks": list(CHECKS), "allow": []}
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        checks = params["checks"] or []
        unknown = [c for c in checks if c not in CHECKS]
        if unknown:
            from chatlint.pattern import PatternError

            raise PatternError(f"unknown typography check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
        self.checks = frozenset(checks)
        self.allow = frozenset(fold(str(a)) for a in params["allow"] or [])

    def find(self, doc: Doc) -> list[Match]:
        text = doc.text
        checks = self.checks
        bits = reply_bits(text)[0]
        space_before = bits & MARK_START and "space-before" in checks
        mark_pair = bits & MARK_PAIR and not checks.isdisjoint(_MARK_CHECKS)
        double_space = "  " in text and "double-space" in checks
        brackets = ("))" in text or "((" in text) and "brackets" in checks
        stretched = bits & STRETCHED and "stretched" in checks  # as ([а-яё])\1\1 in the lowered reply
        mixed = bits & MIXED and "lookalikes" in checks  # as a Latin letter next to a Cyrillic one
        if not (space_before or mark_pair or double_space or brackets or stretched or mixed):
            return []
        protected = _protected_spans(doc)
        found: list[Match] = []

        def add(start: int, end: int, fix: str, safe: bool = True) -> None:
            if not any(ps <= start < pe or ps < end <= pe for ps, pe in protected):
                found.append(Match(start, end, (fix,) if fix else (), fix, None if safe else False))

        if space_before:
            links = [(t.start, t.end) for t in doc.tokens if t.kind in (URL, EMAIL)]
            for m in _SPACE_BEFORE.finditer(text):
                if any(end == m.start() for _, end in links):
                    continue  # «mail@shop.ru ,» keeps the comma out of the link on purpose
                mark = text[m.end()]
                if m.start() and text[m.start() - 1] == ".":  # «т.е. ,оплатить»: the stray mark goes
                    end = m.end() + 1
                    while end < len(text) and text[end] in " \t":
                        end += 1
                    add(m.start(), end, " ")
                    continue
                after = text[m.end() + 1 : m.end() + 2]
                add(m.start(), m.end() + 1, mark + " " if after.isalpha() and mark != "." else mark)
        if mark_pair and "space-after" in checks:
            for m in _SPACE_AFTER.finditer(text):
                add(m.start(), m.end(), m.group() + " ")
        if double_space:
            for m in _DOUBLE_SPACE.finditer(text):
                add(m.start(), m.end(), " ")
        if brackets:
            for m in _BRACKETS.finditer(text):
                if _unbalanced(text, m):
                    start = m.start()
                    while start > 0 and text[start - 1] == " ":
                        start -= 1
                    add(start, m.end(), "")
        if mark_pair and "marks" in checks:
            for m in _MARKS.finditer(text):
                fix = _marks_fix(m.group())
                if fix is not None:
                    add(m.start(), m.end(), fix)
        for token in doc.tokens if stretched or mixed else ():
            if token.kind != WORD or token.norm in self.allow:
                continue
            if stretched and _STRETCHED.search(token.text) and not token.text.isupper():
                fixed, known = self._unstretch(token.text)
                add(token.start, token.end, fixed, known)
            if mixed:
                fixed = _fix_lookalikes(token.text)
                if fixed is not None:
                    add(token.start, token.end, fixed)
        found.sort(key=lambda m: (m.start, m.end))
        return found

    def _unstretch(self, word: str) -> tuple[str, bool]:
        """The word with stretched letters collapsed; True when the dictionary knows it."""
        candidates = [_STRETCHED.sub(r"\1", word), _STRETCHED.sub(r"\1\1", word)]
        for candidate in candidates:
            if self.morph.is_known(fold(candidate)):
                return candidate, True
        return candidates[0], False


def _unbalanced(text: str, m: regex.Match) -> bool:
    """A run of brackets is a smiley when it closes (or opens) more than the text balances."""
    run = m.group()
    if run[0] == ")":
        before = text[: m.start()]
        return len(run) > before.count("(") - before.count(")")
    after = text[m.end() :]
    return len(run) > after.count(")") - after.count("(")


def _fix_lookalikes(word: str) -> str | None:
    """A Cyrillic word with Latin look-alike letters, written all in Cyrillic; else None."""
    if not (_LAT.search(word) and _CYR.search(word)):
        return None
    parts = regex.split(r"([-'’])", word)
    changed = False
    out = []
    for part in parts:
        if _LAT.search(part) and _CYR.search(part):
            fixed = part.translate(_LATIN_TO_CYRILLIC)
            if _LAT.search(fixed):
                return None  # real Latin letters: a brand or a code, not a slip
            out.append(fixed)
            changed = True
        else:
            out.append(part)
    return "".join(out) if changed else None


def _marks_fix(run: str) -> str | None:
    """The fix of a run of marks; None for «?!» (fine) and runs with «!!» (style/exclamation's)."""
    if run[0] in "?!":
        if run.count("?") < 2 or run.count("!") > 1:
            return None
        return "?!" if "!" in run else "?"
    return "," if run[0] == "," else "..."


def _protected_spans(doc: Doc) -> list[tuple[int, int]]:
    """URLs, e-mails, codes and placeholders: their punctuation is not prose."""
    return [(t.start, t.end) for t in doc.tokens if t.kind in (URL, EMAIL, CODE, PLACEHOLDER, PHONE)]
