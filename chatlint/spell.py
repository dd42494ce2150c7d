"""Spelling support: strict dictionary look-up and correction candidates.

``Speller`` answers two questions about a lower-cased word form (with «е» for «ё»):
is it in the OpenCorpora dictionary that pymorphy3 ships (strictly: no guessing from
suffixes or prefixes), and which dictionary words are one or two edits away from it.
Candidates are found by walking the dictionary's DAWG along the word with an edit
budget, so only prefixes that exist are explored; results are cached per word form.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from chatlint.limits import evict_older_half
from chatlint.morph import analyzer
from chatlint.text import fold

_SEPARATOR = 1  # pymorphy3 stores «word \x01 payload» keys
_VOWEL_CONFUSIONS = ("еиэяё", "оаё", "юу", "ыи")
_CONSONANT_CONFUSIONS = ("шщ", "зс", "дт", "бп", "гк", "вф", "жш", "цс", "йи", "ьъ")
_KEYBOARD_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_CHEAP_INSERTS = frozenset("ьъй")
_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _neighbours() -> dict[str, frozenset[str]]:
    pos = {ch: (r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)}
    near: dict[str, set[str]] = {ch: set() for ch in pos}
    for a, (ra, ca) in pos.items():
        for b, (rb, cb) in pos.items():
            if a != b and abs(ra - rb) <= 1 and abs(ca - cb) <= 1:
                near[a].add(b)
    return {k: frozenset(v) for k, v in near.items()}


_NEAR_KEYS = _neighbours()
_CONFUSABLE = {(a, b) for group in _VOWEL_CONFUSIONS + _CONSONANT_CONFUSIONS for a in group for b in group if a != b}


class Candidate(NamedTuple):
    """A dictionary word near the misspelt one: the weighted edit cost and a ranking score."""

    word: str
    cost: float  # weighted edit distance: common slips cost less than random ones
    rank: float  # cost, less a bonus for words seen in the annotated corpus (lower is likelier)


class Speller:
    """Dictionary membership and correction candidates over pymorphy3's word DAWG.

    Thread-safe: the DAWG is read-only and the caches are replaced, not mutated in place,
    when they are cleared.
    """

    def __init__(self, max_cache: int = 20_000, max_states: int = 6000, words=None) -> None:
        morph = analyzer()
        self._words = words if words is not None else morph.dictionary.words
        self._corpus = morph.prob_estimator.p_t_given_w if morph.prob_estimator else None
        self._dct = getattr(self._words, "dct", None)
        self._guide = getattr(self._words, "guide", None)
        # the pure-Python DAWG exposes its units (walk by index); the C extension answers
        # prefix questions (walk by prefix string); anything else: edit distance 1 by brute force
        self._by_index = hasattr(self._dct, "follow_char") and hasattr(self._guide, "child")
        self._by_prefix = not self._by_index and hasattr(self._words, "has_keys_with_prefix")
        self._walkable = self._by_index or self._by_prefix
        self._root = 0 if self._by_index else ""
        self._children: dict = {}
        self._cache: dict[tuple[str, int, float | None], tuple[Candidate, ...]] = {}
        self._known: dict[str, bool] = {}
        self._replaces = self._words.compile_replaces({"е": "ё"})
        self._max_cache = max_cache
        self._max_states = max_states
        self._lock = threading.Lock()

    # --- membership -------------------------------------------------------------------
    def known(self, word: str) -> bool:
        """The dictionary has this exact form (an «е» may stand for «ё»)."""
        cached = self._known.get(word)
        if cached is None:
            cached = bool(self._words.similar_keys(word, self._replaces)) if word else False
            if len(self._known) >= self._max_cache:
                evict_older_half(self._known)
            self._known[word] = cached
        return cached

    def common(self, word: str) -> bool:
        """The word occurs in the annotated OpenCorpora corpus (a rough frequency signal)."""
        if self._corpus is None:
            return False
        return bool(self._corpus.keys(word + ":")) or bool(self._corpus.keys(word.replace("е", "ё") + ":"))

    # --- candidates -------------------------------------------------------------------
    def candidates(
        self, word: str, max_distance: int = 2, limit: int = 3, max_cost: float | None = None
    ) -> tuple[Candidate, ...]:
        """Dictionary words within ``max_distance`` edits of ``word``, best first.

        The words one edit away when there are any, else those two edits away, and so on.
        With ``max_cost``, the search beyond one edit follows only paths that can stay
        within that weighted cost (much quicker) and ranks only the words within it; the
        words one edit away are all ranked, as without it."""
        key = (word, max_distance, max_cost)
        cached = self._cache.get(key)
        if cached is not None:
            return cached[:limit]
        found: dict[str, int] = {}
        cheap = False
        for distance in range(1, max_distance + 1):
            cheap = max_cost is not None and distance > 1 and self._by_prefix
            found = self._walk_cheap(word, distance, max_cost) if cheap else self._search(word, distance)
            if found:
                break
        costs = {w: self._cost(word, w) for w in found}
        if cheap:
            costs = {w: c for w, c in costs.items() if c <= max_cost + 1e-9}
        ranked = sorted(
            (Candidate(w, c, c - (0.6 if self.common(w) else 0.0)) for w, c in costs.items()),
            key=lambda c: (c.rank, c.word),
        )
        result = tuple(ranked[:10])
        if len(self._cache) >= self._max_cache:
            evict_older_half(self._cache)
        self._cache[key] = result
        return result[:limit]

    def _search(self, word: str, budget: int) -> dict[str, int]:
        if budget == 1 and self._by_prefix:
            return self._one_edit(word)
        if self._walkable:
            return self._walk(word, budget)
        return self._brute_force(word) if budget == 1 else {}

    def _char_children(self, index):
        """Cyrillic letters that continue the prefix ending at ``index`` (a node or a prefix)."""
        cached = self._children.get(index)
        if cached is not None:
            return cached
        if self._by_prefix:
            has = self._words.has_keys_with_prefix
            out = [(fold(ch), index + ch) for ch in _ALPHABET if has(index + ch)]
            with self._lock:
                if len(self._children) >= self._max_cache:
                    evict_older_half(self._children)
                self._children[index] = out
            return out
        out = []
        for b1, c1 in self._byte_children(index):
            if b1 in (0xD0, 0xD1):
                for b2, c2 in self._byte_children(c1):
                    ch = bytes((b1, b2)).decode("utf-8", "replace")
                    if ch == "ё":
                        ch = "е"
                    if "а" <= ch <= "я":
                        out.append((ch, c2))
        with self._lock:
            if len(self._children) >= self._max_cache:
                evict_older_half(self._children)
            self._children[index] = out
        return out

    def _byte_children(self, index: int):
        dct, guide = self._dct, self._guide
        label = guide.child(index)
        while label:
            child = dct.follow_char(label, index)
            if child is None:
                break
            yield label, child
            label = guide.sibling(child)

    def _follow(self, ch: str, index) -> list:
        if self._by_prefix:
            has = self._words.has_keys_with_prefix
            out = [index + ch] if has(index + ch) else []
            if ch == "е" and has(index + "ё"):
                out.append(index + "ё")
            return out
        dct = self._dct
        out = []
        nxt = dct.follow_bytes(ch.encode("utf-8"), index)
        if nxt is not None:
            out.append(nxt)
        if ch == "е":
            nxt = dct.follow_bytes("ё".encode(), index)
            if nxt is not None:
                out.append(nxt)
        return out

    def _final(self, index) -> bool:
        if self._by_prefix:
            return index in self._words
        return self._dct.follow_char(_SEPARATOR, index) is not None

    def _walk(self, word: str, budget: int) -> dict[str, int]:
        """Depth-first walk of the DAWG along ``word`` spending at most ``budget`` edits."""
        if self._by_prefix:
            return self._walk_by_prefix(word, budget)
        n = len(word)
        found: dict[str, int] = {}
        seen: set[tuple] = set()
        stack: list[tuple] = [(self._root, 0, budget, "")]
        limit = self._max_states * (4 if budget == 1 else 1)  # one edit is cheap to search fully
        while stack:
            node, pos, left, out = stack.pop()
            state = (node, pos, left, out)  # a DAWG shares nodes between prefixes: keep ``out`` apart
            if state in seen:
                continue
            seen.add(state)
            if len(seen) > limit:
                break  # a bounded search: a rare long word may lose a distant candidate
            if pos == n and left < budget and self._final(node):
                used = budget - left
                if found.get(out, 99) > used:
                    found[out] = used
            if pos < n:
                for nxt in self._follow(word[pos], node):
                    stack.append((nxt, pos + 1, left, out + word[pos]))
            if not left or (pos == 0 and budget > 1):
                continue  # two-edit search keeps the first letter: few slips touch it
            if pos < n:
                stack.append((node, pos + 1, left - 1, out))  # a letter too many
            for ch, child in self._char_children(node):
                stack.append((child, pos, left - 1, out + ch))  # a missing letter
                if pos < n and ch != word[pos]:
                    stack.append((child, pos + 1, left - 1, out + ch))  # a wrong letter
            if pos + 1 < n and word[pos] != word[pos + 1]:
                for a in self._follow(word[pos + 1], node):  # two letters swapped
                    for b in self._follow(word[pos], a):
                        stack.append((b, pos + 2, left - 1, out + word[pos + 1] + word[pos]))
        found.pop(word, None)
        return found

    def _one_edit(self, word: str) -> dict[str, int]:
        """The words one edit from ``word`` (``е`` standing for ``ё`` too), as ``_walk(word, 1)``
        finds them, but by lookups instead of a letter-by-letter walk: every deletion, swap,
        and every insertion or substitution of a letter that can follow a prefix the word's
        start can be in the dictionary, each candidate looked up whole (about 2x quicker)."""
        words, has = self._words, self._words.has_keys_with_prefix
        n = len(word)
        level, levels = [""], [[""]]  # the dictionary prefixes word[:pos] can be, pos = 0, 1, …
        for pos in range(n):
            ch = word[pos]
            nxt = [p + ch for p in level if has(p + ch)]
            if ch == "е":
                nxt += [p + "ё" for p in level if has(p + "ё")]
            if not nxt:
                break
            level = nxt
            levels.append(level)
        reach = len(levels) - 1  # no edit past here can give a dictionary word
        candidates = set()
        for pos in range(min(reach, n - 1) + 1):
            candidates.add(word[:pos] + word[pos + 1 :])  # a letter too many
            if pos + 1 < n and word[pos] != word[pos + 1]:
                candidates.add(word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :])  # two letters swapped
        for pos in range(reach + 1):
            letters = {ch for p in levels[pos] for ch, _ in self._char_children(p)}
            head, tail = word[:pos], word[pos:]
            rest = word[pos + 1 :]
            for ch in letters:
                candidates.add(head + ch + tail)  # a missing letter
                if pos < n and ch != word[pos]:
                    candidates.add(head + ch + rest)  # a wrong letter
        candidates.discard(word)
        similar, replaces = words.similar_keys, self._replaces
        return {c: 1 for c in candidates if c in words or ("е" in c and similar(c, replaces))}

    def _walk_by_prefix(self, word: str, budget: int) -> dict[str, int]:
        """``_walk`` over the C DAWG, with its helpers inlined: the same states in the same
        order (so the same words when the state limit cuts the walk short), in less time."""
        n = len(word)
        found: dict[str, int] = {}
        seen: set[tuple] = set()
        stack: list[tuple] = [("", 0, budget, "")]
        pop, push, mark = stack.pop, stack.append, seen.add
        has = self._words.has_keys_with_prefix
        words = self._words
        children_of = self._char_children
        limit = self._max_states * (4 if budget == 1 else 1)
        keep_first = budget > 1  # two-edit search keeps the first letter: few slips touch it
        while stack:
            state = pop()
            if state in seen:
                continue
            mark(state)
            if len(seen) > limit:
                break  # a bounded search: a rare long word may lose a distant candidate
            node, pos, left, out = state
            if pos == n:
                if left < budget and node in words:
                    used = budget - left
                    if found.get(out, 99) > used:
                        found[out] = used
            else:
                ch = word[pos]
                nxt = node + ch
                if has(nxt):
                    push((nxt, pos + 1, left, out + ch))
                if ch == "е" and has(node + "ё"):
                    push((node + "ё", pos + 1, left, out + ch))
            if not left or (pos == 0 and keep_first):
                continue
            left -= 1
            if pos < n:
                push((node, pos + 1, left, out))  # a letter too many
                here = word[pos]
                for ch, child in children_of(node):
                    push((child, pos, left, out + ch))  # a missing letter
                    if ch != here:
                        push((child, pos + 1, left, out + ch))  # a wrong letter
            else:
                for ch, child in children_of(node):
                    push((child, pos, left, out + ch))  # a missing letter
            if pos + 1 < n:
                first, second = word[pos + 1], word[pos]
                if first != second:  # two letters swapped
                    swapped = out + first + second
                    for a in (node + first, node + "ё") if first == "е" else (node + first,):
                        if has(a):
                            for b in (a + second, a + "ё") if second == "е" else (a + second,):
                                if has(b):
                                    push((b, pos + 2, left, swapped))
        found.pop(word, None)
        return found

    def _walk_cheap(self, word: str, budget: int, max_cost: float) -> dict[str, int]:
        """``_walk_by_prefix`` that spends at most ``max_cost`` (weighted): a path is dropped
        as soon as a lower bound of its cost exceeds it. Substitutions, insertions and
        swaps cost what ``_weighted_distance`` charges them; a deletion is charged its
        cheapest price (0.5), since whether the letter doubles its neighbour in the
        candidate is known only later. Every word within ``max_cost`` is found (its
        cheapest alignment is a path whose lower bound is within it), some beyond too."""
        n = len(word)
        bound = max_cost + 1e-9
        found: dict[str, int] = {}
        best: dict[tuple, float] = {}
        stack: list[tuple] = [("", 0, budget, "", 0.0)]
        pop, push = stack.pop, stack.append
        has = self._words.has_keys_with_prefix
        words = self._words
        children_of = self._char_children
        limit = self._max_states * (4 if budget == 1 else 1)
        keep_first = budget > 1
        while stack:
            node, pos, left, out, cost = pop()
            key = (node, pos, left, out)
            seen = best.get(key)
            if seen is not None and seen <= cost:
                continue
            best[key] = cost
            if len(best) > limit:
                break
            if pos == n:
                if left < budget and node in words:
                    used = budget - left
                    if found.get(out, 99) > used:
                        found[out] = used
            else:
                ch = word[pos]
                nxt = node + ch
                if has(nxt):
                    push((nxt, pos + 1, left, out + ch, cost))
                if ch == "е" and has(node + "ё"):
                    push((node + "ё", pos + 1, left, out + ch, cost))
            if not left or (pos == 0 and keep_first):
                continue
            left -= 1
            here = word[pos] if pos < n else ""
            before = word[pos - 1] if pos else ""
            if pos < n and cost + 0.5 <= bound:
                push((node, pos + 1, left, out, cost + 0.5))  # a letter too many
            for ch, child in children_of(node):
                step = 0.5 if ch in _CHEAP_INSERTS or ch == before or ch == here else 1.0
                if cost + step <= bound:
                    push((child, pos, left, out + ch, cost + step))  # a missing letter
                if here and ch != here:
                    step = _sub_cost(here, ch)
                    if cost + step <= bound:
                        push((child, pos + 1, left, out + ch, cost + step))  # a wrong letter
            if pos + 1 < n and cost + 0.6 <= bound and word[pos] != word[pos + 1]:
                self._push_swap(word, pos, node, left, out, cost + 0.6, push)
        found.pop(word, None)
        return found

    def _push_swap(self, word: str, pos: int, node: str, left: int, out: str, cost: float, push) -> None:
        """Push the states after the two letters at ``pos`` typed the other way round."""
        has = self._words.has_keys_with_prefix
        first, second = word[pos + 1], word[pos]
        swapped = out + first + second
        for a in (node + first, node + "ё") if first == "е" else (node + first,):
            if has(a):
                for b in (a + second, a + "ё") if second == "е" else (a + second,):
                    if has(b):
                        push((b, pos + 2, left, swapped, cost))

    def _brute_force(self, word: str) -> dict[str, int]:
        """Edit distance 1 by generating every edit (when the DAWG cannot be walked)."""
        letters = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
        edits |= {a + c + b for a, b in splits for c in letters}
        edits.discard(word)
        return {w: 1 for w in edits if self.known(w)}

    @staticmethod
    def _cost(word: str, cand: str) -> float:
        """Weighted Damerau–Levenshtein distance: common slips cost less than random ones."""
        return _weighted_distance(word, cand)


def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if (a, b) in _CONFUSABLE:
        return 0.5
    if b in _NEAR_KEYS.get(a, ()):
        return 0.7
    return 1.0


def _indel_cost(word: str, i: int, ch: str) -> float:
    """Cost of a letter ``ch`` missing from or added to ``word`` next to position ``i``."""
    if ch in _CHEAP_INSERTS:
        return 0.5
    if (i > 0 and word[i - 1] == ch) or (i < len(word) and word[i] == ch):
        return 0.5  # a doubled or undoubled letter
    return 1.0


def _weighted_distance(a: str, b: str) -> float:
    """Weighted optimal-string-alignment distance: ``_sub_cost`` for a wrong letter,
    ``_indel_cost`` for a letter missing or too many, 0.6 for two letters swapped.

    Two rows at a time with the costs inlined (the same sums as a full table of
    ``_indel_cost``/``_sub_cost`` calls: ``tests/test_speed_finders.py`` compares them)."""
    n, m = len(a), len(b)
    cheap = _CHEAP_INSERTS
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        ch = b[j - 1]
        prev[j] = prev[j - 1] + (0.5 if ch in cheap or (n > 0 and a[0] == ch) else 1.0)
    prev2 = prev
    for i in range(1, n + 1):
        ai = a[i - 1]
        before = a[i - 2] if i > 1 else None
        after = a[i] if i < n else None
        ai_cheap = ai in cheap
        row = [prev[0] + (0.5 if ai_cheap or (m > 0 and b[0] == ai) else 1.0)]
        for j in range(1, m + 1):
            bj = b[j - 1]
            delete = 0.5 if ai_cheap or bj == ai or (j < m and b[j] == ai) else 1.0  # a[i-1] too many
            insert = 0.5 if bj in cheap or ai == bj or after == bj else 1.0  # b[j-1] missing
            best = min(prev[j] + delete, row[j - 1] + insert, prev[j - 1] + (0.0 if ai == bj else _sub_cost(ai, bj)))
            if i > 1 and j > 1 and ai == b[j - 2] and before == bj:
                best = min(best, prev2[j - 2] + 0.6)
            row.append(best)
        prev2, prev = prev, row
    return prev[m]


_SPELLER: Speller | None = None
_SPELLER_LOCK = threading.Lock()


def speller() -> Speller:
    """The process-wide speller, created on first use."""
    global _SPELLER
    if _SPELLER is None:
        with _SPELLER_LOCK:
            if _SPELLER is None:
                _SPELLER = Speller()
    return _SPELLER
