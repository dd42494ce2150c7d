"""The ``spelling`` rule kind: curated misspellings and words the dictionary does not know.

The checks, each switchable in YAML:

* ``misspellings`` — ``wrong → right`` pairs of surface forms (``wrong*`` replaces a prefix);
  a safe fix, with the rule's severity.
* «в течении» before a time expression → «в течение» (``time_nouns`` lists the lemmas).
* ``instructions`` — a future-tense «-ете» form used as an instruction («Выберете тариф»)
  → the imperative «-ите».
* ``subject_tsya`` — «Оплата производиться» → «производится»; ``ne_apart`` — «не навижу» →
  «ненавижу» (both in ``chatlint.kinds.spelling_context``).
* ``unknown_words`` — a word the dictionary does not know and that is one or two slips
  away from one it knows; reported with ``unknown_severity`` and suggestions, no safe fix.

Never checked by the last one: names and brands (capitalised inside a sentence), acronyms,
Latin words, short words, words in ``accept`` or the user's vocabulary, compounds of a
known prefix and a known word.
"""

from __future__ import annotations

import regex

from chatlint.kinds.base import ARROW_RE, Doc, Match, RuleKind, register
from chatlint.kinds.spelling_context import ending_swap, ne_apart, tsya_after_subject
from chatlint.limits import evict_older_half
from chatlint.morph import match_case
from chatlint.pattern import PatternError
from chatlint.spell import speller
from chatlint.text import CODE, NUMBER, PUNCT, WORD, Token, fold

_CYRILLIC_WORD = regex.compile(r"^[\p{Cyrillic}-]+$")
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_SPLIT_LEFT = frozenset({"в", "во", "на", "с", "со", "к", "ко", "у", "о", "об", "за", "не", "ни", "до", "от", "из"})
_VERBAL = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
_SPLIT_RIGHT = frozenset({"же", "ли", "бы", "то"})
_PARTICLES = frozenset({"то", "либо", "нибудь", "ка", "таки", "кое", "де", "с"})
_INSTRUCTION_LEAD = frozenset(
    "пожалуйста сначала затем далее потом теперь также просто и а после этого чего того для".split()
)
_INSTRUCTION_BLOCK = frozenset("вы если когда как что чтобы где ли пока то тогда вдруг уже не".split())

PLAN_CACHE_SIZE = 20_000  # word forms whose verdict is kept (then the cache starts afresh)
_NOTHING = ()  # the plan of a word form that never gets a finding


