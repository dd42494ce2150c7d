"""Rule kinds built on token patterns: ``pattern`` and ``substitute``."""

from __future__ import annotations

from typing import Any, NamedTuple

import regex

from chatlint.kinds.base import ARROW_RE, Doc, Match, RuleKind, cancelled, register
from chatlint.morph import match_case
from chatlint.pattern import Pattern, PatternError, parse_pattern

_TEMPLATE_RE = regex.compile(r"\{(?:(?P<lemma>[\p{L}-]+)@(?P<at>\d+)|(?P<n>\d+)(?::(?P<grams>[\w,]+))?|match)\}")
_SPACES_RE = regex.compile(r"\s{2,}")


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
            return None if idx is None else seq.tokens[idx]

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
            if not m.group("grams"):
                return token.text
            grams = frozenset(m.group("grams").split(","))
            lemmas = self.morph.lemma_of(token.norm)
            if not lemmas:
                return token.text
            lemma = lemmas[0]
            return match_case(self.morph.inflect(lemma, grams) or token.text, token.text)

        out = _TEMPLATE_RE.sub(fill, template)
        out = _SPACES_RE.sub(" ", out).strip()
        matched = doc.text[start:end]
        if matched[:1].isupper() and out[:1].islower():
            out = out[:1].upper() + out[1:]
        elif matched[:1].islower() and out[:1].isupper() and out[1:2].islower() and template[:1] != "{":
            out = out[:1].lower() + out[1:]
        return out


@register
class PatternRule(PatternKind):
    """Token sequences: lemmas, word forms, grammemes, gaps (see docs/rules.md)."""

    name = "pattern"
    keys = {"patterns": None}
    required = ("patterns",)
    fix_default = "unsafe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        patterns = params["patterns"]
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not patterns:
            raise PatternError("'patterns' must be a non-empty list of strings")
        self._patterns = []
        for item in patterns:
            suggest, unless = None, ()
            if isinstance(item, dict):
                if set(item) - {"pattern", "suggest", "unless"} or not isinstance(item.get("pattern"), str):
                    raise PatternError("a pattern entry is a string or a mapping of 'pattern', 'suggest', 'unless'")
                if "suggest" in item:
                    suggest = _strings(item["suggest"], "suggest")
                unless = tuple(parse_pattern(u, ctx.morph) for u in _strings(item.get("unless", []), "unless"))
                item = item["pattern"]
            if not isinstance(item, str):
                raise PatternError(f"pattern {item!r} must be a string")
            self._patterns.append((parse_pattern(item, ctx.morph), Entry(suggest, unless)))

    def on_match(self, doc, pattern, payload, captures) -> Match | None:
        idx = [c for c in captures if c is not None]
        seq = doc.seq
        start, end = seq.tokens[idx[0]].start, seq.tokens[idx[-1]].end
        if payload.unless and cancelled(doc, list(payload.unless), start, self.rule.unless_scope):
            return None
        templates = self.rule.suggest if payload.suggest is None else payload.suggest
        suggestions = tuple(dict.fromkeys(self.render(s, doc, pattern, captures, start, end) for s in templates))
        return Match(start, end, suggestions)


class Entry(NamedTuple):
    """What one pattern of a ``pattern`` rule carries: its own suggestions and ``unless``."""

    suggest: list[str] | None  # None: use the rule's suggestions
    unless: tuple[Pattern, ...]  # cancel this pattern's match (scope: the rule's unless_scope)


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
        suggestions = tuple(dict.fromkeys(suggestions))
        safe = False if len(payload) > 1 else None  # several replacements: let a person choose
        return Match(first.start, last.end, suggestions, suggestions[0] if suggestions else None, safe)


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
