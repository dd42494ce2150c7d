"""Rule kinds built on token patterns: ``pattern`` and ``substitute``."""

from __future__ import annotations

import bisect
from typing import Any, NamedTuple

import regex

from chatlint.kinds.base import ARROW_RE, Doc, Match, RuleKind, cancelled, overlapped, register
from chatlint.morph import match_case
from chatlint.pattern import SLACK_WORDS, Pattern, PatternError, parse_pattern

_TEMPLATE_RE = regex.compile(r"\{(?:(?P<lemma>[\p{L}-]+)@(?P<at>\d+)|(?P<n>\d+)(?::(?P<grams>[\w,]+))?|match)\}")
_SPACES_RE = regex.compile(r"\s{2,}")
_STOPS = ".!?"


class PatternKind(RuleKind):
    """Shared by pattern-based kinds: a list of (Pattern, payload) for the trigger index."""

    def patterns(self) -> list[tuple[Pattern, Any]]:
        return self._patterns

    def on_match(self, doc: Doc, pattern: Pattern, payload: Any, captures: list) -> Match | None:
        raise NotImplementedError  # pragma: no cover

    def render(self, template: str, doc: Doc, pattern: Pattern, captures: list, start: int, end: int) -> str:
        """Fill ``{match}``, ``{N}``, ``{N:grams}`` and ``{lemma@N}`` in a suggestion."""
        seq = doc.seq
        words = pattern.word_elements

        def token_of(n: int):
            if n < 1 or n > len(words):
                return None
            idx = captures[words[n - 1]]
            if idx is None:
                return None
            token = seq.tokens[idx]
            reading = seq.typo(pattern.elements[words[n - 1]], idx, self.morph)
            if reading:  # a word read through a typo is put in as it should be spelt
                return token._replace(text=match_case(reading, token.text), norm=reading)
            return token

        def fill(m: regex.Match) -> str:
            if m.group(0) == "{match}":
                return doc.text[start:end]
            if m.group("lemma"):
                at = int(m.group("at"))
                token = token_of(at)
                if token is None:
                    return m.group("lemma")
                word_lemma = _matched_lemma(pattern.elements[words[at - 1]], token.norm, self.morph)
                return self.morph.inflect_like(m.group("lemma"), token.text, word_lemma=word_lemma)
            token = token_of(int(m.group("n")))
            if token is None:
                return ""
            if m.start() > 0 and token.start == start and _title(token.text):
                # capital only because it opened the sentence; moved inside the suggestion it is not
                token = token._replace(text=token.text.lower())
            if not m.group("grams"):
                return token.text
            grams = frozenset(m.group("grams").split(","))
            word_lemma = _matched_lemma(pattern.elements[words[int(m.group("n")) - 1]], token.norm, self.morph)
            form = _reinflect(token.norm, grams, word_lemma, self.morph)
            if form is None:
                lemmas = self.morph.lemma_of(token.norm)
                form = self.morph.inflect(lemmas[0], grams) if lemmas else None
            return match_case(form or token.text, token.text)

        out = _TEMPLATE_RE.sub(fill, template)
        out = _SPACES_RE.sub(" ", out).strip()
        matched = doc.text[start:end]
        if matched[:1].isupper() and out[:1].islower():
            out = out[:1].upper() + out[1:]
        elif matched[:1].islower() and out[:1].isupper() and out[1:2].islower() and template[:1] != "{":
            out = out[:1].lower() + out[1:]
        return out


def _title(word: str) -> bool:
    """A word written with a capital first letter only («Оплатить»; not «ОК», «iPhone»)."""
    return word[:1].isupper() and (word[1:].islower() or not word[1:])


