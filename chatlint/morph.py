"""The morphology layer over pymorphy3: parses per word form, cached, and inflection.

One ``MorphAnalyzer`` per process, created on first use under a lock; it is read-only
after loading and safe to share between threads.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, NamedTuple

from chatlint.limits import evict_older_half
from chatlint.text import fold

if TYPE_CHECKING:  # pragma: no cover
    import pymorphy3

_ANALYZER = None
_ANALYZER_LOCK = threading.Lock()

# Grammemes that make a word agree with another: copied when inflecting a suggestion.
AGREEMENT = frozenset(
    {
        "nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2",
        "sing", "plur", "masc", "femn", "neut",
        "1per", "2per", "3per", "pres", "past", "futr", "impr", "indc", "excl", "incl",
    }
)  # fmt: skip


def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide analyser, loaded on first use."""
    global _ANALYZER
    if _ANALYZER is None:
        with _ANALYZER_LOCK:
            if _ANALYZER is None:
                import pymorphy3

                _ANALYZER = pymorphy3.MorphAnalyzer(**_dictionary())
    return _ANALYZER


def _dictionary() -> dict:
    """The Russian dictionary's folder, named directly: without it, pymorphy3 finds the
    dictionary by scanning the entry points of every installed package (importlib.metadata,
    30-40 ms at each start). The same folder it would find; its own rules when the
    dictionary path is set in the environment or the package is missing."""
    import os

    import pymorphy3

    if pymorphy3.MorphAnalyzer.DICT_PATH_ENV_VARIABLE in os.environ:
        return {}
    try:
        import pymorphy3_dicts_ru
    except ImportError:  # pragma: no cover - another package provides the dictionary
        return {}
    return {"path": pymorphy3_dicts_ru.get_path(), "lang": "ru"}


class WordInfo(NamedTuple):
    """What the dictionary says about one lower-cased word form."""

    lemmas: frozenset[str]  # normal forms of its parses («ё» written as «е»)
    grammemes: tuple[frozenset[str], ...]  # grammemes of each parse, same order as parses
    parse_lemmas: tuple[str, ...]  # the lemma of each parse
    known: bool  # the dictionary knows the word form


