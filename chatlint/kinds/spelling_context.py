"""Spelling slips that the dictionary takes for real words, judged by their neighbours.

Used by the ``spelling`` kind (``chatlint.kinds.spelling``):

* ``tsya_after_subject`` — an infinitive «-ться» where the clause has a subject and no word
  that could govern an infinitive: «Оплата производиться онлайн» → «производится».
* ``ne_apart`` — «не» written apart from a verb that exists only with it: «не навижу» →
  «ненавижу» (the bare word is unknown, the joined one is a dictionary verb form).
* ``ending_swap`` — an unknown verb form whose unstressed personal ending took the other
  conjugation's vowel: «увидете» → «увидите», «видет» → «видит».
"""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match
from chatlint.morph import Morphology, match_case
from chatlint.spell import speller
from chatlint.text import PUNCT, WORD

# Punctuation that ends a clause: an infinitive after «—» or «:» is a predicate of its own.
_CLAUSE_MARKS = frozenset({",", ":", ";", "—", "–", "-", "(", ")", "«", "»", '"'})
# Parts of speech that can govern an infinitive («может связаться», «нужно оплатиться»).
_GOVERNING = frozenset({"VERB", "INFN", "PRED", "ADJS", "PRTS", "COMP", "GRND"})
# Words that introduce or take an infinitive whatever their part of speech.
_GOVERNING_WORDS = frozenset(
    "чтобы для как чем лишь прежде перед вместо кроме можно нужно надо нельзя пора лучше "
    "время возможность способ право желание необходимость смысл задача цель решение просьба "
    "предложение попытка причина повод шанс обязанность привычка умение".split()
)
_PRONOUNS = frozenset({"он", "она", "оно", "они", "это", "всё", "все", "что-то", "кто-то"})
# Unstressed personal endings of the two conjugations, each with its counterpart.
_ENDINGS = (
    ("ете", "ите"),
    ("ите", "ете"),
    ("ешь", "ишь"),
    ("ишь", "ешь"),
    ("ет", "ит"),
    ("ит", "ет"),
    ("ем", "им"),
    ("им", "ем"),
    ("ют", "ят"),
    ("ят", "ют"),
    ("ут", "ат"),
    ("ат", "ут"),
)


def tsya_after_subject(doc: Doc, i: int, morph: Morphology, modals: frozenset[str]) -> Match | None:
    """«Продление подписки производиться автоматически» → «производится»."""
    token = doc.tokens[i]
    first = morph.info(token.norm).grammemes
    if not first or "INFN" not in first[0]:
        return None
    finite = token.norm[:-4] + "тся"
    if not speller().known(finite) or not morph.has(finite, None, frozenset({"3per"})):
        return None
    clause = _clause(doc, i)
    if any(_governs(t.norm, morph, modals) for t in clause if t.start != token.start):
        return None
    before = [t for t in clause if t.end <= token.start]
    if not any(_subject_of(t.norm, finite, morph) for t in before):
        return None
    out = match_case(token.text[:-4] + "тся", token.text)
    return Match(token.start, token.end, (out,), out)


def ne_apart(doc: Doc, i: int, morph: Morphology) -> Match | None:
    """«не навижу» → «ненавижу»: the word alone is unknown, with «не» it is a verb form."""
    token = doc.tokens[i]
    prev = doc.tokens[i - 1] if i else None
    if prev is None or prev.kind != WORD or prev.norm != "не" or prev.sentence != token.sentence:
        return None
    if doc.text[prev.end : token.start] != " " or speller().known(token.norm):
        return None
    joined = "не" + token.norm
    if not speller().known(joined) or not any("VERB" in g or "INFN" in g for g in morph.info(joined).grammemes):
        return None
    span = doc.text[prev.start : token.end]
    out = match_case(prev.text + token.text.lower(), span)
    return Match(prev.start, token.end, (out,), out)


def ending_swap(word: str, morph: Morphology) -> str | None:
    """«увидете» → «увидите»: the other conjugation's ending gives a known personal verb form."""
    for wrong, right in _ENDINGS:
        if word.endswith(wrong) and len(word) > len(wrong) + 2:
            cand = word[: -len(wrong)] + right
            if speller().known(cand) and any(
                "VERB" in g and ("1per" in g or "2per" in g or "3per" in g) for g in morph.info(cand).grammemes
            ):
                return cand
    return None


def _clause(doc: Doc, i: int) -> list:
    """The words of the clause around token ``i``: same sentence, no clause mark between."""
    tokens = doc.tokens
    sentence = tokens[i].sentence
    lo = i
    while lo > 0 and tokens[lo - 1].sentence == sentence and not _ends_clause(tokens[lo - 1]):
        lo -= 1
    hi = i
    while hi + 1 < len(tokens) and tokens[hi + 1].sentence == sentence and not _ends_clause(tokens[hi + 1]):
        hi += 1
    return [t for t in tokens[lo : hi + 1] if t.kind == WORD]


def _ends_clause(token) -> bool:
    return token.kind == PUNCT and any(ch in _CLAUSE_MARKS for ch in token.text)


def _governs(norm: str, morph: Morphology, modals: frozenset[str]) -> bool:
    if norm in _GOVERNING_WORDS or norm in modals:
        return True
    grams = morph.info(norm).grammemes
    return bool(grams) and bool(grams[0] & _GOVERNING)


def _subject_of(norm: str, finite: str, morph: Morphology) -> bool:
    """The word can be the subject of the 3rd-person form ``finite`` (nominative, same number)."""
    if norm in _GOVERNING_WORDS:
        return False
    for grams in morph.info(norm).grammemes:
        if "nomn" not in grams or not ("NOUN" in grams or norm in _PRONOUNS):
            continue
        number = "plur" if "plur" in grams else "sing"
        if morph.has(finite, None, frozenset({"3per", number})):
            return True
    return False
