"""One normaliser for disguised words, shared by the tokenizer, ``tone/obscene`` and ``tone/rude``.

A word can be disguised to get past a filter; each kind is undone here:

* invisible characters (zero-width space and joiners, soft hyphen, word joiner, BOM,
  variation selectors, combining accents) — ``strip_invisible`` drops them and keeps a
  map from every kept character back to its offset in the original text;
* other scripts that look like Cyrillic (Latin ``xyй``, Ukrainian «і», Greek «ο», «α»,
  fullwidth Latin) — ``fold_scripts``;
* digits and symbols for letters («3» з, «0» о, «@» а, «$» с) — ``readings``;
* symbols inside a word («е..ный», «х@йню», «х"й», ``*``) read as hidden letters
  (``*`` each) or as separators to drop (``б.л.я``) — ``readings``;
* stretched letters («бляяять») — collapsed in ``readings``;
* swaps that keep the sound («заибало», «писдец», «пля») — ``phonetic``.

Offsets are never lost: the tokenizer maps its tokens back through ``strip_invisible``'s
map, and the obscene kind reports the span of the original run it read.
"""

from __future__ import annotations

import re

import regex

# Characters that render as nothing (or only change the look of the letter before them).
_INVISIBLE = (
    r"\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F"
    r"\u3164\uFE00-\uFE0F\uFEFF\uFFA0\U000E0000-\U000E0FFF\u0300-\u036F\u0483-\u0489"
)
# A run of them is dropped inside or at the edge of a word: after a letter, or before a
# letter when no emoji comes before it (an emoji's variation selector or joiner stays).
_INVISIBLE_RE = regex.compile(
    rf"(?<=[\p{{L}}])[{_INVISIBLE}]+|(?<![\p{{Extended_Pictographic}}\p{{EMod}}#*0-9{_INVISIBLE}])[{_INVISIBLE}]+(?=\p{{L}})"
)
# The cheap tests use the standard library's ``re``: five times faster on a plain class.
_ANY_INVISIBLE_RE = re.compile(rf"[{_INVISIBLE}]")
# A breve or diaeresis after «и», «е» composes with it: «й», «ё» typed in two code points.
_COMPOSE = {"и\u0306": "й", "И\u0306": "Й", "е\u0308": "ё", "Е\u0308": "Ё"}


def has_invisible(text: str) -> bool:
    """True when ``text`` holds an invisible or combining character (a fast scan)."""
    return not text.isascii() and _ANY_INVISIBLE_RE.search(text) is not None


def strip_invisible(text: str) -> tuple[str, list[int] | None]:
    """``text`` without the invisible characters of its words, and for each kept character
    its offset in ``text`` (None when nothing was dropped: no copy, no map).

    A breve or diaeresis that composes with the letter before it is folded into «й», «ё».
    """
    if not has_invisible(text):
        return text, None
    kept: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _INVISIBLE_RE.finditer(text):
        kept.append(text[pos : m.start()])
        where.extend(range(pos, m.start()))
        run = m.group()
        pair = text[m.start() - 1 : m.start()] + run[:1]
        if pair in _COMPOSE and kept and kept[-1]:
            kept[-1] = kept[-1][:-1] + _COMPOSE[pair]
        pos = m.end()
    if pos == 0:
        return text, None
    kept.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(kept), where


def original_span(where: list[int] | None, start: int, end: int, length: int) -> tuple[int, int]:
    """The span in the original text (of ``length``) of ``[start, end)`` in the stripped one."""
    if where is None:
        return start, end
    first = where[start] if start < len(where) else length
    last = where[end - 1] + 1 if end > start else first
    return first, last


# Look-alikes from other scripts, and fullwidth forms, to Cyrillic (or ASCII for fullwidth
# characters without a Cyrillic twin, read further by ``readings``).
_SCRIPTS = str.maketrans(
    {
        # Ukrainian, Belarusian
        "і": "и", "І": "И", "ї": "и", "Ї": "И", "є": "е", "Є": "Е", "ґ": "г", "Ґ": "Г", "ў": "у", "Ў": "У",
        # Greek
        "α": "а", "Α": "А", "β": "в", "Β": "В", "γ": "у", "ε": "е", "Ε": "Е", "η": "п", "Η": "Н", "ι": "и",
        "Ι": "И", "κ": "к", "Κ": "К", "μ": "м", "Μ": "М", "ν": "v", "Ν": "N", "ο": "о", "Ο": "О", "π": "п",
        "Π": "П", "ρ": "р", "Ρ": "Р", "σ": "о", "τ": "т", "Τ": "Т", "υ": "у", "Υ": "У", "φ": "ф", "Φ": "Ф",
        "χ": "х", "Χ": "Х", "ω": "ш", "ά": "а", "έ": "е", "ί": "и", "ό": "о", "ύ": "у",
        **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},  # fullwidth ASCII
    }
)  # fmt: skip
_FOREIGN_RE = re.compile(r"[\u0370-\u03FF\u0404\u0406\u0407\u0454\u0456\u0457\u0490\u0491\u040E\u045E\uFF01-\uFF5E]")


_FOREIGN = r"\u0370-\u03FF\u0404\u0406\u0407\u0454\u0456\u0457\u0490\u0491\u040E\u045E\uFF01-\uFF5E"
_FOLDING_RE = re.compile(rf"[{_INVISIBLE}{_FOREIGN}]")


def needs_folding(text: str) -> bool:
    """True when ``text`` has an invisible character or a look-alike from another script (one scan)."""
    return _FOLDING_RE.search(text) is not None


