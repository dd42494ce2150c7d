"""The ``obscene`` rule kind: мат by its roots, seen through every disguise.

Each word-like run of the text (letters, digits, ``@ $``, and symbols inside it: ``* # %
" ^`` for hidden letters, ``. _ ~ ' | + -`` as separators or hidden letters; single
letters spaced out, «х у й»; a short non-word glued to the next, «пи зда») is read through
``chatlint.disguise`` (invisible characters dropped, look-alike scripts, digits and
symbols folded, stretched letters collapsed, a Latin word transliterated, sound-keeping
swaps undone for words the dictionary does not know) and matched against root regexes
anchored at the start of the word after an optional prefix (``{P}``). A ``*`` stands for
any one letter. Words containing an exception stem never fire; initials («Е.Б.»), masked
names («Пе***ов») and Latin names and brands («Suki», «eBook») are not words. The match
reports the whole disguised word, with offsets into the original text.
"""

from __future__ import annotations

import warnings
from itertools import chain

import regex

from chatlint import disguise
from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import chunks as split_chunks
from chatlint.kinds.regex_rule import RuleTimeoutWarning
from chatlint.morph import analyzer
from chatlint.pattern import PatternError
from chatlint.text import EMAIL, MENTION, PLACEHOLDER, URL, fold

_WORDCH = r"[\p{L}\p{M}\d@$€]"
# a run of four or more dots is a word's hidden middle only before a short ending («бл.....ь»)
_RUN_RE = regex.compile(
    rf"\*?{_WORDCH}+(?:(?:[*#%\"`^]{{1,4}}|[!?](?=\p{{Ll}})|[._~'’|+,:-]{{1,3}}|\.{{4,12}}(?=\p{{Ll}}{{1,3}}(?!\p{{L}}))|…){_WORDCH}*)*"
)
_SPACED_RE = regex.compile(r"(?<![\p{L}\d*])(?:[\p{L}*][\s.]\s?){2,}[\p{L}*](?![\p{L}\d*])")
_SHORT_PAIR_RE = regex.compile(r"(?<![\p{L}\d])(\p{L}{1,3}) (\p{L}{2,6})(?![\p{L}\d])")
_CORE = regex.compile(r"[\p{L}\d@$€*]")
_SEPARATORS = regex.compile(r"[._~'’|+,:-]+")
_WILDCARDS = str.maketrans({c: "*" for c in '#%!?"`^'})
_BANG_RE = regex.compile(r"\p{L}[!?]\p{L}")
_PIECE_RE = regex.compile(r"[^!?]+")
_PART_RE = regex.compile(r"[^._~'’|+,:-]+")
_SPACE_RE = regex.compile(r"[\s.]")
_INITIALS_RE = regex.compile(r"\p{Lu}\.\p{Lu}")
_MASKED_NAME_RE = regex.compile(
    r"\p{Lu}\p{Ll}*\*+\p{Ll}*(?:ов|ев|ёв|ин|ын|ова|ева|ина|ына|ский|ская|цкий|цкая|енко|ко|ук|юк|ян|дзе|швили|ич|на)"
)
_COMPOUND_NAME_RE = regex.compile(r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)+")
_CYRILLIC_WORD_RE = regex.compile(r"[а-я]+")
_LATIN_WORD_RE = regex.compile(r"[A-Za-z][A-Za-z\d@$*]*")
_NAME_SHAPE_RE = regex.compile(r"\p{Lu}[^\p{Lu}]*|\p{Ll}+\p{Lu}.*|.*\p{Ll}\p{Lu}.*")  # Suki, eBook, iPhone
_NESTED_RE = regex.compile(r"\((?:[^()]|\\.)*(?:[+*]|\{\d*,\})(?:[^()]|\\.)*\)(?:[+*]|\{\d*,\d*\})")
_TRAILING = ".,;:!?…)»\"'"
CHUNK_CACHE_SIZE = 20_000  # clean chunks remembered
WORD_CACHE_SIZE = 20_000  # words whose verdict is remembered
ROOT_TIMEOUT = 1.0  # seconds one root may take on one word: a backstop (nested repeats are refused at load)


