"""The finder kinds' fast paths change nothing: cheap rejects, per-word-form plans, the
speller's inlined walk.

Each finder is compared with its plain form — the same kind with the cheap reject switched
off, or the code as it was before the speed-ups, written out here — on hand-picked tricky
text, the corpus, every rule's examples, generated bench replies and text from hypothesis.
The Unicode facts the rejects rely on are checked over every code point. Speed itself is
measured by ``python -m bench`` and ``docs/bench.md``, never here.
"""

from __future__ import annotations

import copy
import importlib
import re
import sys
from pathlib import Path

import pytest
import regex
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint import spell
from chatlint.kinds import Doc, prefilter
from chatlint.kinds.base import Match
from chatlint.kinds.spelling import _CYRILLIC_WORD, _is_acronym, _starts_sentence, speller
from chatlint.kinds.spelling_context import ne_apart, tsya_after_subject
from chatlint.kinds.typography import (
    _BRACKETS,
    _DOUBLE_SPACE,
    _MARKS,
    _SPACE_AFTER,
    _SPACE_BEFORE,
    _STRETCHED,
    _fix_lookalikes,
    _protected_spans,
    _unbalanced,
)
from chatlint.linter import Linter
from chatlint.morph import match_case
from chatlint.rules import RuleLoadError, load_rules
from chatlint.text import WORD

ROOT = Path(__file__).resolve().parent.parent
_ALL = Linter(extend_select=[r.id for r in Linter().all_rules])
FINDERS = {
    r.id: r for r in _ALL.rules if r.kind in ("regex", "abbreviation", "typography", "obscene", "spelling", "caps")
}
ALL_CODE_POINTS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
BASIC = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"

TRICKY = [
    "Здравствуйте ,Анна!!! спасибооо )))  ну   короче {{name} нет.",
    "Нет. Нет, ну нет",
    "нет",
    "х у й",
    "(х у й)",
    "х  у й",
    "а б в г",
    "*у й",
    "х\u2003у\u2003й",
    "х\x1cу\x1cй",
    "б.л.я и п!зда, сука!за, blyat, xyйня, пи3дец, 6ля",
    "б%б.л.я",  # found by hypothesis: a disguised word glued after «%» (the run swallows «б%»)
    "Это б. л. я, хх#х.у.й и ё%х.у.й!",
    "т. к. 5 руб. мб спс МБ ОК ок. Ок, т.е. кол-во пжл ᲃпс Спс́ ²спс",
    "Выберете тариф, пожалуйста. Выберете тариф и оплатите.",
    "нужно оплатится в течении 3 дней; в течении недели",
    "Неработает втоп таже ИП Иванов, ООО «Ромашка» пeчaть",
    "{} [] client_name}} {{ }} {{order_id заказ",
    "Ну-ну. Как бы вы хотели? Курьер как бы уже выехал. Вообще-то, значит.",
    "İstanbul Kelvin K ſpс ß ﬀ Σ ᲀᲁᲂ",
    "слово_спс a_спс x-спс спс1 @спс www.x.ru/т. к. ivan@mail.ru спс@x.ru",
    "спасибоооо ООО СПАСИБОООО Длинношеее",
    "Кофемашины нет. Перевыпущеа карта. Пеерачи. кешшбэк",
    "Добрый день;Анна. Заказ.Готов. Ок?!? Ок,,, да....",
    " ,начало\t!\u00a0?",
    "Здр. Есть. 4200",
    "ВНИМАНИЕ, ЧИТАЙТЕ! НЕ ЗНАЮ. Á́B́ В-Г, ООО «РОМАШКА» SALE2024 ИНН",
]

_ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁКМНОРСТХУЙ")
    + list("aceopxyETOPAHKXCBMkmtbuhns")
    + list("0123456789 \n\t.,:;!?…-—'’\"«»()[]{}%@#*$+|~_/")  # fmt: skip
    + ["  ", " ", " ", " ", "\u00a0", "\u2003", "\x1c", "\x85", "\u0301", "İ", "ı", "K", "ſ", "ᲃ", "²", "ß"]
    + ["ну", "нет", "Нет", "спс", "т.к.", "т. к.", "ок", "мб", "оч", "хуй", "бля", "х у й", "б.л.я", "п*зда"]
    + ["%", "б. л. я", "#х.у.й"]
    + ["блин", "типа", "как бы", "в общем", "значит", "вообще-то", "{{name}", "}}", "ооо", "ннн", "нe", "ок)))"]
    + ["Выберете", "в течении", "нужно", "оплатится", "неработает", "кофемашины", "руб.", "мин.", "www.x.ru"]
)
texts = st.lists(_ALPHABET, max_size=30).map("".join)


