"""Cheap rejects shared by the text-scanning kinds: what the chunks of a reply contain.

A reply is split at whitespace into chunks (``str.split()``). Most of what the finder
kinds look for cannot span whitespace, or needs a chunk of a certain shape, so each
distinct chunk gets a set of bits once (cached, bounded) and a reply's bits are the union
of its chunks' bits. A kind asks for its bits and skips its expensive scan when they are
absent. The answer for the reply being checked is kept per thread (by the identity of its
text), so the kinds asking about one reply split it once.

Bits of a chunk:

* feature bits (``MARK_START`` … ``CAPS``), fixed, for ``typography``, ``obscene`` and ``caps``;
* one bit per *watched word*: a case-folded word of Latin or Cyrillic letters that a rule
  needs (``regex`` with ``prefilter:``, ``abbreviation``). A chunk has the word when the word
  is a maximal run of Latin and Cyrillic letters of ``chunk.casefold()``, which is looser
  than any regex's idea of a whole word: a word bounded by non-letters is always found
  (``tests/test_speed_finders.py`` checks that case folding maps every character that the
  ``regex`` module's ``IGNORECASE`` equates with a basic letter to that letter, and no
  non-letter to one — except the Turkish «İ» and «ı», which ``IGNORECASE`` equates with «i»
  and «I»: a word or literal with an «i» lets every reply with one of them through).
"""

from __future__ import annotations

import re
import threading
from functools import reduce
from operator import or_

import regex

from chatlint.limits import evict_older_half

MARK_START = 1  # the chunk starts with «, ! ? ; : .» (a space before a mark)
MARK_PAIR = 2  # a mark followed by a letter, a capital or another mark («,слово», «??»)
STRETCHED = 4  # a Cyrillic letter three times in a row, in any case
MIXED = 8  # a Latin letter next to a Cyrillic one
SINGLE = 16  # one letter or «*» alone
LEFT = 32  # ends with a letter or «*» that follows no letter, digit or «*» in the chunk
RIGHT = 64  # starts with a letter or «*» that no letter, digit or «*» follows in the chunk
CAPS = 128  # two capitals with nothing but marks, apostrophes or hyphens between them
_FIRST_WORD_BIT = 1 << 8

_MARK_PAIR = re.compile(r"[,;!?.][!,.?A-Z\x80-\U0010ffff]")  # every Cyrillic letter is above \x7f
_STRETCHED = re.compile(r"([а-яё])\1\1")
_MIXED = re.compile(r"[a-zA-Z](?:(?<=[а-яёА-ЯЁ][a-zA-Z])|(?=[а-яёА-ЯЁ]))")
# Two capitals with nothing but marks, apostrophes or hyphens between them: every word in
# capitals has this (an alphabetic character that is upper-case is a \p{Lu}); the CAPS bit.
CAPS_HINT = regex.compile(r"\p{Lu}[\p{M}'’-]*\p{Lu}")
_LETTER = regex.compile(r"[\p{L}*]")
_WORDISH = regex.compile(r"[\p{L}\d*]")
_WORD_RUN = re.compile(r"[a-zа-яё]+")
BASIC_WORD = re.compile(r"[a-zа-яё]+\Z")
TURKISH_I = ("İ", "ı")  # IGNORECASE equates them with «i», «I»; case folding does not
CHUNK_CACHE_SIZE = 20_000

_WORDS: dict[str, int] = {}  # a watched word -> its bit
_CHUNK_BITS: dict[str, int] = {}  # a chunk -> its bits
_VERSION = 0  # bumped when a word is added: bits cached before may lack it
_LOCK = threading.Lock()
_LOCAL = threading.local()


MAX_WATCHED_WORDS = 1024  # then the registry starts afresh: bits (and cached chunk bits) stay under 130 bytes
_GENERATION = 0  # bumped when the registry starts afresh: every mask must be taken again


def watch(words: frozenset[str]) -> tuple[int, int]:
    """Register case-folded words of basic letters; the mask of their bits and the registry's
    generation it belongs to (see ``Watched``, which keeps a mask current)."""
    global _CHUNK_BITS, _VERSION, _GENERATION
    with _LOCK:
        new = [w for w in sorted(words) if w not in _WORDS]
        if new:
            if len(_WORDS) + len(new) > MAX_WATCHED_WORDS:
                _WORDS.clear()  # the bits of every word so far are void: masks are taken again
                _GENERATION += 1
                new = sorted(words)
            for word in new:
                _WORDS[word] = _FIRST_WORD_BIT << len(_WORDS)
            _CHUNK_BITS = {}
            _VERSION += 1
        return reduce(or_, (_WORDS[w] for w in words), 0), _GENERATION