@register
class SpellingRule(RuleKind):
    """Misspelt words: a curated list, context slips and dictionary-unknown words."""

    name = "spelling"
    keys = {
        "misspellings": [],
        "time_nouns": [],
        "instructions": True,
        "unknown_words": True,
        "unknown_severity": "info",
        "max_distance": 2,
        "max_cost": 1.4,
        "min_length": 4,
        "accept": [],
        "prefixes": [],
        "verb_prefixes": [],
        "modals": [],
        "subject_tsya": True,
        "ne_apart": True,
    }
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.exact: dict[str, str] = {}
        self.stems: list[tuple[str, str]] = []
        for entry in params["misspellings"] or []:
            if not isinstance(entry, str) or not ARROW_RE.search(entry):
                raise PatternError(f"misspelling {entry!r} must look like 'wrong → right'")
            wrong, right = (s.strip() for s in ARROW_RE.split(entry, maxsplit=1))
            if not right:
                raise PatternError(f"misspelling {entry!r} has nothing after the arrow")
            for form in (fold(w.strip()) for w in wrong.split(",")):
                if form.endswith("*"):
                    if not right.endswith("*"):
                        raise PatternError(f"misspelling {entry!r}: a stem 'wrong*' needs a stem 'right*'")
                    self.stems.append((form[:-1], right[:-1]))
                elif form:
                    self.exact[form] = right
        self.stems.sort(key=lambda s: -len(s[0]))
        self.stem_map = dict(self.stems)
        self.stem_lengths = sorted({len(w) for w, _ in self.stems}, reverse=True)
        self._verdicts: dict[tuple[str, float | None], tuple[str, ...]] = {}
        self._plans: dict[str, tuple] = {}
        if params["unknown_severity"] not in ("error", "warning", "info"):
            raise PatternError("'unknown_severity' must be error, warning or info")
        self.modals = frozenset(fold(str(w)) for w in params["modals"] or [])
        self.time_nouns = frozenset(fold(str(w)) for w in params["time_nouns"] or [])
        self.accept = frozenset(fold(str(w)) for w in params["accept"] or [])
        self.verb_prefixes = tuple(
            sorted((str(p).lower() for p in params["verb_prefixes"] or []), key=len, reverse=True)
        )
        self.prefixes = tuple(sorted((str(p).lower() for p in params["prefixes"] or []), key=len, reverse=True))
        vocab = ctx.vocabulary
        self.user_accept = frozenset(fold(w) for w in vocab.accept)
        self.user_reject = frozenset(fold(w) for w in vocab.reject)

    # --- the checks -------------------------------------------------------------------
    def find(self, doc: Doc) -> list[Match]:
        found: list[Match] = []
        tokens = doc.tokens
        plans = self._plans
        for i, token in enumerate(tokens):
            if token[0] != WORD:  # plain indexing (kind, text, norm): faster than the fields
                continue
            plan = plans.get(token[3])
            if plan is None:
                plan = self._plan(token[3], token[4])
            if plan is _NOTHING:
                continue
            fixed, context, unknown, needs_start = plan
            start = token.start
            if fixed is not None:
                found.append(Match(start, token.end, *fixed))
                continue
            if context:
                match = self._in_context(doc, i)
                if match is not None:
                    found.append(match)
                    continue
            if unknown and (not needs_start or _starts_sentence(tokens, i)):
                severity = self.params["unknown_severity"]
                found.extend(Match(start + a, start + b, s, safe=False, severity=severity) for a, b, s in unknown)
        return found

    def _plan(self, text: str, norm: str) -> tuple:
        """What a word form gets, whatever its neighbours (cached per form).

        ``(fixed, context, unknown, needs_start)``: ``fixed`` is the rest of a Match for a
        rejected or curated word (then nothing else is checked); ``context`` says a check
        that looks at the neighbours applies («в течении», «нужно оплатится», «Выберете»);
        ``unknown`` lists ``(start, end, suggestions)`` of unknown parts, relative to the
        word, reported when the context checks found nothing and, if ``needs_start``, only
        when the word opens a sentence. ``_NOTHING`` when the form never gets anything.
        """
        fixed = None
        context = False
        unknown: tuple = ()
        needs_start = False
        if norm in self.user_reject:
            fixed = (self._suggest(norm, text), None, False)
        elif norm in self.user_accept:
            pass
        else:
            right = self._curated(norm, text.lower())
            if right is not None:
                out = match_case(right, text)
                fixed = ((out,), out)
            else:
                context = (
                    (norm == "течении" and bool(self.time_nouns))
                    or (bool(self.modals) and norm.endswith("тся"))
                    or (bool(self.params["instructions"]) and norm.endswith("ете"))
                    or (bool(self.params["subject_tsya"]) and norm.endswith("ться"))
                    or (bool(self.params["ne_apart"]) and self._ne_candidate(norm))
                )
                if self.params["unknown_words"]:
                    unknown, needs_start = self._unknown(text, norm)
        plan = (fixed, context, unknown, needs_start) if fixed is not None or context or unknown else _NOTHING
        if len(self._plans) >= PLAN_CACHE_SIZE:
            evict_older_half(self._plans)
        self._plans[text] = plan
        return plan

    def _in_context(self, doc: Doc, i: int) -> Match | None:
        """The checks that look at the neighbours, in order; the first match wins."""
        norm = doc.tokens[i].norm
        if norm == "течении" and self.time_nouns:
            match = self._v_techenii(doc, i)
            if match is not None:
                return match
        if self.modals and norm.endswith("тся"):
            match = self._tsya(doc, i)
            if match is not None:
                return match
        if self.params["subject_tsya"] and norm.endswith("ться"):
            match = tsya_after_subject(doc, i, self.morph, self.modals)
            if match is not None:
                return match
        if self.params["ne_apart"] and self._ne_candidate(norm):
            match = ne_apart(doc, i, self.morph)
            if match is not None:
                return match
        if self.params["instructions"] and norm.endswith("ете"):
            return self._instruction(doc, i)
        return None

    def _ne_candidate(self, norm: str) -> bool:
        """The form is unknown alone but known with «не» in front («навижу» → «ненавижу»)."""
        return len(norm) >= 3 and not speller().known(norm) and speller().known("не" + norm)

    def _curated(self, norm: str, lowered: str) -> str | None:
        right = self.exact.get(norm)
        if right is not None:
            return right
        for length in self.stem_lengths:
            good = self.stem_map.get(norm[:length])
            if good is not None:
                return good + lowered[length:]  # the ending as written, «ё» included
        return None

    def _v_techenii(self, doc: Doc, i: int) -> Match | None:
        """«в течении» + a time expression (a number or a time noun within three words)."""
        tokens = doc.tokens
        prev = _neighbour(tokens, i, -1)
        if prev is None or prev.norm != "в" or prev.sentence != tokens[i].sentence:
            return None
        seen = 0
        for token in tokens[i + 1 :]:
            if token.sentence != tokens[i].sentence or seen >= 4:
                return None
            if token.kind == NUMBER:
                break
            if token.kind == WORD:
                seen += 1
                if self.time_nouns & self.morph.info(token.norm).lemmas:
                    break
            elif token.kind == PUNCT and token.text not in ("-", "–", "—"):
                return None
        else:
            return None
        span = doc.text[prev.start : tokens[i].end]
        out = match_case("в течение", span)
        return Match(prev.start, tokens[i].end, (out,), out)

    def _tsya(self, doc: Doc, i: int) -> Match | None:
        """«нужно оплатится»: after a modal word the infinitive «-ться» is needed."""
        token = doc.tokens[i]
        prev = doc.tokens[i - 1] if i else None
        if prev is None or prev.kind != WORD or prev.norm not in self.modals or prev.sentence != token.sentence:
            return None
        if doc.text[prev.end : token.start].strip() or not self.morph.has(token.norm, None, frozenset({"3per"})):
            return None
        infinitive = token.norm[:-3] + "ться"
        if not speller().known(infinitive) or not self.morph.has(infinitive, None, frozenset({"INFN"})):
            return None
        out = match_case(token.text[:-3] + "ться", token.text)
        return Match(token.start, token.end, (out,), out)

    def _instruction(self, doc: Doc, i: int) -> Match | None:
        """A «-ете» future form where an instruction («-ите») is meant."""
        token = doc.tokens[i]
        if "ё" in token.text.lower() or not self.morph.has(token.norm, None, frozenset({"futr", "2per", "plur"})):
            return None
        imperative = token.norm[:-3] + "ите"
        if not speller().known(imperative) or not self.morph.has(imperative, None, frozenset({"impr", "plur"})):
            return None
        words = [t for t in doc.tokens if t.sentence == token.sentence]
        if _sentence_end(doc.tokens, token) == "?":
            return None
        before = [t for t in words if t.end <= token.start and t.kind == WORD]
        after = [t for t in words if t.start >= token.end and t.kind == WORD]
        norms = [t.norm for t in before]
        polite = (before and before[-1].norm == "пожалуйста") or (after and after[0].norm == "пожалуйста")
        if any(n in _INSTRUCTION_BLOCK for n in norms):
            return None
        leading = all(n in _INSTRUCTION_LEAD for n in norms)
        after_imperative = (
            bool(norms)
            and norms[-1] == "и"
            and any(
                self.morph.has(n, None, frozenset({"impr"})) and not self.morph.has(n, None, frozenset({"indc"}))
                for n in norms[:-1]
            )
        )
        if not (polite or leading or after_imperative):
            return None
        out = match_case(imperative, token.text)
        return Match(token.start, token.end, (out,), out)

    def _unknown(self, text: str, norm: str) -> tuple[tuple[tuple[int, int, tuple[str, ...]], ...], bool]:
        """Unknown parts of a word form: ``(start, end, suggestions)`` relative to the word,
        and whether they count only when the word opens a sentence (a capitalised word
        elsewhere is a name, a brand or a title)."""
        if not _CYRILLIC_WORD.match(norm) or _is_acronym(text) or len(norm) != len(text):
            return (), False  # (a Cyrillic ``norm`` is as long as its word: only «İ» lengthens)
        needs_start = text[:1].isupper() and not text.isupper()
        parts = [(0, norm)]
        if "-" in norm:
            if speller().known(norm):
                return (), False
            parts, pos = [], 0
            for piece in norm.split("-"):
                parts.append((pos, piece))
                pos += len(piece) + 1
        found = []
        for start, word in parts:
            surface = text[start : start + len(word)]
            # a capital at the start of a sentence may still be a name: only the plainest slips
            max_cost = 0.6 if surface[:1].isupper() and surface[1:].islower() else None
            key = (word, max_cost)
            verdict = self._verdicts.get(key)
            if verdict is None:
                verdict = () if self._acceptable(word) else self._suggest(word, word, max_cost)
                if len(self._verdicts) >= PLAN_CACHE_SIZE:
                    evict_older_half(self._verdicts)
                self._verdicts[key] = verdict
            suggestions = tuple(match_case(v, surface) for v in verdict)
            if suggestions:
                found.append((start, start + len(word), suggestions))
        return tuple(found), needs_start

    def _acceptable(self, word: str) -> bool:
        """The word is known, accepted, too short to judge, or a compound of known parts."""
        if len(word) < self.params["min_length"] or word in _PARTICLES:
            return True
        if word in self.accept or word in self.user_accept or speller().known(word):
            return True
        if word.startswith("не") and speller().known(word[2:]):
            # «неверифицированный» is one word; «неработает» is two (a verb after «не»)
            return not self.morph.has(word[2:], None, frozenset({"VERB"}))
        if ending_swap(word, self.morph):
            return False  # «видет» is «видит» with the wrong vowel, not «в» + «идет»
        for prefix in self.verb_prefixes:
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 3 and speller().known(rest) and self._verbal(rest):
                return True  # «начислится», «отсканирует»: a prefix the dictionary lacks on a known verb
        for prefix in self.prefixes:
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 3 and (speller().known(rest) or rest in self.accept):
                return True
        return False

    def _suggest(self, word: str, surface: str, max_cost: float | None = None) -> tuple[str, ...]:
        """Up to three dictionary words near ``word``, in the capitalisation of ``surface``."""
        limit = self.params["max_cost"] if max_cost is None else min(max_cost, self.params["max_cost"])
        out = []
        for cand in speller().candidates(word, self.params["max_distance"], limit=6, max_cost=limit):
            if cand.cost > limit + 1e-9 or self._proper_only(cand.word):
                continue
            out.append(match_case(cand.word, surface))
        split = self._split(word)
        if split:
            out.insert(min(1, len(out)), match_case(split, surface))
        swapped = ending_swap(word, self.morph)
        if swapped:  # «увидете» → «увидите» comes before the letter-by-letter neighbours
            out.insert(0, match_case(swapped, surface))
        return tuple(dict.fromkeys(out))[:3]

    def _split(self, word: str) -> str | None:
        """«втоп» → «в топ», «таже» → «та же»: a missing space between two known words."""
        sp = speller()
        for k in range(1, len(word)):
            left, right = word[:k], word[k:]
            if (
                (left in _SPLIT_LEFT or right in _SPLIT_RIGHT)
                and sp.known(left)
                and len(right) >= 2
                and sp.known(right)
            ):
                return f"{left} {right}"
        return None

    def _verbal(self, word: str) -> bool:
        return any(g & _VERBAL for g in self.morph.info(word).grammemes)

    def _proper_only(self, word: str) -> bool:
        grams = self.morph.info(word).grammemes
        return bool(grams) and all(g & _PROPER or "Abbr" in g for g in grams)


def _neighbour(tokens: list[Token], i: int, step: int) -> Token | None:
    j = i + step
    while 0 <= j < len(tokens):
        if tokens[j].kind in (WORD, NUMBER, CODE):
            return tokens[j]
        if tokens[j].kind == PUNCT and tokens[j].text not in ("-", "–", "—"):
            return None
        j += step
    return None


def _starts_sentence(tokens: list[Token], i: int) -> bool:
    """The word opens a sentence, a line or a bracket/quote (so its capital says nothing)."""
    token = tokens[i]
    for j in range(i - 1, -1, -1):
        prev = tokens[j]
        if prev.sentence != token.sentence:
            return True
        if prev.kind in (WORD, NUMBER, CODE):
            return False
        if prev.kind == PUNCT and prev.text in (":", "(", "«", '"', "“", "„", "-", "—", "–", "•", "*"):
            return True
    return True


def _sentence_end(tokens: list[Token], token: Token) -> str:
    last = ""
    for t in tokens:
        if t.sentence == token.sentence and t.kind == PUNCT:
            last = t.text
    return "?" if "?" in last else last


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) <= 5 and len(letters) > 1 and all(c.isupper() for c in letters)