def _corpus_texts() -> list[str]:
    out = []
    for path in sorted((ROOT / "corpus").glob("**/*.yaml")):
        out += [
            e["text"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) or [] if "text" in e
        ]  # inventory: phrases
    return out


def _example_texts() -> list[str]:
    return [t for r in _ALL.all_rules if r.impl.scope == "reply" for t in r.examples_bad + r.examples_good]


def _bench_texts(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("bench.corpus").ReplyGenerator(1).replies(count)
    finally:
        sys.path.remove(str(ROOT))


TEXTS = TRICKY + _corpus_texts() + _example_texts() + _bench_texts(1500)


# --- the plain finders -------------------------------------------------------------------
def plain_regex(impl, doc: Doc) -> list[Match]:
    plain = copy.copy(impl)
    plain.prefilter = None
    return plain.find(doc)


def plain_abbreviation(impl, doc: Doc) -> list[Match]:
    plain = copy.copy(impl)
    plain.heads = None
    return plain.find(doc)


def plain_obscene(impl, doc: Doc) -> list[Match]:
    plain = copy.copy(impl)
    plain._may_match = lambda text: True
    return plain.find(doc)


def plain_typography(impl, doc: Doc) -> list[Match]:
    """``TypographyRule.find`` before the speed-ups."""
    text = doc.text
    protected = _protected_spans(doc)
    found: list[Match] = []

    def add(start: int, end: int, fix: str, safe: bool = True) -> None:
        if not any(ps <= start < pe or ps < end <= pe for ps, pe in protected):
            found.append(Match(start, end, (fix,) if fix else (), fix, None if safe else False))

    if "space-before" in impl.checks:
        links = [(t.start, t.end) for t in doc.tokens if t.kind in ("url", "email")]
        for m in _SPACE_BEFORE.finditer(text):
            if any(end == m.start() for _, end in links):
                continue
            mark = text[m.end()]
            if m.start() and text[m.start() - 1] == ".":  # «т.е. ,оплатить»: the stray mark goes
                end = m.end() + 1
                while end < len(text) and text[end] in " \t":
                    end += 1
                add(m.start(), end, " ")
                continue
            after = text[m.end() + 1 : m.end() + 2]
            add(m.start(), m.end() + 1, mark + " " if after.isalpha() and mark != "." else mark)
    if "space-after" in impl.checks:
        for m in _SPACE_AFTER.finditer(text):
            add(m.start(), m.end(), m.group() + " ")
    if "double-space" in impl.checks:
        for m in _DOUBLE_SPACE.finditer(text):
            add(m.start(), m.end(), " ")
    if "brackets" in impl.checks:
        for m in _BRACKETS.finditer(text):
            if _unbalanced(text, m):
                start = m.start()
                while start > 0 and text[start - 1] == " ":
                    start -= 1
                add(start, m.end(), "")
    if "marks" in impl.checks:
        for m in _MARKS.finditer(text):
            run = m.group()
            if run[0] in "?!":
                if run.count("?") < 2 or run.count("!") > 1:
                    continue
                fix = "?!" if "!" in run else "?"
            else:
                fix = "," if run[0] == "," else "..."
            add(m.start(), m.end(), fix)
    stretched = "stretched" in impl.checks and re.search(r"([а-яё])\1\1", text.lower()) is not None
    mixed = "lookalikes" in impl.checks and re.search(r"[а-яёА-ЯЁ][a-zA-Z]|[a-zA-Z][а-яёА-ЯЁ]", text) is not None
    for token in doc.tokens if stretched or mixed else ():
        if token.kind != WORD or token.norm in impl.allow:
            continue
        if stretched and _STRETCHED.search(token.text) and not token.text.isupper():
            fixed, known = impl._unstretch(token.text)
            add(token.start, token.end, fixed, known)
        if mixed:
            fixed = _fix_lookalikes(token.text)
            if fixed is not None:
                add(token.start, token.end, fixed)
    found.sort(key=lambda m: (m.start, m.end))
    return found


def plain_spelling(impl, doc: Doc) -> list[Match]:
    """``SpellingRule.find`` before the per-word-form plans: every check on every word."""
    found: list[Match] = []
    for i, token in enumerate(doc.tokens):
        if token.kind != WORD:
            continue
        norm = token.norm
        if norm in impl.user_reject:
            found.append(Match(token.start, token.end, impl._suggest(norm, token.text), safe=False))
            continue
        if norm in impl.user_accept:
            continue
        fixed = impl._curated(norm, token.text.lower())
        if fixed is not None:
            out = match_case(fixed, token.text)
            found.append(Match(token.start, token.end, (out,), out))
            continue
        if norm == "течении" and impl.time_nouns:
            match = impl._v_techenii(doc, i)
            if match is not None:
                found.append(match)
                continue
        if impl.modals and norm.endswith("тся"):
            match = impl._tsya(doc, i)
            if match is not None:
                found.append(match)
                continue
        if impl.params["subject_tsya"] and norm.endswith("ться"):
            match = tsya_after_subject(doc, i, impl.morph, impl.modals)
            if match is not None:
                found.append(match)
                continue
        if impl.params["ne_apart"] and impl._ne_candidate(norm):
            match = ne_apart(doc, i, impl.morph)
            if match is not None:
                found.append(match)
                continue
        if impl.params["instructions"] and norm.endswith("ете"):
            match = impl._instruction(doc, i)
            if match is not None:
                found.append(match)
                continue
        if impl.params["unknown_words"]:
            found.extend(_plain_unknown(impl, doc, i))
    return found


def _plain_unknown(impl, doc: Doc, i: int) -> list[Match]:
    token = doc.tokens[i]
    text, norm = token.text, token.norm
    if not _CYRILLIC_WORD.match(norm) or _is_acronym(text) or len(norm) != len(text):
        return []
    if text[:1].isupper() and not text.isupper() and not _starts_sentence(doc.tokens, i):
        return []
    parts = [(token.start, norm)]
    if "-" in norm:
        if speller().known(norm):
            return []
        parts, pos = [], token.start
        for piece in norm.split("-"):
            parts.append((pos, piece))
            pos += len(piece) + 1
    found = []
    for start, word in parts:
        surface = doc.text[start : start + len(word)]
        max_cost = 0.6 if surface[:1].isupper() and surface[1:].islower() else None
        verdict = () if impl._acceptable(word) else impl._suggest(word, word, max_cost)
        suggestions = tuple(match_case(v, surface) for v in verdict)
        if suggestions:
            found.append(
                Match(start, start + len(word), suggestions, safe=False, severity=impl.params["unknown_severity"])
            )
    return found


PLAIN = {
    "caps": lambda impl, doc: impl._find(doc),  # without the chunk-bit reject
    "regex": plain_regex,
    "abbreviation": plain_abbreviation,
    "obscene": plain_obscene,
    "typography": plain_typography,
    "spelling": plain_spelling,
}


def assert_same(text: str) -> None:
    doc = Doc(text, _ALL.morph)
    for rule in FINDERS.values():
        assert rule.impl.find(doc) == PLAIN[rule.kind](rule.impl, doc), (rule.id, text)


def test_the_finders_under_test() -> None:
    assert {"template/placeholder", "style/filler", "taboo/bare-no", "style/abbreviation"} <= set(FINDERS)
    assert {"style/typography", "tone/obscene", "spelling/typo", "style/caps"} <= set(FINDERS)
    for rule_id in ("template/placeholder", "style/filler", "taboo/bare-no"):
        assert FINDERS[rule_id].impl.prefilter is not None, rule_id


def test_fast_finders_match_the_plain_ones_on_tricky_text() -> None:
    for text in TRICKY:
        assert_same(text)


def test_fast_finders_match_the_plain_ones_on_corpus_examples_and_bench_replies() -> None:
    for text in TEXTS:
        assert_same(text)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_fast_finders_match_the_plain_ones(text: str) -> None:
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fast_finders_match_the_plain_ones_on_any_text(text: str) -> None:
    assert_same(text)


def test_a_second_pass_gives_the_first_pass() -> None:
    """Cached plans and chunk bits give what was computed afresh."""
    first = [_ALL.check(t) for t in TRICKY]
    assert [_ALL.check(t) for t in TRICKY] == first


# --- the Unicode facts the cheap rejects rely on ------------------------------------------
def test_no_whitespace_inside_a_run_and_regex_whitespace_splits() -> None:
    """Obscene runs never span what ``str.split`` splits at; ``regex``'s ``\\s`` always splits."""
    run_chars = regex.findall(r"[\p{L}\p{M}\d@$*#%!?._~'’|+-]", ALL_CODE_POINTS)
    assert not [c for c in run_chars if c.isspace()]
    assert all(c.isspace() for c in regex.findall(r"\s", ALL_CODE_POINTS))


def test_case_folding_keeps_basic_letters_apart() -> None:
    """What ``IGNORECASE`` equates with a basic letter folds to it; no non-letter folds to one."""
    letters = set(regex.findall(r"\p{L}", ALL_CODE_POINTS))
    basic = set(BASIC)
    for c in ALL_CODE_POINTS:
        if c not in letters and c.casefold() != c:
            assert not basic & set(c.casefold()), hex(ord(c))
    odd = set()
    for k in BASIC + BASIC.upper():
        for version in (regex.VERSION0, regex.VERSION1):
            for t in regex.findall(regex.escape(k), ALL_CODE_POINTS, regex.IGNORECASE | version):
                if t.casefold() != k.casefold():
                    odd.add((k.lower(), t))
    assert odd <= {("i", c) for c in prefilter.TURKISH_I}  # those let every reply through


def test_lower_case_lengthens_no_cyrillic_word() -> None:
    """The spelling plan slices the word itself: a Cyrillic ``norm`` is as long as its word."""
    cyrillic = regex.compile(r"^[\p{Cyrillic}-]+$")
    for c in ALL_CODE_POINTS:
        low = c.lower()
        if len(low) != 1:
            assert not cyrillic.match(low), hex(ord(c))


def test_mark_pair_covers_cyrillic_letters_and_capitals() -> None:
    """``space-after`` wants a Cyrillic letter or a capital after the mark: never below \\x80 but A–Z."""
    assert min(regex.findall(r"\p{Cyrillic}", ALL_CODE_POINTS)) > "\x7f"
    assert [c for c in regex.findall(r"\p{Lu}", ALL_CODE_POINTS) if c < "\x80"] == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --- the chunk bits and the prefilter -----------------------------------------------------
def test_reply_bits_are_the_union_of_chunk_bits_and_the_cache_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(prefilter, "_CHUNK_BITS", {})
    monkeypatch.setattr(prefilter, "CHUNK_CACHE_SIZE", 3)
    for text in TRICKY:
        bits, each = prefilter.reply_bits(text)
        assert each == [prefilter.chunk_bits(c) for c in text.split()]
        union = 0
        for b in each:
            union |= b
        assert bits == union
        assert len(prefilter._CHUNK_BITS) <= 3


def test_a_new_watched_word_is_seen_in_a_reply_checked_before() -> None:
    text = "Проверка слова зюзюкабра"
    prefilter.reply_bits(text)
    mask, _ = prefilter.watch(frozenset({"зюзюкабра"}))
    assert prefilter.reply_bits(text)[0] & mask


def test_prefilter_words_must_be_whole_words_and_literals_substrings() -> None:
    words = prefilter.Prefilter(["нет", "{"])
    assert words.admits("НЕТ.") and words.admits("(нет)") and words.admits("a{b")
    assert not words.admits("нетто") and not words.admits("Монетка")
    cased = prefilter.Prefilter(["Ab1"])
    assert cased.admits("xAB1y") and not cased.admits("ab2")
    dotted = prefilter.Prefilter(["plis"])
    assert dotted.admits("PLİS") and dotted.admits("plıs") and not dotted.admits("plos")


def _write_rule(tmp_path: Path, prefilter_line: str, bad: str) -> Path:
    rule = (
        "- id: custom/x\n  kind: regex\n  message: m\n  source: s\n  regex: 'спс'\n"
        f"{prefilter_line}  examples:\n    bad: [{bad!r}]\n    good: ['нормально']\n"
    )
    path = tmp_path / "x.yaml"
    path.write_text(rule, encoding="utf-8")
    return path


def test_a_prefilter_that_misses_an_example_is_refused_with_its_line(tmp_path, linter) -> None:
    path = _write_rule(tmp_path, "  prefilter: [спасибо]\n", "Спс!")
    with pytest.raises(RuleLoadError) as err:
        load_rules([path], linter.ctx)
    assert "prefilter" in str(err.value) and "x.yaml:" in str(err.value)


def test_a_good_prefilter_loads_and_rejects(tmp_path, linter) -> None:
    path = _write_rule(tmp_path, "  prefilter: [спс]\n", "Спс!")
    (rule,) = load_rules([path], linter.ctx)
    assert rule.impl.find(Doc("Спс!", linter.morph))
    assert rule.impl.find(Doc("спсибо", linter.morph)) == []


# --- the spelling plans and the speller ---------------------------------------------------
def test_spelling_plans_stay_bounded(monkeypatch) -> None:
    from chatlint.kinds import spelling

    impl = FINDERS["spelling/typo"].impl
    monkeypatch.setattr(spelling, "PLAN_CACHE_SIZE", 5)
    monkeypatch.setattr(impl, "_plans", {})
    for text in TRICKY:
        doc = Doc(text, _ALL.morph)
        assert impl.find(doc) == plain_spelling(impl, doc)
        assert len(impl._plans) <= 5


def _reference_walk(sp: spell.Speller, word: str, budget: int) -> dict[str, int]:
    """``Speller._walk`` over prefixes as it was written before (helpers not inlined)."""
    n = len(word)
    found: dict[str, int] = {}
    seen: set[tuple] = set()
    stack: list[tuple] = [(sp._root, 0, budget, "")]
    limit = sp._max_states * (4 if budget == 1 else 1)
    while stack:
        node, pos, left, out = stack.pop()
        state = (node, pos, left, out)
        if state in seen:
            continue
        seen.add(state)
        if len(seen) > limit:
            break
        if pos == n and left < budget and sp._final(node):
            used = budget - left
            if found.get(out, 99) > used:
                found[out] = used
        if pos < n:
            for nxt in sp._follow(word[pos], node):
                stack.append((nxt, pos + 1, left, out + word[pos]))
        if not left or (pos == 0 and budget > 1):
            continue
        if pos < n:
            stack.append((node, pos + 1, left - 1, out))
        for ch, child in sp._char_children(node):
            stack.append((child, pos, left - 1, out + ch))
            if pos < n and ch != word[pos]:
                stack.append((child, pos + 1, left - 1, out + ch))
        if pos + 1 < n and word[pos] != word[pos + 1]:
            for a in sp._follow(word[pos + 1], node):
                for b in sp._follow(word[pos], a):
                    stack.append((b, pos + 2, left - 1, out + word[pos + 1] + word[pos]))
    found.pop(word, None)
    return found


WALK_WORDS = ["пожалуста", "извените", "пеерачи", "оттдделении", "ёлка", "елка", "еее", "а", "зщ", "перевыпущеа"]


@pytest.mark.parametrize("word", WALK_WORDS)
def test_the_inlined_walk_visits_what_the_plain_walk_visits(word: str) -> None:
    sp = speller()
    if not sp._by_prefix:
        pytest.skip("the C DAWG is not installed")
    for budget in (1, 2):
        assert sp._walk(word, budget) == _reference_walk(sp, word, budget)
    small = spell.Speller(max_states=40)  # a walk cut short by the state limit stops at the same state
    assert small._walk(word, 2) == _reference_walk(small, word, 2)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="аеёиоклмнпрстьй", min_size=1, max_size=7))