class Watched:
    """Words a kind needs one of: ``in_reply`` says whether a reply may hold one of them.

    Its mask is taken again when the registry has started afresh, and the answer is given only
    when the registry did not change while it was computed, so a mask never meets bits of
    another generation (no false «absent»). Unpickled (the rule cache), it is watched anew."""

    __slots__ = ("words", "_mask", "_generation")

    def __init__(self, words) -> None:
        self.words = frozenset(words)
        self._mask, self._generation = watch(self.words)

    def __reduce__(self):
        return (Watched, (sorted(self.words),))

    def in_reply(self, text: str) -> bool:
        while True:
            generation = _GENERATION
            if self._generation != generation:
                self._mask, self._generation = watch(self.words)
            bits = reply_bits(text)[0]
            if generation == _GENERATION == self._generation:
                return bool(self._mask & bits)


def chunk_bits(chunk: str) -> int:
    """The bits of one chunk (not cached)."""
    bits = 0
    if chunk[0] in ",!?;:.":
        bits |= MARK_START
    if _MARK_PAIR.search(chunk):
        bits |= MARK_PAIR
    if _STRETCHED.search(chunk.lower()):
        bits |= STRETCHED
    if _MIXED.search(chunk):
        bits |= MIXED
    if _LETTER.match(chunk[-1]) and (len(chunk) == 1 or not _WORDISH.match(chunk[-2])):
        bits |= LEFT
        if len(chunk) == 1:
            bits |= SINGLE
    if _LETTER.match(chunk[0]) and (len(chunk) == 1 or not _WORDISH.match(chunk[1])):
        bits |= RIGHT
    if CAPS_HINT.search(chunk):
        bits |= CAPS
    for word in _WORD_RUN.findall(chunk.casefold()):
        bits |= _WORDS.get(word, 0)
    return bits


def _record(text: str) -> list:
    """This thread's record of the last text: ``[text, chunks, (bits, each) or None, version]``."""
    record = getattr(_LOCAL, "record", None)
    if record is None or record[0] is not text:
        record = _LOCAL.record = [text, text.split(), None, -1]
    return record


def chunks(text: str) -> list[str]:
    """``text.split()`` (kept for the last text of the thread)."""
    return _record(text)[1]


def reply_bits(text: str) -> tuple[int, list[int]]:
    """The union of the bits of the chunks of ``text``, and the bits of each chunk."""
    record = _record(text)
    version, cache = _VERSION, _CHUNK_BITS
    if record[3] == version:
        return record[2]
    split = record[1]
    each = list(map(cache.get, split))
    if None in each:
        for i, chunk in enumerate(split):
            if each[i] is None:
                each[i] = found = chunk_bits(chunk)
                if len(cache) >= CHUNK_CACHE_SIZE:
                    evict_older_half(cache)
                cache[chunk] = found
    record[2], record[3] = (reduce(or_, each, 0), each), version
    return record[2]


def spaced_letters(each: list[int]) -> bool:
    """Three chunks in a row that could be letters spaced out («х у й», «(х у й)»)."""
    for i in range(1, len(each) - 1):
        if each[i] & SINGLE and each[i - 1] & LEFT and each[i + 1] & RIGHT:
            return True
    return False


class Prefilter:
    """Literals one of which must occur (case-insensitively) for a match to be possible.

    An entry made only of Latin or Cyrillic letters must occur as a whole word (not inside
    a longer word); any other entry as a substring.
    """

    __slots__ = ("entries", "words", "watched", "literals", "folded", "dotted")

    def __init__(self, entries: list[str]) -> None:
        self.entries = tuple(entries)
        words, literals, cased = set(), [], False
        for entry in entries:
            folded = entry.casefold()
            if BASIC_WORD.match(folded):
                words.add(folded)
            else:
                literals.append(folded)
                cased = cased or any(c != c.upper() or c != c.lower() or c != c.casefold() for c in entry)
        self.words = frozenset(words)
        self.watched = Watched(self.words) if words else None
        self.literals = tuple(literals)
        self.folded = cased  # literals without cased characters are looked for in the text as it is
        self.dotted = any("i" in entry for entry in self.words.union(literals))

    def __reduce__(self):
        return (Prefilter, (list(self.entries),))  # unpickled: built again, its words watched here

    def admits(self, text: str) -> bool:
        """``text`` has one of the literals: the expensive scan may find something."""
        if self.dotted and (TURKISH_I[0] in text or TURKISH_I[1] in text):
            return True
        if self.literals:
            haystack = text.casefold() if self.folded else text
            for literal in self.literals:
                if literal in haystack:
                    return True
        return self.watched is not None and self.watched.in_reply(text)
