"""The ``obscene`` rule kind: мат by its roots, seen through the usual disguises.

Each word-like run of the ORIGINAL text (letters, digits, ``* @ $ # % ! ?`` and the
separators ``. _ - ~ ' | +`` inside it; or single letters spaced out, «х у й») is
normalised several ways — lower case, «ё» → «е», look-alike Latin letters and digits to
Cyrillic (``xyй``, ``6ля``, ``3@``), or a Latin transliteration (``blyat``), separators
dropped, repeated letters collapsed — and matched against root regexes anchored at the
start of the word after an optional prefix (``{P}``). A ``*`` (or ``# % ! ?``) inside a
word stands for any one letter. Words containing an exception stem (команд, корабл …)
never fire. The match reports the whole disguised word, with offsets into the original.
"""

from __future__ import annotations

import regex

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import SINGLE, reply_bits, spaced_letters
from chatlint.kinds.prefilter import chunks as split_chunks
from chatlint.pattern import PatternError
from chatlint.text import EMAIL, MENTION, PLACEHOLDER, URL, fold

_WORDCH = r"[\p{L}\p{M}\d@$]"
_RUN_RE = regex.compile(rf"\*?{_WORDCH}+(?:(?:[*#%]{{1,3}}|[!?](?=\p{{L}})|[._~'’|+-]{{1,2}}){_WORDCH}*)*")
_SPACED_RE = regex.compile(r"(?<![\p{L}\d*])(?:[\p{L}*]\s){2,}[\p{L}*](?![\p{L}\d*])")
_CORE = regex.compile(r"[\p{L}\d@$*]")
_SEPARATORS = regex.compile(r"[._~'’|+-]+")
_WILDCARDS = str.maketrans({c: "*" for c in "#%!?"})
_LOOKALIKE = str.maketrans(
    {"a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "ё": "е", "g": "д", "h": "н", "i": "и", "k": "к",
     "l": "л", "m": "м", "n": "п", "o": "о", "p": "р", "r": "г", "s": "с", "t": "т", "u": "и", "x": "х",
     "y": "у", "z": "з", "0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с"}
)  # fmt: skip
_TRANSLIT_PAIRS = (("sch", "щ"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("yo", "е"), ("jo", "е"),
                   ("ch", "ч"), ("sh", "ш"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"))  # fmt: skip
_TRANSLIT = str.maketrans(
    {"a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "ё": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
     "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с",
     "t": "т", "u": "у", "v": "в", "w": "в", "x": "х", "y": "й", "z": "з", "0": "о", "3": "з", "4": "ч",
     "6": "б", "@": "а", "$": "с"}
)  # fmt: skip
_BANG_RE = regex.compile(r"\p{L}[!?]\p{L}")
_PIECE_RE = regex.compile(r"[^!?]+")
_PART_RE = regex.compile(r"[^._~'’|+-]+")
_SPACE_RE = regex.compile(r"\s")
_REPEATS = regex.compile(r"([^\W\d_])\1+")
_LATIN = regex.compile(r"[a-z]")
CHUNK_CACHE_SIZE = 20_000  # clean chunks remembered
WORD_CACHE_SIZE = 20_000  # words whose verdict is remembered


@register
class ObsceneRule(RuleKind):
    """Obscene words by root, through look-alike letters, separators and stretched letters."""

    name = "obscene"
    keys = {"roots": None, "prefixes": [], "exceptions": []}
    required = ("roots",)
    fix_default = "none"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        roots = params["roots"]
        if not isinstance(roots, list) or not roots or not all(isinstance(r, str) for r in roots):
            raise PatternError("'roots' must be a non-empty list of regular expressions")
        prefixes = sorted((str(p) for p in params["prefixes"] or []), key=len, reverse=True)
        prefix_re = "(?:" + "|".join(regex.escape(p) for p in prefixes) + ")?" if prefixes else ""
        self.roots = []
        for root in roots:
            source = root.replace("{P}", prefix_re)
            try:
                plain = regex.compile(source)
                starred = regex.compile(_accept_wildcards(source))
            except regex.error as exc:
                raise PatternError(f"bad root {root!r}: {exc}") from None
            if plain.search("") is not None:
                raise PatternError(f"root {root!r} matches the empty string")
            self.roots.append((plain, starred))
        self.any_root = regex.compile("|".join(f"(?:{p.pattern})" for p, _ in self.roots))
        self._cache: dict[str, bool] = {}
        self._clean: set[str] = set()  # whitespace-separated chunks with no obscene candidate
        self.exceptions = tuple(fold(str(e)) for e in params["exceptions"] or [])
        self.accept = frozenset(fold(w) for w in ctx.vocabulary.accept)

    def find(self, doc: Doc) -> list[Match]:
        text = doc.text
        if not self._may_match(text):
            return []
        skip = [(t.start, t.end) for t in doc.tokens if t.kind in (URL, EMAIL, MENTION, PLACEHOLDER)]
        found: list[Match] = []
        for start, end, word in _candidates(text):
            if any(s < end and start < e for s, e in skip):
                continue
            if self._obscene(word):
                found.append(Match(start, end, tuple(self.rule.suggest)))
        found.sort(key=lambda m: (m.start, -m.end))
        kept: list[Match] = []
        for match in found:
            if kept and match.start < kept[-1].end:
                continue
            kept.append(match)
        return kept

    def _may_match(self, text: str) -> bool:
        """A cheap reject: no chunk between whitespace has an obscene candidate, and no
        three chunks in a row can be letters spaced out. A run never spans whitespace, so
        the runs of a chunk are those of the reply there, and a chunk's verdict is cached
        (a bounded set of the clean ones)."""
        chunks = split_chunks(text)
        clean = self._clean
        if not clean.issuperset(chunks):
            for chunk in chunks:
                if chunk in clean:
                    continue
                if any(self._obscene(word) for _, _, word in _run_candidates(chunk)):
                    return True
                if len(clean) >= CHUNK_CACHE_SIZE:
                    self._clean = clean = set()
                clean.add(chunk)
        bits, each = reply_bits(text)
        return bool(bits & SINGLE) and spaced_letters(each)

    def _obscene(self, word: str) -> bool:
        """Any normalisation of ``word`` has a root and no exception stem (cached per word)."""
        lowered = word.lower()
        cached = self._cache.get(lowered)
        if cached is None:
            cached = self._judge(lowered)
            if len(self._cache) >= WORD_CACHE_SIZE:
                self._cache = {}
            self._cache[lowered] = cached
        return cached

    def _judge(self, lowered: str) -> bool:
        if fold(lowered) in self.accept:
            return False
        letters = sum(1 for c in lowered if c != "*")
        stars = lowered.count("*")
        if letters < 2 or stars > letters:
            return False
        if any(stem in lowered for stem in self.exceptions):
            return False
        for variant in _variants(lowered):
            if "*" not in variant:
                if self.any_root.search(variant) and not any(stem in variant for stem in self.exceptions):
                    return True
                continue
            if any(stem in variant for stem in self.exceptions):
                continue
            for _, starred in self.roots:
                for m in starred.finditer(variant, overlapped=True):
                    stars = m.group().count("*")
                    if len(m.group()) - stars >= max(2, stars):
                        return True
        return False


def _candidates(text: str):
    """(start, end, word) for every word-like run, split or joined at separators."""
    for m in _SPACED_RE.finditer(text):
        yield m.start(), m.end(), _SPACE_RE.sub("", m.group())
    yield from _run_candidates(text)


def _run_candidates(text: str):
    """The candidates of the word-like runs (not of spaced-out letters)."""
    for m in _RUN_RE.finditer(text):
        run, base = m.group(), m.start()
        if run.isalpha():
            yield base, base + len(run), run
            continue
        if _BANG_RE.search(run):  # «сука!за»: a missing space, or «п!зда»: a disguise
            for piece in _PIECE_RE.finditer(run):
                yield from _split_run(piece.group(), base + piece.start())
        yield from _split_run(run, base)


def _split_run(run: str, base: int):
    """Candidates of one run: joined when every piece is a letter or two («б.л.я»), else piece by piece."""
    cores = [c.start() for c in _CORE.finditer(run)]
    if not cores:
        return
    lo, hi = cores[0], cores[-1] + 1
    body = run[lo:hi].translate(_WILDCARDS)
    base += lo
    parts = [(p.start(), p.group()) for p in _PART_RE.finditer(body)]
    if len(parts) > 1 and all(len(p) <= 2 for _, p in parts):
        yield base, base + len(body), _SEPARATORS.sub("", body)  # «б.л.я», «х-у-й»
        return
    for offset, part in parts:
        core = [c.start() for c in _CORE.finditer(part)]
        if not core or part.isdigit():
            continue
        a, b = core[0], core[-1] + 1
        yield base + offset + a, base + offset + b, part[a:b]


def _variants(word: str) -> set[str]:
    """The word read with look-alikes, read as transliteration, each also with repeats collapsed."""
    out = {fold(word).translate(_LOOKALIKE)}
    if _LATIN.search(word):
        translit = word
        for latin, cyr in _TRANSLIT_PAIRS:
            translit = translit.replace(latin, cyr)
        out.add(translit.translate(_TRANSLIT))
    out |= {_REPEATS.sub(r"\1", v) for v in out}
    return out


def _accept_wildcards(source: str) -> str:
    """Rewrite a root regex so that a ``*`` in the text may stand for any one of its letters."""
    out, i, in_class = [], 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                out.append("*]")
                in_class = False
            else:
                out.append(ch)
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif "а" <= ch <= "я" or ch == "ё":
            out.append(f"[{ch}*]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)