@register
class ObsceneRule(RuleKind):
    """Obscene words by root, through look-alike letters, separators and stretched letters."""

    name = "obscene"
    keys = {"roots": None, "prefixes": [], "exceptions": []}
    required = ("roots",)
    fix_default = "none"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        prefixes = sorted((str(p) for p in params["prefixes"] or []), key=len, reverse=True)
        prefix_re = "(?:" + "|".join(regex.escape(p) for p in prefixes) + ")?" if prefixes else ""
        self.roots = [_compile_root(root, prefix_re) for root in _root_list(params["roots"])]
        self.any_root = regex.compile("|".join(f"(?:{p.pattern})" for p, _ in self.roots))
        # the roots at any position of a word: the cheap first test for two words glued together
        self.root_anywhere = regex.compile(regex.sub(r"(?<!\[)[$^]", "", self.any_root.pattern))
        self._cache: dict[str, bool] = {}
        self._clean: set[str] = set()  # whitespace-separated chunks with no obscene candidate
        self._clean_pairs: set[str] = set()  # a short chunk joined to the next, with no root
        self._function: dict[str, bool] = {}  # short chunks: a preposition, conjunction, pronoun …
        self.exceptions = tuple(fold(str(e)) for e in params["exceptions"] or [])
        self.accept = frozenset(fold(w) for w in ctx.vocabulary.accept)

    def find(self, doc: Doc) -> list[Match]:
        original = text = doc.text
        where = None
        if not original.isascii() and disguise.needs_folding(original):
            clean, where = disguise.strip_invisible(original)
            text = disguise.fold_scripts(clean)  # one character for one: offsets kept
        if not self._may_match(text):
            return []
        skip = [(t.start, t.end) for t in doc.tokens if t.kind in (URL, EMAIL, MENTION, PLACEHOLDER)]
        found: list[Match] = []
        for start, end, word in chain(_candidates(text), self._short_pairs(text)):
            if _proper_name(text, start, word):
                continue
            start, end = disguise.original_span(where, start, end, len(original))
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
        """A cheap reject: no chunk between whitespace has an obscene candidate, no short
        non-word is glued to the next, and no letters spaced out by blanks or dots join into
        one. A run never spans whitespace, so the runs of a chunk are those of the reply
        there, and a chunk's verdict is cached (a bounded set of the clean ones)."""
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
        if self._may_pair(chunks) and any(self._obscene(word) for _, _, word in self._short_pairs(text)):
            return True
        # letters spaced out by blanks or dots: in a chunk after a symbol («б%б.л.я») or over
        # chunks («б. л. я»); the candidates ``find`` reads, so the two never disagree
        return any(self._obscene(word) for _, _, word in _spaced_candidates(text))

    def _may_pair(self, chunks: list[str]) -> bool:
        """A short chunk of letters whose joining with the next has a root (a cheap test)."""
        clean, function = self._clean_pairs, self._function
        for first, second in zip(chunks, chunks[1:]):
            if len(first) <= 3 and first.isalpha():
                is_function = function.get(first)
                if is_function is None:
                    if len(function) >= CHUNK_CACHE_SIZE:
                        function.clear()
                    is_function = function[first] = _is_function_word(first.lower())
                if is_function:
                    continue
                joined = (first + second.rstrip(_TRAILING)).lower()
                if joined in clean:
                    continue
                if self.any_root.search(joined.replace("ё", "е")):
                    return True
                if len(clean) >= CHUNK_CACHE_SIZE:
                    clean.clear()
                clean.add(joined)
        return False

    def _short_pairs(self, text: str):
        """«пи зда», «ху йня»: a short piece the dictionary does not know, joined to the next word."""
        known = analyzer().word_is_known
        for m in _SHORT_PAIR_RE.finditer(text):
            first, second = m.group(1).lower(), m.group(2).lower()
            joined = (first + second).replace("ё", "е")
            if not self.any_root.search(joined):
                continue  # the cheap test first: most pairs join into nothing
            if _is_function_word(first) or known(first) and known(second):
                continue
            yield m.start(), m.end(), first + second

    def _obscene(self, word: str) -> bool:
        """Any reading of ``word`` has a root and no exception stem (cached per word)."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._judge(word)
            if len(self._cache) >= WORD_CACHE_SIZE:
                self._cache = {}
            self._cache[word] = cached
        return cached

    def _judge(self, word: str) -> bool:
        lowered = word.lower()
        if fold(lowered) in self.accept or _not_a_word(word):
            return False
        letters = sum(1 for c in lowered if c != "*")
        stars = lowered.count("*")
        if letters < 2 or stars > letters or self._excepted(lowered):
            return False
        latin = _LATIN_WORD_RE.fullmatch(word) is not None
        if not self._any_reading(lowered, latin) and (latin or not self._glued(lowered)):
            return False
        return not self._innocent_lemmas(lowered)  # the dictionary, only for a word that matched

    def _any_reading(self, lowered: str, latin: bool) -> bool:
        for variant in self._readings(lowered, latin):
            if self._excepted(variant):
                continue
            if "*" not in variant:
                if self._root_at(variant, latin):
                    return True
            elif self._starred(variant):
                return True
        return False

    def _innocent_lemmas(self, lowered: str) -> bool:
        """A plain word the dictionary knows, and none of its lemmas has a root («хуторе» →
        хутор, «спидометр», «сучок»): a Russian word, not a disguise. An imperative alone
        proves nothing (a rare verb form can spell mat: «хули» → хулить)."""
        plain = lowered.replace("ё", "е")
        if not plain.isalpha() or not _CYRILLIC_WORD_RE.fullmatch(plain):
            return False
        parses = [p for p in analyzer().parse(plain) if p.is_known and "impr" not in p.tag]
        return bool(parses) and not any(self.any_root.search(p.normal_form.replace("ё", "е")) for p in parses)

    def _glued(self, lowered: str) -> bool:
        """Two words typed without a space («идтибля», «сукалол»), one of them mat: a word
        the dictionary does not know that splits into a known word (or a mat word) and a mat word."""
        word = _REPEATS.sub(r"\1", lowered.replace("ё", "е"))
        if not 6 <= len(word) <= 24 or not word.isalpha() or not self.root_anywhere.search(word):
            return False
        if analyzer().word_is_known(word):
            return False
        known = analyzer().word_is_known
        for i in range(3, len(word) - 2):
            left, right = word[:i], word[i:]
            left_mat, right_mat = self._whole_mat(left), self._whole_mat(right)
            if left_mat and right_mat or left_mat and known(right) or right_mat and _a_word_before(left, known):
                return True
        return False

    def _whole_mat(self, part: str) -> bool:
        """A root matches at the start of ``part`` and no exception stem is in it."""
        if self._excepted(part):
            return False
        try:
            return any(p.match(part, timeout=ROOT_TIMEOUT) for p, _ in self.roots)
        except TimeoutError:
            self._timed_out(part)
            return False

    def _readings(self, lowered: str, latin: bool) -> set[str]:
        """The readings of a word (a Latin one: transliterated, or letters drawn alike); sound swaps undone
        only in a word the dictionary does not know (so «либо», «ибо» stay what they are)."""
        if latin:
            out = {disguise.translit(lowered), lowered.translate(disguise.LOOKALIKE)}
        else:
            out = disguise.readings(lowered)
        if not latin:
            out |= {_REPEATS.sub(r"\1", v) for v in out if "*" not in v}
        swapped = {disguise.phonetic(v) for v in out} - out
        if not swapped:
            return out
        plain = lowered.replace("ё", "е")
        if plain.isalpha() and analyzer().word_is_known(plain):
            return out
        return out | swapped

    def _excepted(self, variant: str) -> bool:
        return any(stem in variant for stem in self.exceptions)

    def _root_at(self, variant: str, latin: bool) -> bool:
        """A root matches; for a Latin word, at its start (the whole word reads as mat)."""
        try:
            if not latin:
                return self.any_root.search(variant, timeout=ROOT_TIMEOUT) is not None
            return any(p.match(variant, timeout=ROOT_TIMEOUT) for p, _ in self.roots)
        except TimeoutError:
            self._timed_out(variant)
            return False

    def _starred(self, variant: str) -> bool:
        """A root matches with ``*`` for some of its letters: more letters than stars, at
        least two, and the match starts with a letter unless it starts the word."""
        try:
            for _, starred in self.roots:
                for m in starred.finditer(variant, overlapped=True, timeout=ROOT_TIMEOUT):
                    group = m.group()
                    stars = group.count("*")
                    if len(group) - stars >= max(2, stars) and (group[0] != "*" or m.start() == 0):
                        return True
        except TimeoutError:
            self._timed_out(variant)
        return False

    def _timed_out(self, word: str) -> None:
        warnings.warn(
            f"rule {self.rule.id}: a root took over {ROOT_TIMEOUT:g} s on the word {word[:40]!r}; it is skipped",
            RuleTimeoutWarning,
            stacklevel=3,
        )


_REPEATS = regex.compile(r"([^\W\d_])\1+")


def _root_list(roots) -> list[str]:
    if not isinstance(roots, list) or not roots or not all(isinstance(r, str) for r in roots):
        raise PatternError("'roots' must be a non-empty list of regular expressions")
    return roots


def _compile_root(root: str, prefix_re: str) -> tuple[regex.Pattern, regex.Pattern]:
    """The root as written and with ``*`` accepted for its letters; a root that could take
    exponential time (a repeated group that itself repeats, «(а+)+б») is refused."""
    if _NESTED_RE.search(root):
        raise PatternError(f"bad root {root!r}: a repeated group that itself repeats can take exponential time")
    source = root.replace("{P}", prefix_re)
    try:
        plain = regex.compile(source)
        starred = regex.compile(_accept_wildcards(source))
    except regex.error as exc:
        raise PatternError(f"bad root {root!r}: {exc}") from None
    if plain.search("") is not None:
        raise PatternError(f"root {root!r} matches the empty string")
    return plain, starred


def _a_word_before(left: str, known) -> bool:
    """A known word that ends where a glued mat word starts: five letters or more, or ending
    in a vowel («идти|бля»); a short one ending in a consonant is more likely a prefix
    («пост|ебались», «пер|ебанили» are one word each)."""
    return known(left) and (len(left) >= 5 or left[-1] in "аеиоуыэюяь")


_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ", "ADVB", "PRED"})


def _is_function_word(word: str) -> bool:
    """A preposition, conjunction, particle, pronoun … : a word of its own, never half of another."""
    return any(p.tag.POS in _FUNCTION_POS for p in analyzer().parse(word) if p.is_known)


_NAME_RE = regex.compile(r"\p{Lu}\p{Ll}{2,}")
_SENTENCE_END = frozenset(".!?…\n")


def _proper_name(text: str, start: int, word: str) -> bool:
    """A capitalised word inside a sentence that the dictionary does not know as a common
    word («врач Бляхер», «Херардо», «Пидоренко»): a name, not a disguise."""
    if not _NAME_RE.fullmatch(word):
        return False
    before = text[:start].rstrip(" \t«\"'(—–-")
    if not before or before[-1] in _SENTENCE_END:
        return False
    parses = [p for p in analyzer().parse(word.lower()) if p.is_known]
    return not parses or any({"Name", "Surn", "Patr", "Geox", "Orgn"} & p.tag.grammemes for p in parses)


def _not_a_word(word: str) -> bool:
    """A masked name («Пе***ов»), a Latin name or brand («Suki», «eBook»)."""
    if _MASKED_NAME_RE.fullmatch(word):
        return True
    return _LATIN_WORD_RE.fullmatch(word) is not None and _NAME_SHAPE_RE.fullmatch(word) is not None


def _candidates(text: str):
    """(start, end, word) for every word-like run, split or joined at separators."""
    yield from _spaced_candidates(text)
    yield from _run_candidates(text)


def _spaced_candidates(text: str):
    """Single letters spaced out by blanks or dots («х у й», «б. л. я»), joined."""
    for m in _SPACED_RE.finditer(text):
        yield m.start(), m.end(), _SPACE_RE.sub("", m.group())


def _run_candidates(text: str):
    """The candidates of the word-like runs (not of spaced-out letters)."""
    for m in _RUN_RE.finditer(text):
        run, base = m.group(), m.start()
        if run.isalpha():
            yield base, base + len(run), run
            continue
        if _COMPOUND_NAME_RE.fullmatch(run):
            continue  # «Херне-Бей», «Манду-Сити»: a place or a name in parts

        if _BANG_RE.search(run):  # «сука!за»: a missing space, or «п!зда»: a disguise
            for piece in _PIECE_RE.finditer(run):
                yield from _split_run(piece.group(), base + piece.start())
        yield from _split_run(run, base)


def _split_run(run: str, base: int):
    """Candidates of one run: joined when every piece is a letter or two («б.л.я»), else
    piece by piece, and the whole run with its separators read as hidden letters («е..ный»)."""
    cores = [c.start() for c in _CORE.finditer(run)]
    if not cores:
        return
    lo, hi = cores[0], cores[-1] + 1
    body = run[lo:hi].translate(_WILDCARDS)
    base += lo
    parts = [(p.start(), p.group()) for p in _PART_RE.finditer(body)]
    if len(parts) > 1 and all(len(p) <= 2 for _, p in parts):
        if len(parts) == 2 and _INITIALS_RE.fullmatch(body):
            return  # «Иванова Е.Б.»: initials, not a word
        yield base, base + len(body), _SEPARATORS.sub("", body)  # «б.л.я», «х-у-й»
        if _hides_letters(body):
            for hidden in _hidden_readings(body):
                yield base, base + len(body), hidden  # «пи...ц», «бл.....ь»
        return
    for offset, part in parts:
        core = [c.start() for c in _CORE.finditer(part)]
        if not core or part.isdigit():
            continue
        a, b = core[0], core[-1] + 1
        yield base + offset + a, base + offset + b, part[a:b]
    if len(parts) > 1 and _hides_letters(body):
        for hidden in _hidden_readings(body):
            yield base, base + len(body), hidden
    elif len(parts) == 2 and regex.fullmatch(r"\p{L}+[_~|+'’]\p{L}+|\p{Ll}{1,2}[.,:-]\p{Ll}+", body):
        yield base, base + len(body), _SEPARATORS.sub("", body)  # «х|уйня», «с.ука»: a symbol to split the word


def _hidden_readings(body: str) -> list[str]:
    """The separators read as hidden letters, one ``*`` each; a run of three or more also as
    one or two letters (the length of a dot run says little: «х.....й», «бл....ь»)."""
    out = [_SEPARATORS.sub(lambda s: "*" * len(s.group()), body)]
    if _LONG_SEPARATORS.search(body):
        out += [_LONG_SEPARATORS.sub("*", body), _LONG_SEPARATORS.sub("**", body)]
    return out


_LONG_SEPARATORS = regex.compile(r"[._~'’|+,:-]{3,}")


def _hides_letters(body: str) -> bool:
    """Separators that stand for letters: two or more in a row between lower-case letters
    («е..ный»), or three before a short ending («пи...ц»); one separator, a capital after it or an
    ellipsis before a whole word is punctuation («т.е.», «Спасибо.Да», «ох...игнор»)."""
    return regex.search(r"\p{Ll}[._~'’|+,:-]{2}\p{Ll}|\p{Ll}[._~'’|+,:-]{3,12}\p{Ll}{1,3}(?!\p{Ll})", body) is not None


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