@register
class PatternRule(PatternKind):
    """Token sequences: lemmas, word forms, grammemes, gaps (see docs/rules.md)."""

    name = "pattern"
    keys = {"patterns": None, "slack": False}
    required = ("patterns",)
    fix_default = "unsafe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        patterns = params["patterns"]
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not patterns:
            raise PatternError("'patterns' must be a non-empty list of strings")
        if not isinstance(params.get("slack", False), bool):
            raise PatternError("'slack' must be true or false")
        slack = SLACK_WORDS if params.get("slack") else frozenset()
        self._patterns = []
        for item in patterns:
            suggest, unless, scope = None, (), rule.unless_scope
            if isinstance(item, dict):
                if set(item) - ENTRY_KEYS or not isinstance(item.get("pattern"), str):
                    raise PatternError(
                        "a pattern entry is a string or a mapping of 'pattern', 'suggest', 'unless', 'unless_scope'"
                    )
                if "suggest" in item:
                    suggest = _strings(item["suggest"], "suggest")
                unless = tuple(parse_pattern(u, ctx.morph) for u in _strings(item.get("unless", []), "unless"))
                scope = item.get("unless_scope", scope)
                if scope not in ("sentence", "reply", "match"):
                    raise PatternError("'unless_scope' of a pattern entry must be 'sentence', 'reply' or 'match'")
                item = item["pattern"]
            if not isinstance(item, str):
                raise PatternError(f"pattern {item!r} must be a string")
            self._patterns.append((parse_pattern(item, ctx.morph, slack=slack), Entry(suggest, unless, scope)))

    def on_match(self, doc, pattern, payload, captures) -> Match | None:
        idx = [c for c in captures if c is not None]
        seq = doc.seq
        start, end = seq.tokens[idx[0]].start, seq.tokens[idx[-1]].end
        if payload.unless:
            if payload.scope == "match":
                if overlapped(doc, payload.unless, idx[0], idx[-1]):
                    return None
            elif cancelled(doc, list(payload.unless), start, payload.scope):
                return None
        templates = self.rule.suggest if payload.suggest is None else payload.suggest
        suggestions = tuple(dict.fromkeys(self.render(s, doc, pattern, captures, start, end) for s in templates))
        if any(is_sentence(s) for s in suggestions) and not doc.in_quote(start, end):  # quoted: dropped later
            start, end, suggestions = _whole_sentence(doc, start, end, suggestions)
        elif suggestions and "?" in doc.text[end : end + 3]:
            start, end, suggestions = _question_answered(doc, start, end, suggestions)
        return Match(start, end, suggestions, note=typo_note(doc, pattern, captures, self.morph))


ENTRY_KEYS = frozenset({"pattern", "suggest", "unless", "unless_scope"})


class Entry(NamedTuple):
    """What one pattern of a ``pattern`` rule carries: its own suggestions and ``unless``."""

    suggest: list[str] | None  # None: use the rule's suggestions
    unless: tuple[Pattern, ...]  # cancel this pattern's match
    scope: str = "sentence"  # where ``unless`` looks: "sentence", "reply" or "match" (overlapping it)


def _strings(value: Any, key: str) -> list[str]:
    """A string or a list of strings, as a list; PatternError otherwise."""
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise PatternError(f"'{key}' of a pattern entry must be a list of strings")
    return value


@register
class SubstituteRule(PatternKind):
    """``wrong → right`` pairs; every inflection of ``wrong``, ``right`` inflected to agree."""

    name = "substitute"
    keys = {"substitute": None}
    required = ("substitute",)
    fix_default = "safe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        entries = params["substitute"]
        if isinstance(entries, dict):
            if not all(isinstance(v, str) for v in entries.values()):
                raise PatternError("in a 'substitute' mapping every value is the right word, a string")
            entries = [f"{k} → {v}" for k, v in entries.items()]
        if not isinstance(entries, list) or not entries:
            raise PatternError("'substitute' must be a non-empty list of 'wrong → right' strings")
        self._patterns = []
        for entry in entries:
            if not isinstance(entry, str) or not ARROW_RE.search(entry):
                raise PatternError(f"substitute entry {entry!r} must look like 'wrong → right'")
            wrong, right = ARROW_RE.split(entry, maxsplit=1)
            rights = [r.strip() for r in right.split("|") if r.strip()]
            if not rights:
                raise PatternError(f"substitute entry {entry!r} has nothing after the arrow")
            for alternative in _alternatives(wrong):
                self._patterns.append((parse_pattern(alternative, ctx.morph, forms_ok=True), tuple(rights)))

    def on_match(self, doc, pattern, payload, captures) -> Match | None:
        idx = [c for c in captures if c is not None]
        seq = doc.seq
        first, last = seq.tokens[idx[0]], seq.tokens[idx[-1]]
        single = len(idx) == 1 and pattern.elements[0].atoms[0].kind == "lemma"
        suggestions = []
        for right in payload:
            if single:
                lemma = pattern.elements[0].atoms[0].value
                out = self.morph.inflect_like(right, first.text, word_lemma=lemma) if " " not in right else right
            else:
                out = right
            suggestions.append(match_case(out, first.text))
        start = first.start
        if single and len(suggestions) == 1 and " " not in suggestions[0]:
            start, suggestions = self._agree_modifier(doc, idx[0], suggestions[0], start)
        suggestions = tuple(dict.fromkeys(suggestions))
        safe = False if len(payload) > 1 else None  # several replacements: let a person choose
        return Match(start, last.end, suggestions, suggestions[0] if suggestions else None, safe)

    def _agree_modifier(self, doc: Doc, i: int, new: str, start: int) -> tuple[int, tuple[str, ...]]:
        """«Ваш девайс» → «Ваше устройство»: when the new noun has another gender, the
        adjective or pronoun right before it is put into that gender and joins the match."""
        seq, morph = doc.seq, self.morph
        gender_old = _gender(morph, seq.tokens[i].norm)
        gender_new = _gender(morph, new.lower())
        if i == 0 or not seq.linked[i - 1] or not gender_old or not gender_new or gender_old == gender_new:
            return start, (new,)
        prev = seq.tokens[i - 1]
        for parse in morph.parses(prev.norm):
            if parse.tag.POS in ("ADJF", "PRTF") and gender_old in parse.tag and "sing" in parse.tag:
                form = parse.inflect({gender_new})
                if form is not None:
                    between = doc.text[prev.end : seq.tokens[i].start]
                    return prev.start, (match_case(form.word, prev.text) + between + new,)
        return start, (new,)


