"""One Linter shared by 8 threads gives the results of serial use; callers cannot corrupt shared state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from chatlint.kinds import KINDS, RuleKind, register
from chatlint.linter import Linter
from chatlint.morph import Morphology


def _texts(linter: Linter) -> list[str]:
    texts = [t for r in linter.all_rules for t in r.examples_bad + r.examples_good]
    return texts + [f"{t} {u}" for t, u in zip(texts, reversed(texts))]


@pytest.mark.parametrize("cold", [False, True], ids=["warm-cache", "cold-cache"])
def test_eight_threads_match_serial(cold: bool) -> None:
    base = Linter()
    ids = [r.id for r in base.all_rules]
    # A cold linter has its own empty word cache, so the threads fill it concurrently.
    linter = Linter(extend_select=ids, morphology=Morphology(max_cache=50) if cold else None)
    texts = _texts(linter) * 2
    serial_linter = Linter(extend_select=ids, morphology=Morphology())
    expected = [serial_linter.check(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(linter.check, texts))
    assert results == expected
    assert any(expected)


def test_cached_word_analyses_are_immutable() -> None:
    morph = Morphology()
    parses = morph.parses("знаю")
    info = morph.info("знаю")
    with pytest.raises((TypeError, AttributeError)):
        parses.append(None)  # type: ignore[attr-defined]
    with pytest.raises((TypeError, AttributeError)):
        info.lemmas.add("x")  # type: ignore[attr-defined]
    assert morph.parses("знаю") == parses and morph.info("знаю") == info


def test_a_plugin_cannot_replace_a_builtin_kind() -> None:
    original = KINDS["pattern"]

    class Hijack(RuleKind):
        name = "pattern"
        keys = {}

    with pytest.raises(ValueError, match="already registered"):
        register(Hijack)
    assert KINDS["pattern"] is original
    register(original)  # re-registering the same class is harmless


def test_diagnostics_do_not_share_mutable_state() -> None:
    linter = Linter()
    first = linter.check("Я не знаю!!!")
    first[0].extra["mine"] = 1
    assert all("mine" not in d.extra for d in linter.check("Я не знаю!!!"))
