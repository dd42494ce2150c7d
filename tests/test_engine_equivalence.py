"""The fast engine (word-form profiles with bit masks, ``Linter._check_fast``) gives exactly the
diagnostics of the reference engine (``Linter(reference=True)``, the plain trigger loop).

Both check the corpus, every rule's examples (all rules on, also those off by default), generated
bench replies of two seeds, hypothesis text made of the words of the loaded rules' examples, and
a run with a tiny word-form cache so that its eviction is exercised. Nothing here names a rule:
the texts come from the loaded pack, so the test holds for rules added later. Raise
``CHATLINT_EQUIVALENCE_REPLIES`` (default 2,000 per seed) for a longer run; speed itself is
measured by ``python -m bench``, never here.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest
import regex
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatlint import linter as linter_module
from chatlint.limits import evict_older_half
from chatlint.linter import KeyBits, Linter
from chatlint.morph import Morphology

ROOT = Path(__file__).resolve().parent.parent
REPLIES = int(os.environ.get("CHATLINT_EQUIVALENCE_REPLIES", "2000"))
_IDS = [r.id for r in Linter().all_rules]
FAST = Linter(extend_select=_IDS)
REFERENCE = Linter(extend_select=_IDS, reference=True)
DEFAULT_FAST, DEFAULT_REFERENCE = Linter(), Linter(reference=True)


def _corpus_texts() -> list[str]:
    out = []
    for path in sorted((ROOT / "corpus").glob("**/*.yaml")):
        out += [e["text"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or [] if "text" in e]
    return out


def _example_texts() -> list[str]:
    return [t for r in FAST.all_rules for t in r.examples_bad + r.examples_good]


_SLIP = str.maketrans("оаеиОАЕИ", "аоиеАОИЕ")


def _slipped_examples() -> list[str]:
    """Each example with one of its long words one vowel off («обязаны» → «обязоны»): pattern
    words read through a typo, which only the trigger entries of the typo's readings start."""
    out = []
    for text in _example_texts():
        for m in regex.finditer(r"\w{5,}", text):
            word = m.group()
            for k, ch in enumerate(word[1:], 1):
                if ch.translate(_SLIP) != ch:
                    out.append(text[: m.start() + k] + ch.translate(_SLIP) + text[m.start() + k + 1 :])
                    break
    return out


def _bench_texts(seed: int, count: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("bench.corpus").ReplyGenerator(seed).replies(count)
    finally:
        sys.path.remove(str(ROOT))


def _same(texts: list[str], fast: Linter, reference: Linter) -> None:
    differ = [(t, fast.check(t), reference.check(t)) for t in texts]
    differ = [d for d in differ if d[1] != d[2]]
    assert not differ, f"{len(differ)} of {len(texts)} texts differ; first: {differ[0]}"


def test_pack_has_patterns_and_gates() -> None:
    """The mechanism has something to do: indexed patterns, and gates that need bits."""
    entries = [e for index in (FAST._form_index, FAST._lemma_index) for es in index.values() for e in es]
    assert entries and any(e[6] for e in entries)


@pytest.mark.parametrize("linters", [(FAST, REFERENCE), (DEFAULT_FAST, DEFAULT_REFERENCE)], ids=["all", "default"])
def test_corpus_and_examples(linters) -> None:
    texts = _corpus_texts() + _example_texts() + _slipped_examples()
    assert len(texts) > 500
    _same(texts, *linters)


@pytest.mark.parametrize("seed", [1, 2])
def test_bench_replies(seed: int) -> None:
    texts = _bench_texts(seed, REPLIES)
    _same(texts, DEFAULT_FAST, DEFAULT_REFERENCE)
    _same(texts, FAST, REFERENCE)


def test_cold_fast_engine_with_a_tiny_cache(monkeypatch) -> None:
    """New linters with their own morphology (cold), and a word-form cache that evicts often."""
    monkeypatch.setattr(linter_module, "WORD_CACHE_SIZE", 64)
    morph = Morphology()
    fast, reference = Linter(morphology=morph), Linter(morphology=morph, reference=True)
    texts = _bench_texts(3, 600) + _example_texts()[:400]
    _same(texts, fast, reference)
    assert len(fast._word_cache) <= 64


_WORDS = sorted({w for t in _example_texts() + _slipped_examples()[::7] for w in regex.findall(r"\w+", t)})
_GLUE = [" ", " ", " ", ", ", ". ", "! ", "? ", " — ", "\n", "«", "»", "!!!", ")))", "  ", "\u200b", "😊"]
_TEXT = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=25).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.booleans())
def test_hypothesis_text(text: str, capital: bool) -> None:
    text = text[:1].upper() + text[1:] if capital else text
    assert FAST.check(text) == REFERENCE.check(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.frozensets(st.sampled_from("abcdefgh"), max_size=4), max_size=5),
    st.frozensets(st.text("abcdefgh", max_size=2), max_size=6),
)
def test_key_bits_say_what_isdisjoint_says(gate, present) -> None:
    bits = KeyBits()
    need = bits.mask(gate)
    bits.mask([frozenset("xyz")])  # other patterns' sets do not change the answer
    have = bits.of_keys(present)
    assert (have & need == need) == all(not present.isdisjoint(keys) for keys in gate)


def test_evict_older_half_keeps_the_recent_half() -> None:
    cache = {i: str(i) for i in range(10)}
    evict_older_half(cache)
    assert list(cache) == [5, 6, 7, 8, 9]
