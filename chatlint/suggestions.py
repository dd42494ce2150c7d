"""Putting a finding's first suggestion into the reply, and telling when the result reads wrong.

Used by the rule-example tests (``fixed:`` expectations) and by the corpus-wide suggestion
test: a suggestion must either agree with the words it joins or replace the whole clause.
The checks look only at the seams of each replacement, where a wrong suggestion shows.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from chatlint.diagnostic import Diagnostic
from chatlint.morph import Morphology

_STOPS = ".!?…"
_MARKS = ".,;:!?…"
_FINE_PAIRS = frozenset({"?!", "!?", "?..", "!..", "...", ".»", "?»", "!»", "…»", '."', '?"', '!"', ".)", "?)", "!)"})
_WORD_RE = regex.compile(r"[\p{L}\p{M}'’-]+")
_NOMINATIVE = frozenset({"я", "ты", "вы", "мы", "он", "она", "они"})
_PRONOUNS = frozenset(
    {"я", "ты", "вы", "мы", "он", "она", "они", "вам", "вас", "нам", "нас", "мне", "меня", "тебе", "тебя"}
)


def apply_first(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[tuple[int, int, str]]]:
    """``text`` with the first suggestion of each finding put in (overlapping findings after
    the first are skipped), and the spans the suggestions occupy in the result, each with the
    text it replaced."""
    out, spans, pos, shift = [], [], 0, 0
    for d in sorted((d for d in diagnostics if d.suggestions), key=lambda d: (d.start, d.end)):
        if d.start < pos:
            continue
        out.append(text[pos : d.start])
        new = d.suggestions[0]
        start = d.start + shift
        spans.append((start, start + len(new), d.text))
        out.append(new)
        shift += len(new) - (d.end - d.start)
        pos = d.end
    out.append(text[pos:])
    return "".join(out), spans


def seam_problems(result: str, spans: list[tuple[int, int, str]], morph: Morphology) -> list[str]:
    """What reads wrong where a suggestion meets the text around it in ``result`` (a stop the
    replaced text already ended with is the reply's own, not the suggestion's)."""
    problems = []
    for start, end, replaced in spans:
        problems.extend(_punctuation(result, start, end))
        problems.extend(_pasted_sentence(result, start, end, replaced.rstrip()[-1:] in tuple(_STOPS)))
        problems.extend(_pronoun_seams(result, start, end, morph))
    return problems


def _punctuation(result: str, start: int, end: int) -> list[str]:
    found = []
    for seam in (start, end):
        left = result[:seam].rstrip(" ")
        right = result[seam:].lstrip(" ")
        if left and right and left[-1] in _MARKS and right[0] in _MARKS:
            pair = left[-1] + right[0]
            run = left[-3:].lstrip(" ") + right[:1] if pair == ".." else pair
            if pair not in _FINE_PAIRS and run not in _FINE_PAIRS and not left.endswith("..."):
                found.append(f"doubled punctuation {pair!r} at {seam}: …{result[max(0, seam - 20) : seam + 20]!r}")
    return found


def _pasted_sentence(result: str, start: int, end: int, stopped_before: bool = False) -> list[str]:
    """A capitalised sentence after a clause that did not stop, or a stop followed by a
    lower-case continuation."""
    found = []
    before = result[:start].rstrip(" \t")  # a line break ends a clause: only one line is judged
    new = result[start:end].strip()
    after = result[end:].lstrip(" \t")
    if not new:
        return found
    if (
        before
        and before[-1] != "\n"
        and new[:1].isupper()
        and new[1:2].islower()
        and (before[-1].isalpha() or before[-1] in ",;:—–-")
    ):
        first = _WORD_RE.match(new)
        if first and not _proper(first.group(0)):
            found.append(f"a sentence pasted into a clause at {start}: …{result[max(0, start - 25) : end + 5]!r}")
    if (
        after
        and after[0] != "\n"
        and new[-1] in _STOPS
        and not stopped_before
        and (after[0].islower() or after[0] in ",;:")
    ):
        found.append(f"a stop followed by a continuation at {end}: …{result[max(0, end - 25) : end + 20]!r}")
    return found


def _proper(word: str) -> bool:
    """Words written with a capital anywhere (Вы, names) do not start a pasted sentence."""
    return word in ("Вы", "Вас", "Вам", "Вами") or word.startswith("Ваш") or word.isupper()


def _pronoun_seams(result: str, start: int, end: int, morph: Morphology) -> list[str]:
    """A nominative pronoun followed by an infinitive («вы оплатить»), or two personal
    pronouns in a row («вам нам»), across a seam."""
    found = []
    for seam in (start, end):
        left = _WORD_RE.findall(result[max(0, seam - 40) : seam])
        right = _WORD_RE.findall(result[seam : seam + 40])
        if not left or not right:
            continue
        gap = result[max(0, seam - 40) : seam + 40]
        a, b = left[-1].lower(), right[0].lower()
        if not regex.search(rf"{regex.escape(left[-1])}\s*{regex.escape(right[0])}", gap):
            continue  # punctuation between them: not joined
        if a in _NOMINATIVE and any("INFN" in g for g in morph.info(b.replace("ё", "е")).grammemes):
            found.append(f"pronoun before an infinitive «{left[-1]} {right[0]}» at {seam}")
        elif a in _PRONOUNS and b in _PRONOUNS:
            found.append(f"two pronouns in a row «{left[-1]} {right[0]}» at {seam}")
    return found
