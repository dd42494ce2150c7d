"""The ``regex`` rule kind: a raw pattern of the ``regex`` module over the reply text."""

from __future__ import annotations

import warnings

import regex

from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.prefilter import Prefilter
from chatlint.pattern import PatternError

_GROUP_RE = regex.compile(r"\{(match|\d+)\}")
TIMEOUT_SECONDS = 1.0


class RuleTimeoutWarning(RuntimeWarning):
    """A rule's regular expression ran out of time on a reply; the rest of that reply went unchecked by it."""


@register
class RegexRule(RuleKind):
    """Finds every match of ``regex``; ``group`` names the part to flag (default: all)."""

    name = "regex"
    keys = {"regex": None, "ignorecase": True, "group": 0, "prefilter": []}
    required = ("regex",)
    fix_default = "unsafe"

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        if not isinstance(params["regex"], str):
            raise PatternError("'regex' must be a string")
        flags = regex.IGNORECASE if params["ignorecase"] else 0
        try:
            self.compiled = regex.compile(params["regex"], flags | regex.VERSION0)
        except (regex.error, TypeError) as exc:
            raise PatternError(f"bad regular expression: {exc}") from None
        if self.compiled.search("") is not None:
            raise PatternError("the regular expression matches the empty string: it would fire everywhere")
        group = params["group"]
        if not isinstance(group, int) or not 0 <= group <= self.compiled.groups:
            raise PatternError(f"'group' must be a group number from 0 to {self.compiled.groups}")
        self.group = group
        entries = params["prefilter"] or []
        if not all(isinstance(e, str) and e for e in entries):
            raise PatternError("'prefilter' must be a list of non-empty strings")
        self.prefilter = Prefilter(entries) if entries else None
        if self.prefilter is not None:
            bad, good = getattr(rule, "examples_bad", []), getattr(rule, "examples_good", [])
            for example in bad + [g for g in good if self._search_example(g)]:
                if not self.prefilter.admits(example):
                    raise PatternError(f"'prefilter' has none of its literals in the example {example!r}")

    def _search_example(self, example: str) -> bool:
        """Whether the regex matches an example, within the time limit a reply has."""
        try:
            return self.compiled.search(example, timeout=TIMEOUT_SECONDS) is not None
        except TimeoutError:
            raise PatternError(
                f"the regular expression took over {TIMEOUT_SECONDS:g} s on the example {example!r}"
            ) from None

    def find(self, doc: Doc) -> list[Match]:
        if self.prefilter is not None and not self.prefilter.admits(doc.text):
            return []
        found = []
        try:
            for m in self.compiled.finditer(doc.text, timeout=TIMEOUT_SECONDS):
                start, end = m.span(self.group)
                if start < 0 or start == end:
                    continue
                suggestions = tuple(
                    _cased(_GROUP_RE.sub(lambda g, m=m: _group(m, g.group(1)), s), doc.text[start:end])
                    for s in self.rule.suggest
                )
                found.append(Match(start, end, suggestions))
        except TimeoutError:
            # a pathological user regex: give up on this reply rather than hang, and say so
            warnings.warn(
                f"rule {self.rule.id}: its regex took over {TIMEOUT_SECONDS:g} s on a reply of "
                f"{len(doc.text)} characters and gave up; the rest of that reply is unchecked by it",
                RuleTimeoutWarning,
                stacklevel=2,
            )
        return found


def _cased(suggestion: str, matched: str) -> str:
    """The suggestion capitalised as the flagged text is: «Нет» → «К сожалению, нет», but
    «…, нет» → «…, к сожалению, нет» (a word in capitals further on is left alone)."""
    if matched[:1].isupper() and suggestion[:1].islower():
        return suggestion[:1].upper() + suggestion[1:]
    if matched[:1].islower() and suggestion[:1].isupper() and suggestion[1:2].islower():
        return suggestion[:1].lower() + suggestion[1:]
    return suggestion


def _group(m: regex.Match, name: str) -> str:
    if name == "match":
        return m.group(0)
    index = int(name)
    return (m.group(index) or "") if index <= len(m.groups()) else ""