def test_the_inlined_walk_matches_on_generated_words(word: str) -> None:
    sp = speller()
    if sp._by_prefix:
        assert sp._walk(word, 2) == _reference_walk(sp, word, 2)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="аеиоклмнпрстьйзщ", min_size=2, max_size=8), st.sampled_from([0.6, 1.0, 1.4]))
def test_cheap_candidates_are_the_candidates_within_the_cost(word: str, max_cost: float) -> None:
    """With ``max_cost`` the speller gives what it gives without it when there are words one
    edit away; else the words of the full two-edit search that cost at most ``max_cost``,
    ranked the same way (the full search keeps its best ten: a prefix of them then)."""
    sp = spell.Speller(max_states=10**9)  # no walk is cut short
    full = sp.candidates(word, 2, limit=10)
    cheap = sp.candidates(word, 2, limit=10, max_cost=max_cost)
    if sp._walk(word, 1):
        assert cheap == full
        return
    within = [c for c in full if c.cost <= max_cost + 1e-9]
    assert list(cheap[: len(within)]) == within
    if len(full) < 10:
        assert list(cheap) == within


def _reference_distance(a: str, b: str) -> float:
    """``_weighted_distance`` as it was written before: a full table of cost calls."""
    n, m = len(a), len(b)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + spell._indel_cost(b, 0, a[i - 1])
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + spell._indel_cost(a, 0, b[j - 1])
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = min(
                d[i - 1][j] + spell._indel_cost(b, j, a[i - 1]),
                d[i][j - 1] + spell._indel_cost(a, i, b[j - 1]),
                d[i - 1][j - 1] + spell._sub_cost(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, d[i - 2][j - 2] + 0.6)
            d[i][j] = best
    return d[n][m]


_SLIPS = st.text(alphabet="аеёиоуыбпдтзсжшщйьъкгвфмн", max_size=9)


@settings(max_examples=1500, deadline=None)
@given(_SLIPS, _SLIPS)
def test_weighted_distance_gives_the_table_s_sums(a: str, b: str) -> None:
    assert spell._weighted_distance(a, b) == _reference_distance(a, b)
    assert spell._weighted_distance(a, a + b) == _reference_distance(a, a + b)


def test_rules_from_the_rule_cache_watch_their_words_in_the_new_process(monkeypatch) -> None:
    """The bits of watched words are per process: unpickled rules register their words again."""
    import io

    from chatlint.rule_cache import _Pickler, _Unpickler

    rules = list(FINDERS.values())
    buf = io.BytesIO()
    _Pickler(buf, _ALL.ctx).dump(rules)
    # another process: other words were watched first, so every bit differs
    monkeypatch.setattr(prefilter, "_WORDS", {"зюзя": prefilter._FIRST_WORD_BIT})
    monkeypatch.setattr(prefilter, "_CHUNK_BITS", {})
    monkeypatch.setattr(prefilter, "_VERSION", prefilter._VERSION + 1000)
    loaded = _Unpickler(io.BytesIO(buf.getvalue()), _ALL.ctx).load()
    fired = set()
    for rule in loaded:
        for text in TRICKY:
            doc = Doc(text, _ALL.morph)
            found = rule.impl.find(doc)
            assert found == PLAIN[rule.kind](rule.impl, doc), (rule.id, text)
            fired |= {rule.id} if found else set()
    assert {"style/filler", "style/abbreviation", "taboo/bare-no", "template/placeholder"} <= fired


def _one_edit_words() -> list[str]:
    replies = _bench_texts(1500)
    found = sorted({w.lower() for r in replies for w in regex.findall(r"\p{Cyrillic}+", r)})
    return found + ["ёлка", "елка", "ёжик", "ещё", "еще", "всё", "все", "пришёл", "пришел", "ё", "е", "я", "ъ"]


def test_one_edit_lookups_find_what_the_walk_finds() -> None:
    sp = spell.Speller()
    if not sp._by_prefix:  # pragma: no cover - the C DAWG is a dependency
        pytest.skip("pymorphy3 without its C DAWG")
    for word in _one_edit_words():
        assert sp._one_edit(word) == sp._walk_by_prefix(word, 1), word


@settings(max_examples=300)
@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя", min_size=1, max_size=14))
def test_one_edit_lookups_find_what_the_walk_finds_on_any_letters(word: str) -> None:
    sp = speller()
    if sp._by_prefix:
        assert sp._one_edit(word) == sp._walk_by_prefix(word, 1)