class Morphology:
    """Cached access to pymorphy3. Share one instance; it is thread-safe.

    The cache holds at most ``max_cache`` word forms and starts afresh when full, so
    memory stays flat over millions of messages.
    """

    def __init__(self, max_cache: int = 20_000) -> None:
        self._cache: dict[str, WordInfo] = {}
        self._parse_cache: dict[str, tuple] = {}  # tuples: a caller cannot change the cache
        self._inflect_cache: dict[tuple, str | None] = {}
        self._inflect_like_cache: dict[tuple, str] = {}
        self._max_cache = max_cache

    def parses(self, word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
        """The dictionary parses of a word form (the guesses when it is unknown)."""
        cached = self._parse_cache.get(word)
        if cached is None:
            cached = _analyse(word)
            if len(self._parse_cache) >= self._max_cache:
                evict_older_half(self._parse_cache)
            self._parse_cache[word] = cached
        return cached

    def info(self, word: str) -> WordInfo:
        """Lemmas and grammemes of a normalised (lower-case, «е» for «ё») word form."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        # the parses themselves are not kept: they are big, and WordInfo says what rules need
        parses = self._parse_cache.get(word) or _analyse(word)
        parse_lemmas = tuple(fold(p.normal_form) for p in parses)
        info = WordInfo(
            lemmas=frozenset(parse_lemmas),
            grammemes=tuple(_interned(frozenset(p.tag.grammemes)) for p in parses),
            parse_lemmas=parse_lemmas,
            known=any(_is_dictionary_parse(p) for p in parses),
        )
        if len(self._cache) >= self._max_cache:
            evict_older_half(self._cache)
        self._cache[word] = info
        return info

    def is_known(self, word: str) -> bool:
        """The dictionary knows this word form."""
        return self.info(word).known

    def is_lemma(self, word: str) -> bool:
        """``word`` is the normal form of at least one of its own parses."""
        word = fold(word)
        return word in self.info(word).lemmas

    def lemma_of(self, word: str) -> list[str]:
        """Normal forms the word may have, most likely first."""
        return list(dict.fromkeys(self.info(fold(word)).parse_lemmas))

    def has(self, word: str, lemma: str | None, grammemes: frozenset[str]) -> bool:
        """One parse of ``word`` has this lemma (if given) and all these grammemes."""
        info = self._cache.get(word) or self.info(word)
        if lemma is None:
            for grams in info.grammemes:
                if grammemes <= grams:
                    return True
            return False
        for parse_lemma, grams in zip(info.parse_lemmas, info.grammemes):
            if parse_lemma == lemma and grammemes <= grams:
                return True
        return False

    def inflect(self, lemma: str, grammemes: frozenset[str] | set[str]) -> str | None:
        """``lemma`` put into the form with these grammemes, or None when impossible (cached)."""
        key = (lemma, frozenset(grammemes))
        try:
            return self._inflect_cache[key]
        except KeyError:
            pass
        form = self._inflect(lemma, key[1])
        if len(self._inflect_cache) >= self._max_cache:
            evict_older_half(self._inflect_cache)
        self._inflect_cache[key] = form
        return form

    def _inflect(self, lemma: str, grammemes: frozenset[str]) -> str | None:
        for parse in self.parses(lemma.lower()):
            if fold(parse.normal_form) != fold(lemma):
                continue
            wanted = set(grammemes) - {parse.tag.POS}
            if "impr" in wanted and "plur" in wanted:
                wanted.add("excl")
            form = parse.inflect(wanted)
            if form is None and "pres" in wanted and "perf" in parse.tag.grammemes:
                form = parse.inflect((wanted - {"pres"}) | {"futr"})
            if form is None:
                form = _inflect_partially(parse, wanted)
            if form is not None:
                return form.word
        return None

    def inflect_like(self, lemma: str, word: str, word_lemma: str | None = None) -> str:
        """``lemma`` in the case, number, gender, person and tense of ``word``.

        ``word_lemma`` picks the parse of ``word`` to follow when it is ambiguous.
        Capitalisation of ``word`` is kept. Multi-word ``lemma`` is returned as it is.
        """
        if " " in lemma.strip():
            return match_case(lemma, word)
        key = (lemma, word, word_lemma)
        cached = self._inflect_like_cache.get(key)
        if cached is None:
            cached = self._inflect_like(lemma, word, word_lemma)
            if len(self._inflect_like_cache) >= self._max_cache:
                evict_older_half(self._inflect_like_cache)
            self._inflect_like_cache[key] = cached
        return cached

    def _inflect_like(self, lemma: str, word: str, word_lemma: str | None) -> str:
        info = self.info(fold(word))
        target = None
        for parse_lemma, grams in zip(info.parse_lemmas, info.grammemes):
            if word_lemma is None or parse_lemma == word_lemma:
                target = grams
                break
        result = lemma
        if target is not None:
            inflected = self.inflect(lemma, target & AGREEMENT)
            if inflected is not None:
                result = inflected
        return match_case(result, word)


def _analyse(word: str) -> tuple:
    """pymorphy3's parses of a word form: the dictionary ones, or the guesses when there are none."""
    try:
        parsed = analyzer().parse(word)
    except ValueError:
        # pymorphy3 looks up unicodedata.name() of every letter; letters without a
        # name in this Python (e.g. Tangut U+17000) raise. Such a word has no parses.
        parsed = []
    known = [p for p in parsed if _is_dictionary_parse(p)]
    return tuple(known or parsed)


# One frozenset per distinct set of grammemes: thousands of word forms share each one.
_GRAMMEME_SETS: dict[frozenset[str], frozenset[str]] = {}


def _interned(grammemes: frozenset[str]) -> frozenset[str]:
    return _GRAMMEME_SETS.setdefault(grammemes, grammemes)


def _inflect_partially(parse, wanted: set[str]):
    """Try the most important grammemes first when the whole set is impossible."""
    for keep in (("nomn", "gent", "datv", "accs", "ablt", "loct", "sing", "plur"),
                 ("nomn", "gent", "datv", "accs", "ablt", "loct"),
                 ("sing", "plur", "1per", "2per", "3per", "past", "pres", "futr", "impr")):  # fmt: skip
        subset = {g for g in wanted if g in keep}
        if subset:
            form = parse.inflect(subset)
            if form is not None:
                return form
    return None


def _is_dictionary_parse(parse) -> bool:
    return type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"


def match_case(word: str, like: str) -> str:
    """``word`` written with the capitalisation of ``like`` (UPPER, Title or lower)."""
    letters = [c for c in like if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters and letters[0].isupper():
        return word[:1].upper() + word[1:]
    return word


def agree_with_number(n: int, phrase: str) -> str:
    """``phrase`` (words in the nominative singular) agreed with the number ``n`` by pymorphy3:
    ``agree_with_number(2, "раз")`` is «раза», ``(5, "короткое сообщение")`` «коротких сообщений»."""
    words = []
    for word in phrase.split():
        parses = analyzer().parse(word)
        parse = next((p for p in parses if {"nomn", "sing"} <= p.tag.grammemes), parses[0])
        agreed = parse.make_agree_with_number(abs(n))
        words.append(match_case(agreed.word, word) if agreed else word)
    return " ".join(words)
