"""The baselines chatlint is measured against, each with a ``check(text) -> list`` method."""

from __future__ import annotations

import regex

from bench.phrases import TABOO_PHRASES

_WORD_RE = regex.compile(r"\w+")


class RegexAlternation:
    """A bare ``regex`` alternation of the literal phrases, case-insensitive."""

    name = "regex alternation (60 phrases)"

    def __init__(self, phrases: tuple[str, ...] = TABOO_PHRASES) -> None:
        ordered = sorted(phrases, key=len, reverse=True)
        self._re = regex.compile(r"\b(?:" + "|".join(regex.escape(p) for p in ordered) + r")\b", regex.IGNORECASE)

    def check(self, text: str) -> list[str]:
        return self._re.findall(text)


def lemma_sequences(phrases: tuple[str, ...], analyzer) -> list[tuple[str, ...]]:
    """Each phrase as the sequence of the normal forms of its words (most likely parse)."""
    return [tuple(analyzer.parse(w)[0].normal_form for w in _WORD_RE.findall(p.lower())) for p in phrases]


class LemmaMatcher:
    """Regex tokenizer + cached pymorphy3 normal form + a dict of lemma sequences."""

    name = "minimal lemma matcher (60 sequences)"

    def __init__(self, analyzer, phrases: tuple[str, ...] = TABOO_PHRASES) -> None:
        self._analyzer = analyzer
        self._cache: dict[str, str] = {}
        self._index: dict[str, list[tuple[str, ...]]] = {}
        for seq in lemma_sequences(phrases, analyzer):
            self._index.setdefault(seq[0], []).append(seq)

    def _lemma(self, word: str) -> str:
        lemma = self._cache.get(word)
        if lemma is None:
            lemma = self._cache[word] = self._analyzer.parse(word)[0].normal_form
        return lemma

    def check(self, text: str) -> list[tuple[int, tuple[str, ...]]]:
        lemmas = [self._lemma(w) for w in _WORD_RE.findall(text.lower())]
        hits = []
        index = self._index
        for i, lemma in enumerate(lemmas):
            for seq in index.get(lemma, ()):
                if tuple(lemmas[i : i + len(seq)]) == seq:
                    hits.append((i, seq))
        return hits


class YargyMatcher:
    """yargy with one ``normalized()`` rule per lemma sequence, all in one ``or_``."""

    def __init__(self, sequences: list[tuple[str, ...]], analyzer) -> None:
        from functools import lru_cache

        from yargy import Parser, or_, rule
        from yargy.morph import CACHE_SIZE
        from yargy.morph import MorphAnalyzer as YargyMorph
        from yargy.predicates import normalized
        from yargy.tokenizer import MorphTokenizer

        class CachedMorph(YargyMorph):
            # yargy's own CachedMorphAnalyzer, over the pymorphy3 analyser the others use
            # (yargy's default, pymorphy2, needs pkg_resources, gone from recent setuptools)
            __call__ = lru_cache(CACHE_SIZE)(YargyMorph.__call__)

        self.name = f"yargy ({len(sequences)} lemma rules)"
        rules = [rule(*(normalized(lemma) for lemma in seq)) for seq in sequences]
        tokenizer = MorphTokenizer(morph=CachedMorph(analyzer))
        self._parser = Parser(or_(*rules) if len(rules) > 1 else rules[0], tokenizer=tokenizer)

    def check(self, text: str) -> list:
        return list(self._parser.findall(text))


def yargy_available() -> bool:
    try:
        import yargy  # noqa: F401
    except ImportError:
        return False
    return True
