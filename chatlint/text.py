"""The text layer: tokens with offsets into the original text, sentences, normalisation.

Normalisation (case, «ё» = «е», Latin, Greek, Ukrainian and fullwidth look-alikes inside
Cyrillic words) only changes the ``norm`` of a token, used for matching; offsets always
point into the original text. Invisible characters inside words (zero-width space, soft
hyphen, joiners, BOM, variation selectors, combining accents) are dropped before the text
is tokenized, and each token's offsets are mapped back (``chatlint.disguise``).
"""

from __future__ import annotations

from typing import NamedTuple

import regex

from chatlint.disguise import fold_scripts, strip_invisible
from chatlint.limits import evict_older_half

# Token kinds.
WORD = "word"
NUMBER = "number"
CODE = "code"  # letters mixed with digits: promo codes, order numbers, models
EMOJI = "emoji"
PUNCT = "punct"
URL = "url"
EMAIL = "email"
PHONE = "phone"
MENTION = "mention"
PLACEHOLDER = "placeholder"

# The first two alternatives are fast paths for the commonest tokens: a plain word and a
# punctuation mark, each guarded so that it matches only where none of the slower
# alternatives after it could (a URL, an e-mail, a promo code, a run of dashes …); the
# result is the same as without them (tests/test_speedups.py checks it), only faster.
_TOKEN_RE = regex.compile(
    r"""
    (?P<word>(?!https?://|www\.)(?>\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*)(?![\w\p{M}]|[\w.+-]{0,64}@))
  | (?P<punct>[,:;()«»"](?![\p{M}\uFE0F\u200D])|[.!?…]++(?=[\s»")]|$))
  | (?P<url>(?:https?://|www\.)[^\s<>«»"']*[^\s<>«»"'.,;:!?)\]])
  | (?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<placeholder>\{\{[^{}\n]*\}\}|\{[\w.]+\}|%[\w.]+%|\[[\p{Lu}\d_ ]+\])
  | (?P<mention>(?<![\w@])@\w+)
  | (?P<phone>(?<!\d)(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)
        |(?<![\d+])\+\d{1,3}[\s(-]*\d{2,4}[\s)-]*\d{2,4}[\s-]*\d{2,4}(?:[\s-]*\d{2,4})?(?!\d))
  | (?P<emoji>(?:\p{RI}\p{RI}|[#*0-9]\uFE0F?\u20E3
        |\p{Extended_Pictographic}[\uFE0E\uFE0F\p{EMod}\U000E0020-\U000E007F]*
         (?:\u200D\p{Extended_Pictographic}[\uFE0E\uFE0F\p{EMod}]*)*))
  | (?P<code>(?=[\p{L}\p{M}\d]*\d)(?=[\p{L}\p{M}\d]*\p{L})[\p{L}\p{M}\d]+(?:-[\p{L}\p{M}\d]+)*)
  | (?P<number>\d+(?:[.,:]\d+)*(?:-[\p{L}]+)?)
  | (?P<word>\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*)
  | (?P<punct>[.!?…]+|[\p{Pd}]+|\S[\p{M}\uFE0F\u200D]*)
    """,
    regex.VERBOSE,
)

# Latin letters that look like Cyrillic ones, for words that mix the two scripts.
_LOOKALIKES = str.maketrans(
    "aceopxyETOPAHKXCBMkmtbu",
    "асеорхуЕТОРАНКХСВМкмтьи",
)
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LATIN = regex.compile(r"\p{Latin}")


class Token(NamedTuple):
    """A token: ``text[start:end]`` is its surface; ``norm`` is used for matching."""

    kind: str
    start: int
    end: int
    text: str
    norm: str
    sentence: int  # index of the sentence the token belongs to
    newline_before: bool  # a line break separates it from the previous token


def fold(word: str) -> str:
    """Lower case with «ё» read as «е»: the one form words are compared in (writers use «ё» only now and then)."""
    return word.lower().replace("ё", "е")


