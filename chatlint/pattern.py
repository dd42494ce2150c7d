"""Token patterns: parsing the pattern language and matching it against a reply.

A pattern is a space-separated sequence of elements (see ``docs/rules.md``)::

    знать          every inflection of the lemma
    «знаю» "знаю"  this exact word form
    {VERB,2per}    any word with these grammemes (in one parse)
    знать{1per}    the lemma in a form with these grammemes
    /^спс+$/       a word matching a regular expression
    *              any word
    a|b  (a|b)     alternatives
    x?             optional element;  !x  any word that is not x
    ...3           a gap of up to 3 words
    ^  $           start and end of a sentence
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import regex

from chatlint.limits import evict_older_half
from chatlint.morph import Morphology
from chatlint.text import CODE, NUMBER, PUNCT, WORD, fold

CONTENT_KINDS = frozenset({WORD, NUMBER, CODE})
_SKIPPABLE = frozenset({",", "-", "–", "—", "‒", "―", "--"})
# Words that may open a sentence before a comma without being part of what it says: an
# apology, an interjection, a greeting, an address («Уважаемая Анна, вам показалось …»).
# After them ``^`` holds again (see ``Sequence``).
_OPENER_WORDS = frozenset(
    "извините простите увы ой ох эх ну слушайте послушайте знаете честно здравствуйте "
    "привет добрый доброе доброй день вечер утро ночи уважаемый уважаемая уважаемые".split()
)
_ADDRESS_WORDS = frozenset({"уважаемый", "уважаемая", "уважаемые"})
_NAME = frozenset({"Name"})  # a first name opens an address too («Мария, …», «Игорь Петрович, …»)
_ELEMENT_RE = regex.compile(
    r"""^(?P<neg>!)?
        (?:\((?P<group>[^()]+)\)|(?P<single>[^?]+))
        (?P<opt>\?)?$""",
    regex.VERBOSE,
)
_ATOM_RE = regex.compile(
    r"""^(?:
        (?P<quoted>«[^«»]+»|"[^"]+")
      | /(?P<regex>.+)/
      | (?P<any>\*)
      | \{(?P<grams>[\w,-]+)\}
      | (?P<lemma>[\p{L}\p{M}'’-]+)(?:\{(?P<lemma_grams>[\w,-]+)\})?
    )$""",
    regex.VERBOSE,
)
_GAP_RE = regex.compile(r"^(?:\.\.\.|…)(\d+)?$")
# words a rule with ``slack: true`` lets stand between the words of its patterns
SLACK_WORDS = frozenset(
    {
        "мне",
        "нам",
        "вам",
        "тебе",
        "же",
        "ж",
        "ведь",
        "уж",
        "тут",
        "здесь",
        "вообще",
        "уже",
        "опять",
        "снова",
        "просто",
        "еще",
        "тоже",
    }
)
MAX_ELEMENTS = 40  # elements in one pattern
MAX_GAP = 20  # words one gap may swallow
REGEX_TIMEOUT = 1.0  # seconds all /regex/ atoms together may spend on one reply (one thread)
_BUDGET = threading.local()  # .deadline: when this thread's reply runs out of regex time


def start_reply() -> None:
    """Give this thread's /regex/ atoms a fresh ``REGEX_TIMEOUT`` (``Linter.check`` calls it per reply)."""
    _BUDGET.deadline = time.monotonic() + REGEX_TIMEOUT


def end_reply() -> None:
    """Outside a reply, each /regex/ search has ``REGEX_TIMEOUT`` of its own."""
    _BUDGET.deadline = None


REGEX_CACHE_SIZE = 5_000  # token texts whose answer one /regex/ atom remembers
TYPO_MAX_COST = 0.5  # weighted edit cost of a slip a pattern word forgives (a vowel, a doubled letter)
TYPO_MIN_LENGTH = 5  # shorter words are too often other words one slip away
TYPO_TABOO_MAX_COST = 1.0  # a consonant dropped or mistyped, forgiven for the taboo lemmas only
TYPO_TABOO_LIMIT = 10  # speller candidates looked at for a taboo reading (the speller caches 10)
TYPO_CACHE_SIZE = 20_000  # word forms whose typo readings are remembered
_CYRILLIC_WORD = regex.compile(r"^[а-яё]+$")
_TYPO_CACHE: dict[str, tuple[str, ...]] = {}


def typo_readings(norm: str) -> tuple[str, ...]:
    """Dictionary words one likely slip away from a word the dictionary does not have.

    ``()`` for a word the dictionary has, and for short, non-Cyrillic words: a clean reply
    costs one cached lookup per word form. Otherwise up to three forms within
    ``TYPO_MAX_COST`` («обезаны» → «обязаны», «успокойтись» → «успокойтесь»), best first,
    which pattern words (lemma and form atoms, never grammeme-only ones) may match."""
    cached = _TYPO_CACHE.get(norm)
    if cached is not None:
        return cached
    readings: tuple[str, ...] = ()
    if len(norm) >= TYPO_MIN_LENGTH and _CYRILLIC_WORD.match(norm):
        from chatlint.spell import speller  # the process-wide speller the spelling kind uses too

        sp = speller()
        if not sp.known(norm):
            found = sp.candidates(norm, max_distance=1, limit=TYPO_TABOO_LIMIT)
            cheap = [c.word.replace("ё", "е") for c in found[:3] if c.cost <= TYPO_MAX_COST + 1e-9]
            taboo = [
                c.word.replace("ё", "е")
                for c in found
                if TYPO_MAX_COST + 1e-9 < c.cost <= TYPO_TABOO_MAX_COST + 1e-9 and _taboo_form(c.word)
            ]
            readings = tuple(dict.fromkeys(cheap + taboo))
    if len(_TYPO_CACHE) >= TYPO_CACHE_SIZE:
        evict_older_half(_TYPO_CACHE)
    _TYPO_CACHE[norm] = readings
    return readings


def _taboo_form(word: str) -> bool:
    """``word`` is a form of a lemma of ``chatlint/data/typo_lemmas.txt``."""
    global _TYPO_MORPH
    if _TYPO_MORPH is None:
        from chatlint.morph import Morphology

        _TYPO_MORPH = Morphology(max_cache=2_000)
    return not _TYPO_LEMMAS.isdisjoint(_TYPO_MORPH.info(word.replace("ё", "е")).lemmas)


def _load_typo_lemmas() -> frozenset[str]:
    """The shipped lemmas whose forms a word two cheap slips away still reads as."""
    from importlib import resources

    text = resources.files("chatlint").joinpath("data/typo_lemmas.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


_TYPO_LEMMAS = _load_typo_lemmas()
_TYPO_MORPH = None  # a Morphology of its own, made on the first taboo check


class PatternError(ValueError):
    """A pattern that cannot be used; the message says what is wrong with it."""


@dataclass(frozen=True)
class Atom:
    """One way a single token can match."""

    kind: str  # "lemma", "form", "grams", "regex", "any"
    value: str = ""
    grammemes: frozenset[str] = frozenset()
    compiled: regex.Pattern | None = None
    # A /regex/ atom's answers per normalised token (a search with a timeout costs 15 µs
    # and more on a loaded machine, whatever the token); bounded, see REGEX_CACHE_SIZE.
    results: dict[str, bool] = field(default_factory=dict, repr=False, compare=False, hash=False)
    # Letters every match of a /regex/ atom contains («жоп» in /^[а-я]{2,}[оеи]жоп/): a word
    # without them is answered at once, with no search and no cache entry (see required_literal).
    literal: str = field(default="", repr=False, compare=False)

    def matches(self, norm: str, kind: str, morph: Morphology) -> bool:
        """Whether a token with this normalised text and kind matches."""
        if self.kind == "any":
            return kind in CONTENT_KINDS
        if self.kind == "regex":
            if self.literal and self.literal not in norm and self.literal not in norm.lower():
                return False  # (words come lower-cased; the atom ignores case for other callers)
            hit = self.results.get(norm)
            if hit is None:
                deadline = getattr(_BUDGET, "deadline", None)
                left = REGEX_TIMEOUT if deadline is None else deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise TimeoutError
                    hit = self.compiled.search(norm, timeout=left) is not None
                except TimeoutError:
                    return False  # this reply's regex time is spent: no match, not remembered
                if len(self.results) >= REGEX_CACHE_SIZE:
                    evict_older_half(self.results)
                self.results[norm] = hit
            return hit
        if kind != WORD:
            return False
        if self.kind == "form":
            return norm == self.value
        if self.kind == "lemma":
            if not self.grammemes:
                return self.value in morph.info(norm).lemmas
            return morph.has(norm, self.value, self.grammemes)
        return morph.has(norm, None, self.grammemes)


@dataclass(frozen=True)
class Element:
    """One position of a pattern: alternatives, or a gap, or an anchor."""

    atoms: tuple[Atom, ...] = ()
    optional: bool = False
    negated: bool = False
    gap: int = 0  # > 0: up to this many words of any kind
    anchor: str = ""  # "^" (sentence start), "^^" (reply start), "$", or "!?" (not a question)
    source: str = ""
    # Light words («мне», «же», «уже» …) that may stand before this element without being
    # matched, when the rule asks for ``slack`` (never before the first word of a match).
    slack: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # Derived from ``atoms`` for speed: plain word forms and plain lemmas as sets (one
    # lookup instead of a loop); the grammemes wanted per lemma and without a lemma, tested
    # parse by parse (not atom by atom); the atoms that need their own test (regex, any).
    forms: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    lemmas: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    graded: dict[str, tuple[frozenset[str], ...]] = field(init=False, repr=False, compare=False, default_factory=dict)
    grams: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False, default=())
    others: tuple[Atom, ...] = field(init=False, repr=False, compare=False, default=())
    # The words (forms) and lemmas one of which a word must have to match, when the element
    # has only form and lemma atoms (None otherwise): a cheap necessary condition.
    keys: frozenset[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        atoms = self.atoms
        graded: dict[str, tuple[frozenset[str], ...]] = {}
        for a in atoms:
            if a.kind == "lemma" and a.grammemes:
                graded[a.value] = (*graded.get(a.value, ()), a.grammemes)
        keys = None
        if atoms and all(a.kind in ("form", "lemma") for a in atoms):
            keys = frozenset(a.value for a in atoms)
        setattr_ = object.__setattr__
        setattr_(self, "forms", frozenset(a.value for a in atoms if a.kind == "form"))
        setattr_(self, "lemmas", frozenset(a.value for a in atoms if a.kind == "lemma" and not a.grammemes))
        setattr_(self, "graded", graded)
        setattr_(self, "grams", tuple(a.grammemes for a in atoms if a.kind == "grams"))
        setattr_(self, "others", tuple(a for a in atoms if a.kind in ("regex", "any")))
        setattr_(self, "keys", keys)

    def matches(self, norm: str, kind: str, morph: Morphology) -> bool:
        """Whether a token matches one of the atoms (``any(a.matches(...) for a in atoms)``,
        negated when the element is)."""
        hit = False
        if kind == WORD:
            if norm in self.forms:
                hit = True
            elif self.lemmas or self.graded or self.grams:
                info = morph.info(norm)
                if self.lemmas and not self.lemmas.isdisjoint(info.lemmas):
                    hit = True
                elif self.graded or self.grams:
                    graded, free = self.graded, self.grams
                    for parse_lemma, grams in zip(info.parse_lemmas, info.grammemes):
                        wanted = graded.get(parse_lemma, ()) + free if graded else free
                        for w in wanted:
                            if w <= grams:
                                hit = True
                                break
                        if hit:
                            break
        if not hit and self.others:
            for atom in self.others:
                if atom.matches(norm, kind, morph):
                    hit = True
                    break
        if self.negated:
            return not hit and kind in CONTENT_KINDS
        return hit

    def typo_match(self, readings: tuple[str, ...], morph: Morphology) -> str | None:
        """The first typo reading of a word this element matches (only elements made of
        words and lemmas, not negated ones), or None."""
        if self.keys is None or self.negated:
            return None
        for reading in readings:
            if self.matches(reading, WORD, morph):
                return reading
        return None

    @property
    def required(self) -> bool:
        """Every match has a word matched by this element, found by its ``keys``."""
        return self.keys is not None and not (self.optional or self.negated or self.gap or self.anchor)


@dataclass
class Pattern:
    """A parsed pattern: its elements and the atoms that can start a match."""

    source: str
    elements: list[Element]
    triggers: list[tuple[Atom, int]] = field(default_factory=list)  # (atom, element index)
    untriggered: bool = False  # cannot be indexed: try it at every token
    # Derived from ``elements`` once (they do not change after parsing):
    branching: bool = field(init=False, repr=False, compare=False, default=False)
    has_end_anchor: bool = field(init=False, repr=False, compare=False, default=False)
    # (element index, keys) of each required element: a reply none of whose words has one
    # of an element's keys cannot match (see ``Element.keys``).
    required: tuple[tuple[int, frozenset[str]], ...] = field(init=False, repr=False, compare=False, default=())
    # The keys one of which the first word of every match has, or None when unknown.
    start_keys: frozenset[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        elements = self.elements
        # branching: optional elements or gaps, so matching may backtrack
        self.branching = any(e.optional or e.gap or e.slack for e in elements)
        self.has_end_anchor = any(e.anchor == "$" for e in elements)
        self.required = tuple((i, e.keys) for i, e in enumerate(elements) if e.required)
        self.start_keys = _start_keys(elements)

    @property
    def word_elements(self) -> list[int]:
        """Indices of elements that consume a token (for ``{N}`` references)."""
        return [i for i, e in enumerate(self.elements) if not e.anchor and not e.gap]


def parse_pattern(
    source: str, morph: Morphology, *, forms_ok: bool = False, slack: frozenset[str] = frozenset()
) -> Pattern:
    """Parse a pattern string; raise PatternError with a reason when it is unusable.

    With ``forms_ok`` a bare word that is not a dictionary lemma is taken as an exact
    form instead of being an error (the left side of a substitution: «щас», «ихний»).
    With ``slack`` (e.g. ``SLACK_WORDS``) those words may stand unmatched between two
    matched words: «прекратить{impr} писать» also matches «Прекратите мне писать».
    """
    if not isinstance(source, str) or not source.strip():
        raise PatternError("empty pattern")
    parts = _split(source)
    if len(parts) > MAX_ELEMENTS:
        raise PatternError(f"pattern {source[:40]!r}… has {len(parts)} elements; at most {MAX_ELEMENTS}")
    elements = [_parse_element(part, morph, forms_ok) for part in parts]
    consuming = [e for e in elements if not e.anchor]
    if not consuming:
        raise PatternError(f"pattern {source!r} has no words to match")
    if consuming[0].gap or consuming[-1].gap:
        raise PatternError(f"pattern {source!r} starts or ends with a gap, which means nothing")
    required = [e for e in consuming if not e.optional and not e.gap]
    if not required:
        raise PatternError(f"pattern {source!r} has only optional elements: it would match anywhere")
    if all(_is_wildcard(e) for e in required):
        raise PatternError(f"pattern {source!r} matches every word: name at least one word or lemma")
    if slack:
        elements = [e if e.anchor or e.gap else replace(e, slack=slack) for e in elements]
    pattern = Pattern(source, elements)
    _index(pattern)
    return pattern


def _is_wildcard(element: Element) -> bool:
    return element.negated or any(
        a.kind == "any" or (a.kind == "regex" and a.compiled.search("") is not None) for a in element.atoms
    )


def _split(source: str) -> list[str]:
    """Split on spaces that are not inside quotes, braces, parentheses or slashes."""
    parts, buf, depth, quote = [], [], 0, ""
    for ch in source.strip():
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in '«"/' and depth == 0 and (not buf or buf[-1] in "|(!"):
            quote = {"«": "»", '"': '"', "/": "/"}[ch]
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch.isspace() and depth == 0:
            if buf:
                parts.append("".join(buf))
                buf = []
            continue
        buf.append(ch)
    if quote:
        raise PatternError(f"unclosed {quote!r} in pattern {source!r}")
    if buf:
        parts.append("".join(buf))
    return parts


def _parse_element(part: str, morph: Morphology, forms_ok: bool = False) -> Element:
    if part in ("^", "^^", "$", "!?"):
        return Element(anchor=part, source=part)
    gap = _GAP_RE.match(part)
    if gap:
        size = int(gap.group(1) or 3)
        if not 1 <= size <= MAX_GAP:
            raise PatternError(f"gap {part!r} must swallow from 1 to {MAX_GAP} words")
        return Element(gap=size, source=part)
    m = _ELEMENT_RE.match(part)
    if not m:
        raise PatternError(f"cannot read element {part!r}")
    body = m.group("group") or m.group("single")
    atoms = tuple(_parse_atom(alt.strip(), morph, forms_ok) for alt in _split_alternatives(body))
    return Element(atoms=atoms, optional=bool(m.group("opt")), negated=bool(m.group("neg")), source=part)


def _split_alternatives(body: str) -> list[str]:
    alts, buf, quote = [], [], ""
    for ch in body:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in '«"/' and not buf:
            quote = {"«": "»", '"': '"', "/": "/"}[ch]
        if ch == "|":
            alts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    alts.append("".join(buf))
    if any(not a.strip() for a in alts):
        raise PatternError(f"empty alternative in {body!r}")
    return alts


def required_literal(source: str) -> str:
    """The longest run of plain lower-case letters that every match of the regular expression
    ``source`` contains, or "" when that cannot be told simply: an alternation outside a
    group, an escape, a letter made optional or repeated by a quantifier, an «ё» (words are
    matched with «е») or upper case (the atom ignores case) all end a run or give up."""
    runs, run, depth, i = [], "", 0, 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            runs.append(run)
            run, i = "", i + 2
            continue
        if ch == "[":
            runs.append(run)
            run = ""
            close = source.find("]", i + 2)
            if close < 0:
                return ""
            i = close + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ""
        if depth == 0 and "а" <= ch <= "я" and ch != "ё":
            nxt = source[i + 1 : i + 2]
            if nxt and nxt in "?*+{":
                runs.append(run)
                run = ""
            else:
                run += ch
        else:
            runs.append(run)
            run = ""
        i += 1
    runs.append(run)
    best = max(runs, key=len)
    return best if len(best) >= 2 else ""


def _parse_atom(text: str, morph: Morphology, forms_ok: bool = False) -> Atom:
    m = _ATOM_RE.match(text)
    if not m:
        raise PatternError(f"cannot read {text!r}: expected a lemma, «form», {{GRAMMEMES}}, /regex/ or *")
    if m.group("quoted"):
        return Atom("form", _norm(m.group("quoted")[1:-1]))
    if m.group("regex"):
        try:
            compiled = regex.compile(m.group("regex"), regex.IGNORECASE)
        except regex.error as exc:
            raise PatternError(f"bad regular expression /{m.group('regex')}/: {exc}") from None
        return Atom("regex", m.group("regex"), compiled=compiled, literal=required_literal(m.group("regex")))
    if m.group("any"):
        return Atom("any")
    if m.group("grams"):
        return Atom("grams", grammemes=_grammemes(m.group("grams")))
    lemma = _norm(m.group("lemma"))
    grams = _grammemes(m.group("lemma_grams")) if m.group("lemma_grams") else frozenset()
    if not morph.is_lemma(lemma):
        if forms_ok and not grams:
            return Atom("form", lemma)
        forms_of = morph.lemma_of(lemma)
        if morph.is_known(lemma) and forms_of:
            hint = f"it is a form of «{forms_of[0]}»: write the lemma, or quote the exact form «{lemma}»"
        else:
            hint = f"the dictionary does not know it: quote the exact form «{lemma}» (one per form)"
        raise PatternError(f"«{lemma}» is not a dictionary lemma; {hint}")
    if grams and not _lemma_has_form(lemma, grams, morph):
        raise PatternError(f"«{lemma}» has no form with grammemes {{{','.join(sorted(grams))}}}")
    return Atom("lemma", lemma, grammemes=grams)


def _norm(word: str) -> str:
    from chatlint.text import normalise

    return normalise(word)


def _grammemes(text: str) -> frozenset[str]:
    from chatlint.morph import analyzer

    grams = frozenset(g.strip() for g in text.split(",") if g.strip())
    known = analyzer().TagClass.KNOWN_GRAMMEMES
    unknown = sorted(g for g in grams if g not in known)
    if unknown:
        raise PatternError(f"unknown grammeme(s) {', '.join(unknown)} (OpenCorpora names: VERB, 2per, plur, …)")
    return grams


def _lemma_has_form(lemma: str, grams: frozenset[str], morph: Morphology) -> bool:
    for parse in morph.parses(lemma):
        if fold(parse.normal_form) != lemma:
            continue
        if any(grams <= frozenset(f.tag.grammemes) for f in parse.lexeme):
            return True
    return False


def _start_keys(elements: list[Element]) -> frozenset[str] | None:
    """Keys of the elements that can capture the first word of a match: those up to and
    including the first required one (anchors skipped). None when one of them is a gap or
    has no keys, or there is no required element: then a match may start anywhere."""
    keys: set[str] = set()
    for element in elements:
        if element.anchor:
            continue
        if element.gap or element.negated or element.keys is None:
            return None
        keys |= element.keys
        if not element.optional:
            return frozenset(keys)
    return None


def _index(pattern: Pattern) -> None:
    """Find the atoms that can start a match, for the trigger index."""
    for i, element in enumerate(pattern.elements):
        if element.anchor:
            continue
        if element.negated or any(a.kind not in ("lemma", "form") for a in element.atoms):
            pattern.untriggered = True
            pattern.triggers = []
            return
        pattern.triggers.extend((atom, i) for atom in element.atoms)
        if not element.optional:
            return


class Sequence:
    """The content tokens of one reply, with links between neighbours.

    Two content tokens are linked when they are in the same sentence and only commas and
    dashes stand between them; a pattern matches only over linked tokens.
    """

    __slots__ = ("tokens", "index", "linked", "readings", "questions", "_raw", "_openers")

    def __init__(self, tokens: list, readings=None) -> None:
        content: list = []
        index: list[int] = []
        linked: list[bool] = []
        clear = True  # only commas and dashes since the last content token
        sentence = -1
        questions: set[int] = set()  # sentences with a «?» in them
        for i, token in enumerate(tokens):
            kind = token[0]
            if kind == PUNCT and "?" in token[3]:
                questions.add(token[5])
            if kind in CONTENT_KINDS:
                if content:
                    linked.append(clear and token[5] == sentence)
                content.append(token)
                index.append(i)
                sentence = token[5]
                clear = True
            elif clear and (kind != PUNCT or token[3] not in _SKIPPABLE):
                clear = False
        linked.append(False)
        self.questions = questions
        self._raw = tokens
        self._openers: frozenset[int] | None = None  # found on the first ``^`` asked mid-sentence
        self.tokens = content
        self.index = index
        self.linked = linked
        # typo readings per content token (see ``typo_readings``); None: no token has any
        self.readings: list[tuple[str, ...]] | None = None
        if readings is not None:
            found = [readings(t.norm) if t.kind == WORD else () for t in content]
            if any(found):
                self.readings = found

    def hit(self, element: Element, i: int, morph: Morphology) -> bool:
        """Content token ``i`` matches ``element``, as written or read without a typo."""
        token = self.tokens[i]
        if element.matches(token.norm, token.kind, morph):
            return True
        return self.readings is not None and element.typo_match(self.readings[i], morph) is not None

    def typo(self, element: Element, i: int, morph: Morphology) -> str | None:
        """The reading by which token ``i`` matched ``element`` when it did so only through a
        typo, else None."""
        token = self.tokens[i]
        if self.readings is None or not self.readings[i] or element.matches(token.norm, token.kind, morph):
            return None
        return element.typo_match(self.readings[i], morph)

    def sentence_start(self, i: int, morph: Morphology) -> bool:
        """Token ``i`` opens its sentence, or follows an opener and its comma there."""
        if i == 0 or self.tokens[i - 1].sentence != self.tokens[i].sentence:
            return True
        if self._openers is None:
            self._openers = _after_openers(self.tokens, self.linked, self._comma_after, morph)
        return i in self._openers

    def _comma_after(self, k: int) -> bool:
        """A comma stands between content tokens ``k`` and ``k + 1``."""
        return any(t[0] == PUNCT and t[3].startswith(",") for t in self._raw[self.index[k] + 1 : self.index[k + 1]])

    def sentence_end(self, i: int) -> bool:
        return not self.linked[i]

    def statement(self, i: int) -> bool:
        """Token ``i`` is in a sentence that asks nothing (no «?»)."""
        return i < len(self.tokens) and self.tokens[i].sentence not in self.questions


def _after_openers(
    content: list, linked: list[bool], comma_after: Callable[[int], bool], morph: Morphology
) -> frozenset[int]:
    """Content tokens that follow a sentence's opener and a comma: up to four opener words
    («Извините, но», «Добрый день,», «Ой, ну,»), a capitalised first name and the capitalised
    words of an address after it or after «уважаемый» among them («Мария,», «Уважаемая Анна
    Петровна,»). «но» after the comma belongs to the opener too. Asked only when a ``^`` is
    tried mid-sentence (see ``sentence_start``)."""
    found: set[int] = set()
    count = len(content)
    for s in range(count):
        if s and content[s - 1].sentence == content[s].sentence:
            continue
        address = False
        for k in range(s, min(s + 4, count)):
            norm = content[k].norm
            capital = content[k].text[:1].isupper()
            if norm in _OPENER_WORDS or (capital and address):
                address = address or norm in _ADDRESS_WORDS
            elif capital and content[k].kind == WORD and morph.has(norm, None, _NAME):
                address = True
            else:
                break
            if not linked[k]:
                break
            if comma_after(k):
                nxt = k + 1
                found.add(nxt + 1 if content[nxt].norm == "но" and linked[nxt] else nxt)
    return frozenset(found)


def match_at(pattern: Pattern, seq: Sequence, start: int, first: int, morph: Morphology):
    """Match ``pattern`` with element ``first`` on content token ``start``.

    Elements before ``first`` are optional ones that the trigger skipped. Returns a list
    of content-token indices per element (None where skipped), or None.
    """
    elements = pattern.elements
    captures: list[int | None] = [None] * len(elements)
    for k in range(first):
        if elements[k].anchor == "^" and not seq.sentence_start(start, morph):
            return None
        if elements[k].anchor == "^^" and start != 0:
            return None
        if elements[k].anchor == "!?" and not seq.statement(start):
            return None
    if not pattern.branching:
        return _match_straight(elements, first, start, seq, morph, captures)
    failed = _Failed(pattern.has_end_anchor)
    return _match(elements, first, start, seq, morph, captures, None, failed)


def _match_straight(elements, first, i, seq, morph, captures):
    """``_match`` for a pattern without optional elements and gaps: nothing to backtrack
    to, so one pass over the elements decides."""
    tokens, linked = seq.tokens, seq.linked
    count = len(tokens)
    last = None
    for e in range(first, len(elements)):
        element = elements[e]
        anchor = element.anchor
        if anchor:
            if anchor == "^":
                if i >= count or not seq.sentence_start(i, morph):
                    return None
            elif anchor == "^^":
                if i != 0 or not count:
                    return None
            elif anchor == "!?":
                if not seq.statement(i if last is None else last):
                    return None
            elif last is None or linked[last]:
                return None
            continue
        if i >= count or (last is not None and not linked[i - 1]):
            return None
        if not seq.hit(element, i, morph):
            return None
        captures[e] = i
        last = i
        i += 1
    return captures


class _Failed(set):
    """Matcher states known to fail; ``by_last``: the state includes the last captured token."""

    __slots__ = ("by_last",)

    def __init__(self, by_last: bool) -> None:
        super().__init__()
        self.by_last = by_last


def _match(elements, e, i, seq, morph, captures, last, failed):
    """Backtracking matcher: element ``e`` against content token ``i``.

    ``last`` is the last captured token (None before the first). Whether the rest of the
    pattern can match depends only on (e, i, last) -- and only on whether ``last`` is None
    when the pattern has no ``$`` -- so ``failed`` remembers the states that cannot:
    optional elements and gaps then cost a polynomial, not an exponential, number of steps.
    """
    if e == len(elements):
        return list(captures)
    if failed is not None:
        state = (e, i, last if failed.by_last else last is None)
        if state in failed:
            return None
    result = _step(elements, e, i, seq, morph, captures, last, failed)
    if result is None and failed is not None:
        failed.add(state)
    return result


def _step(elements, e, i, seq, morph, captures, last, failed):
    element = elements[e]
    if element.anchor == "^":
        if i < len(seq.tokens) and seq.sentence_start(i, morph):
            return _match(elements, e + 1, i, seq, morph, captures, last, failed)
        return None
    if element.anchor == "^^":
        if i == 0 and seq.tokens:
            return _match(elements, e + 1, i, seq, morph, captures, last, failed)
        return None
    if element.anchor == "!?":
        if seq.statement(i if last is None else last):
            return _match(elements, e + 1, i, seq, morph, captures, last, failed)
        return None
    if element.anchor == "$":
        if last is not None and seq.sentence_end(last):
            return _match(elements, e + 1, i, seq, morph, captures, last, failed)
        return None
    if element.gap:
        for skip in range(element.gap + 1):
            j = i + skip
            if skip and (j - 1 >= len(seq.tokens) or not seq.linked[j - 2]):
                break  # the swallowed token must be linked to the one before it
            result = _match(elements, e + 1, j, seq, morph, captures, last, failed)
            if result is not None:
                return result
        return None
    if i < len(seq.tokens) and (last is None or seq.linked[i - 1]):
        if seq.hit(element, i, morph):
            captures[e] = i
            result = _match(elements, e + 1, i + 1, seq, morph, captures, i, failed)
            if result is not None:
                return result
            captures[e] = None
        if element.slack and last is not None and seq.tokens[i].norm in element.slack:
            result = _match(elements, e, i + 1, seq, morph, captures, last, failed)  # a light word passed
            if result is not None:
                return result
    if element.optional:
        return _match(elements, e + 1, i, seq, morph, captures, last, failed)
    return None