def fold_scripts(word: str) -> str:
    """Greek, Ukrainian and fullwidth look-alikes read as the Cyrillic (or ASCII) letter they imitate."""
    return word.translate(_SCRIPTS) if _FOREIGN_RE.search(word) else word


# A word is worth reading through disguises only when it has something that is not a
# plain Cyrillic letter, or a letter tripled (a cheap character-class test first).
_PLAIN_RE = regex.compile(r"[а-яё]+")
_TRIPLE_RE = regex.compile(r"(\p{L})\1\1")


def may_be_disguised(word: str) -> bool:
    """False for a plain lower-case Cyrillic word without a stretched letter (most words)."""
    return _PLAIN_RE.fullmatch(word) is None or _TRIPLE_RE.search(word) is not None


# Latin letters, digits and symbols read as the Cyrillic letters they look like.
LOOKALIKE = str.maketrans(
    {"a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "ё": "е", "g": "д", "h": "н", "i": "и", "k": "к",
     "l": "л", "m": "м", "n": "п", "o": "о", "p": "р", "r": "г", "s": "с", "t": "т", "u": "и", "x": "х",
     "y": "у", "z": "з", "0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с", "€": "е", "¥": "у", "9": "я"}
)  # fmt: skip
_TRANSLIT_PAIRS = (("sch", "щ"), ("shch", "щ"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"),
                   ("yo", "е"), ("jo", "е"), ("ye", "е"), ("ch", "ч"), ("sh", "ш"), ("zh", "ж"), ("kh", "х"),
                   ("ts", "ц"), ("x", "кс"))  # fmt: skip
_TRANSLIT = str.maketrans(
    {"a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "ё": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
     "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с",
     "t": "т", "u": "у", "v": "в", "w": "в", "y": "й", "z": "з", "0": "о", "3": "з", "4": "ч",
     "6": "б", "@": "а", "$": "с"}
)  # fmt: skip
_LATIN_RE = regex.compile(r"[a-z]")
_REPEATS_RE = regex.compile(r"([^\W\d_])\1+")
# Symbols that stand for a hidden letter inside a word (each one letter).
HIDING = "*#%!?\"'`^~_.,|+-:;…=\\/<>&"
_HIDDEN_RE = regex.compile(r"[" + regex.escape(HIDING) + r"]")
_DOTS_RE = regex.compile(r"(?<=\p{L})[.…](?=\p{L})")  # one dot between letters: a separator only


def translit(word: str) -> str:
    """A Latin transliteration read back as Cyrillic («blyat» → «блят»)."""
    for latin, cyr in _TRANSLIT_PAIRS:
        word = word.replace(latin, cyr)
    return word.translate(_TRANSLIT)


def readings(word: str) -> set[str]:
    """Every canonical reading of a lower-cased word: look-alikes folded, symbols read as hidden
    letters (``*``) or dropped as separators, a Latin word transliterated, each also with
    stretched letters collapsed. Plain words come back as themselves."""
    word = fold_scripts(word).replace("ё", "е")
    if not may_be_disguised(word):
        return {word}
    base = word.translate(LOOKALIKE)
    out = {base}
    if _HIDDEN_RE.search(base):
        out.add(_HIDDEN_RE.sub("", base))  # separators: «б.л.я», «х-у-й»
        hidden = _DOTS_RE.sub("", base) if base.count(".") == 1 else base
        out.add(_HIDDEN_RE.sub("*", hidden))  # hidden letters: «е..ный», «х@йню» is read by LOOKALIKE too
    if "а" in base and "@" in word:
        out.add(_HIDDEN_RE.sub("*", word.replace("@", "*").translate(LOOKALIKE)))  # «х@йню»: @ for any vowel
    if _LATIN_RE.search(word):
        out.add(_HIDDEN_RE.sub("", translit(word)))
    out |= {_REPEATS_RE.sub(r"\1", v) for v in out}
    return out


# Swaps that keep the sound: an unstressed «и» for «е» before «б» («заибало»), «йо» for «ё»,
# voiceless for voiced («заипали», «писдец», «пля»), «б» for «п» before «и»/«е» + «з».
_PHONETIC = (
    (regex.compile(r"(?:^|(?<=^(?:за|на|от|по|до|вы|у|с|из|раз|при|про|пере|недо|об|под)))и(?=б)"), "е"),
    (regex.compile(r"(?<=^(?:за|на|от|по|до|вы|у|с|из|раз|при|про|пере|недо|об|под)?)[йи]о(?=б)"), "е"),
    (regex.compile(r"(?<=^(?:за|на|от|по|до|вы|у|с|из|раз|при|про|пере|недо|об|под)?)[еи]п(?=а[лнт]|у[чн])"), "еб"),
    (regex.compile(r"^й(?=е[б])"), ""),
    (regex.compile(r"с(?=д)"), "з"),
    (regex.compile(r"(?<=з)т(?=[еи]ц|ец)"), "д"),
    (regex.compile(r"^п(?=л[яи])"), "б"),
    (regex.compile(r"^сц(?=[уy]к)"), "с"),
    (regex.compile(r"^(\p{L}{0,4})б(?=[ие]з)"), r"\1п"),
)


def phonetic(word: str) -> str:
    """``word`` with the sound-keeping swaps undone («заибало» → «заебало», «писдец» → «пиздец»)."""
    for pattern, repl in _PHONETIC:
        word = pattern.sub(repl, word)
    return word