def normalise(word: str) -> str:
    """Lower-case, «ё» → «е», Latin look-alikes → Cyrillic in a word (or hyphen-joined part) mixing scripts.

    «USB-кабель» keeps its Latin «USB»; «нe» typed with a Latin «e» reads as «не»; Greek,
    Ukrainian and fullwidth look-alikes are read as Cyrillic too («нο» with a Greek «ο»).
    """
    if not word.isascii():
        word = fold_scripts(word)
    if _LATIN.search(word) and _CYRILLIC.search(word):
        word = "-".join(
            part.translate(_LOOKALIKES) if _LATIN.search(part) and _CYRILLIC.search(part) else part
            for part in word.split("-")
        )
    return fold(word)


# normalise() of the word forms seen so far: most words of a reply were seen before.
_NORM_CACHE: dict[str, str] = {}
NORM_CACHE_SIZE = 20_000


def _cached_normalise(word: str) -> str:
    norm = _NORM_CACHE.get(word)
    if norm is None:
        if len(_NORM_CACHE) >= NORM_CACHE_SIZE:
            evict_older_half(_NORM_CACHE)
        norm = _NORM_CACHE[word] = normalise(word)
    return norm


def has_lookalikes(word: str) -> bool:
    """True when a word mixes Cyrillic and Latin letters (e.g. «нe» with a Latin «e»)."""
    return bool(_LATIN.search(word) and _CYRILLIC.search(word))


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, each with its sentence index.

    A sentence ends after «.», «!», «?», «…» (a run of them counts once) when what follows
    is not a lower-case letter or a digit, and at every line break. Invisible characters
    inside words are skipped: «не\u200bзнаю» is one word, its offsets those of the original.
    """
    clean, where = strip_invisible(text)
    if where is not None:
        return _mapped_back(tokenize(clean), where, text)
    if not text.isprintable() or "{" in text or "[" in text:
        return _tokenize(text)
    # Fast path: a one-line text whose only white space is " " (isprintable) and without
    # placeholders that may hold spaces. No token then spans a run of spaces, except a
    # phone number's (which needs a digit or «(», «)», «-» on both sides), and no token
    # looks across one, so each space-separated piece tokenizes on its own, the same
    # wherever it stands: its tokens are cached per piece (most pieces were seen before).
    # Pieces around a run of spaces a phone number may span are joined and tokenized again.
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__
    cache = _PIECE_CACHE
    sentence = 0
    pending_end = False
    offset = 0
    # the current group of joined pieces: where it starts, and the state before it
    group = kept = sentence0 = joins = 0
    pending0 = phone_end = False
    for piece in text.split(" "):
        if piece:
            entry = cache.get(piece) or _piece_tokens(piece)
            if phone_end and entry[4]:
                joins += 1
                if joins > MAX_JOINS:
                    return _tokenize(text)  # bounded work on a long run of numbers
                del tokens[kept:]
                sentence, pending_end = sentence0, pending0
                entry = _piece_tokens(text[group : offset + len(piece)], store=False)
            else:
                group, kept, sentence0, pending0 = offset, len(tokens), sentence, pending_end
            first_starts, rows, sentences, pending, _, phone_end = entry
            if pending_end and first_starts:
                sentence += 1
            for kind, start, end, surface, norm, rel in rows:
                append(new(Token, (kind, group + start, group + end, surface, norm, sentence + rel, False)))
            sentence += sentences
            pending_end = pending
        offset += len(piece) + 1
    return tokens


def _mapped_back(tokens: list[Token], where: list[int], text: str) -> list[Token]:
    """Tokens of the text without invisible characters, with offsets and surfaces of ``text``."""
    out = []
    size = len(where)
    for t in tokens:
        start = where[t.start]
        end = where[t.end] if t.end < size else len(text)  # with the invisible characters after it
        out.append(t._replace(start=start, end=end, text=text[start:end]))
    return out


# The space-separated pieces of text seen so far: (its first token may start a sentence,
# its tokens as (kind, start, end, surface, norm, sentences begun before it in the piece)
# with offsets into the piece, sentences begun in the piece, its last token ends one,
# it starts and ends with a character a phone number may have on either side of a space).
_PIECE_CACHE: dict[str, tuple[bool, tuple[tuple, ...], int, bool, bool, bool]] = {}
PIECE_CACHE_SIZE = 10_000
_PHONE_SIDE = r"[\d()\-]"  # a phone number may have a space after or before it
MAX_JOINS = 16  # joins of pieces per text before it takes the one-scan path


def _piece_tokens(piece: str, store: bool = True) -> tuple[bool, tuple[tuple, ...], int, bool, bool, bool]:
    """The tokens of one space-free piece of text (or joined pieces), cached when ``store``."""
    rows = []
    sentence = 0
    pending_end = first_starts = False
    for kind, start, end, surface, norm, ends in _scan(piece):
        starts = _starts_sentence(kind, surface)
        if not rows:
            first_starts = starts
        elif pending_end and starts:
            sentence += 1
        pending_end = ends
        rows.append((kind, start, end, surface, norm, sentence))
    side = _lazy(_PHONE_SIDE)
    phone_start = side.match(piece[0]) is not None
    phone_end = side.match(piece[-1]) is not None
    entry = (first_starts, tuple(rows), sentence, pending_end, phone_start, phone_end)
    if store:
        if len(_PIECE_CACHE) >= PIECE_CACHE_SIZE:
            evict_older_half(_PIECE_CACHE)
        _PIECE_CACHE[piece] = entry
    return entry


def _scan(text: str):
    """(kind, start, end, surface, norm, ends a sentence) of each token match."""
    norms = _NORM_CACHE
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        surface = text[start:end]
        if kind == "word":
            norm = norms.get(surface) or _cached_normalise(surface)
        elif kind == PUNCT:
            norm = surface
        elif kind in (CODE, PLACEHOLDER, URL, EMAIL, MENTION):
            norm = surface.lower()
        else:
            norm = surface
        yield kind, start, end, surface, norm, kind == PUNCT and surface[0] in ".!?…"


def _tokenize(text: str) -> list[Token]:
    """``tokenize`` by one regex scan of the whole text (any text)."""
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__
    norms = _NORM_CACHE
    sentence = 0
    pending_end = False
    prev_end = 0
    lines = "\n" in text or "\r" in text
    newline = False
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        surface = text[start:end]
        if lines:
            gap = text[prev_end:start]
            newline = "\n" in gap or "\r" in gap
        if tokens and (newline or (pending_end and _starts_sentence(kind, surface))):
            sentence += 1
        pending_end = False
        if kind == "word":
            norm = norms.get(surface) or _cached_normalise(surface)
        elif kind == PUNCT:
            norm = surface
            pending_end = surface[0] in ".!?…"
        elif kind in (CODE, PLACEHOLDER, URL, EMAIL, MENTION):
            norm = surface.lower()
        else:
            norm = surface
        append(new(Token, (kind, start, end, surface, norm, sentence, newline)))
        prev_end = end
    return tokens


def _starts_sentence(kind: str, surface: str) -> bool:
    if kind == WORD:
        return not surface[0].islower()
    return kind not in (NUMBER, PUNCT) or surface in ("—", "–", "-", "«", '"', "(")


def sentence_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges ``[first, last)`` of each sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].sentence != tokens[start].sentence:
            spans.append((start, i))
            start = i
    return spans


_QUOTED = r'«[^«»\n]{1,400}»|“[^“”\n]{1,400}”|„[^„“\n]{1,400}“|"[^"\n]{1,400}"'
_LAZY: dict[str, regex.Pattern] = {}  # regexes compiled on first use, not at import (start time)


def _lazy(source: str) -> regex.Pattern:
    compiled = _LAZY.get(source)
    if compiled is None:
        compiled = _LAZY[source] = regex.compile(source)
    return compiled


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of text quoted from someone else: «…», "…", and lines starting with ">"."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(">"):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    for m in _lazy(_QUOTED).finditer(text):
        spans.append(m.span())
    spans.sort()
    return spans