def is_sentence(suggestion: str) -> bool:
    """A suggestion that is a sentence of its own (it ends with a stop): it stands for the
    whole sentence it is put into, not for the flagged words."""
    return suggestion.rstrip()[-1:] in _STOPS  # not «…»: that ends a phrase to go on with


def sentence_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The character span of the sentence(s) holding ``start``..``end``, its final mark
    included. Bisects to the match and walks only its own sentences: linear in the reply."""
    tokens, seq, starts = doc.tokens, doc.seq, doc.token_starts
    first = seq.index[max(0, bisect.bisect_right(starts, start) - 1)]
    last = seq.index[max(0, bisect.bisect_left(starts, end) - 1)]
    while first > 0 and tokens[first - 1].sentence == tokens[first].sentence:
        first -= 1
    while last + 1 < len(tokens) and tokens[last + 1].sentence == tokens[last].sentence:
        last += 1
    return tokens[first].start, tokens[last].end


def _whole_sentence(doc: Doc, start: int, end: int, suggestions: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
    """Widen a match to its sentence; phrase suggestions are put into the sentence's words."""
    s0, e0 = sentence_span(doc, start, end)
    text = doc.text
    out = []
    for suggestion in suggestions:
        if is_sentence(suggestion):
            out.append(suggestion[:1].upper() + suggestion[1:])  # it starts the sentence
        else:
            out.append(text[s0:start] + suggestion + text[end:e0])
    return s0, e0, tuple(dict.fromkeys(out))


def _question_answered(
    doc: Doc, start: int, end: int, suggestions: tuple[str, ...]
) -> tuple[int, int, tuple[str, ...]]:
    """A match that is a whole question («Читать умеете?», «Мне-то откуда знать?») replaced by
    a phrase the operator says: the question mark goes with it («Уточню ещё раз.»)."""
    s0, e0 = sentence_span(doc, start, end)
    tail = doc.text[end:e0]
    if s0 != start or not tail.strip() or tail.strip(" ?!…") or "?" not in tail:
        return start, end, suggestions
    return start, e0, tuple(dict.fromkeys(s.rstrip(" .,;:") + "." for s in suggestions))


def typo_note(doc: Doc, pattern: Pattern, captures: list, morph) -> str:
    """«(«обезаны» прочитано как «обязаны»: опечатка)» for the words a match read through a
    typo, or ""."""
    seq, slips = doc.seq, []
    if seq.readings is None:
        return ""
    for e, idx in enumerate(captures):
        if idx is not None:
            reading = seq.typo(pattern.elements[e], idx, morph)
            if reading:
                slips.append(
                    f"«{seq.tokens[idx].text}» — опечатка, прочитано как «{match_case(reading, seq.tokens[idx].text)}»"
                )
    return f"({'; '.join(slips)})" if slips else ""


def _gender(morph, norm: str) -> str | None:
    """The gender of a singular noun form («девайс» → masc), or None."""
    for parse in morph.parses(norm):
        if parse.tag.POS == "NOUN" and "sing" in parse.tag:
            return parse.tag.gender
    return None


def _reinflect(norm: str, grams: frozenset[str], lemma: str | None, morph) -> str | None:
    """The word itself put into ``grams``, keeping its other grammemes (number, gender,
    tense: «можешь» + plur → «можете», «наличия» + accs → «наличие»), or None."""
    for parse in morph.parses(norm):
        if lemma is not None and parse.normal_form.replace("ё", "е") != lemma:
            continue
        wanted = set(grams) - {parse.tag.POS}
        if "impr" in wanted and "plur" in wanted:
            wanted.add("excl")
        form = parse.inflect(wanted)
        if form is not None:
            return form.word
    return None


def _matched_lemma(element, norm: str, morph) -> str | None:
    """The lemma a pattern element matched a token by, to follow that parse when inflecting."""
    lemmas = morph.info(norm).lemmas
    for atom in element.atoms:
        if atom.kind == "lemma" and atom.value in lemmas:
            return atom.value
    return None


def _alternatives(wrong: str) -> list[str]:
    """``a, b, c`` on the left of an arrow lists several wrong forms."""
    return [w.strip() for w in wrong.split(",") if w.strip()]
