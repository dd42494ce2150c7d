"""What every rule kind shares: the checked document, a match, and the kind registry."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from chatlint.pattern import Sequence, match_at
from chatlint.text import Token, quoted_spans, tokenize

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.morph import Morphology
    from chatlint.rules import Rule


class Vocabulary(NamedTuple):
    """Words the user accepts (never flagged as typos) and rejects (always flagged)."""

    accept: frozenset[str] = frozenset()
    reject: frozenset[str] = frozenset()


class Context(NamedTuple):
    """What a rule kind may use besides its own parameters."""

    morph: Morphology
    vocabulary: Vocabulary = Vocabulary()


class Match(NamedTuple):
    """A span a rule found, with replacements for it (already inflected)."""

    start: int
    end: int
    suggestions: tuple[str, ...] = ()
    fix: str | None = None  # the safe replacement, when the rule declares one
    safe: bool | None = None  # False: this match's fix is never safe, whatever the rule says
    severity: str | None = None  # a guess at its own severity (not a user's override); yields to other rules


class Doc:
    """One reply being checked: its tokens, computed once and shared by all rules."""

    __slots__ = ("text", "tokens", "morph", "_seq", "_quoted")

    def __init__(self, text: str, morph: Morphology) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.morph = morph
        self._seq: Sequence | None = None
        self._quoted: list[tuple[int, int]] | None = None

    @property
    def seq(self) -> Sequence:
        """Content tokens with their links, for pattern matching."""
        if self._seq is None:
            self._seq = Sequence(self.tokens)
        return self._seq

    @property
    def quoted(self) -> list[tuple[int, int]]:
        """Character ranges quoted from someone else."""
        if self._quoted is None:
            self._quoted = quoted_spans(self.text)
        return self._quoted

    def in_quote(self, start: int, end: int) -> bool:
        """The span lies inside quoted text."""
        return any(qs <= start and end <= qe for qs, qe in self.quoted)

    def words(self) -> list[Token]:
        """The word tokens."""
        return [t for t in self.tokens if t.kind == "word"]


def cancelled(doc: Doc, patterns: list, start: int, scope: str = "sentence") -> bool:
    """One of ``patterns`` matches in the sentence holding offset ``start`` (or anywhere in the
    reply when ``scope`` is ``"reply"``): the ``unless`` check of rules and pattern entries."""
    seq = doc.seq
    if not seq.tokens or not patterns:
        return False
    if scope == "reply":
        lo, hi = 0, len(seq.tokens)
    else:
        starts = [t.start for t in seq.tokens]
        pos = max(0, bisect.bisect_right(starts, start) - 1)
        sentence = seq.tokens[pos].sentence
        lo = hi = pos
        while lo > 0 and seq.tokens[lo - 1].sentence == sentence:
            lo -= 1
        while hi < len(seq.tokens) and seq.tokens[hi].sentence == sentence:
            hi += 1
    for pattern in patterns:
        for i in range(lo, hi):
            captures = match_at(pattern, seq, i, 0, doc.morph)
            if captures is not None and max(c for c in captures if c is not None) < hi:
                return True
    return False


class RuleKind:
    """A kind of rule. Subclasses name their YAML keys and find matches in a Doc."""

    name: ClassVar[str] = ""
    keys: ClassVar[dict[str, Any]] = {}  # kind-specific YAML key -> default value
    required: ClassVar[tuple[str, ...]] = ()
    fix_default: ClassVar[str] = "none"
    scope: ClassVar[str] = "reply"  # "conversation" for dialogue kinds, which judge a whole chat

    def __init__(self, rule: Rule, params: dict[str, Any], ctx: Context) -> None:
        self.rule = rule
        self.params = params
        self.ctx = ctx
        self.morph = ctx.morph

    def find(self, doc: Doc) -> list[Match]:  # pragma: no cover - abstract
        raise NotImplementedError

    def triggers(self) -> list[tuple[Any, Any]]:
        """(atom, payload) pairs for the trigger index; empty means: always run ``find``."""
        return []


KINDS: dict[str, type[RuleKind]] = {}


def register(cls: type[RuleKind]) -> type[RuleKind]:
    """Class decorator: make a rule kind available to YAML rules by its ``name``."""
    KINDS[cls.name] = cls
    return cls
