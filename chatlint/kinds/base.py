"""What every rule kind shares: the checked document, a match, and the kind registry."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

import regex

from chatlint.pattern import CONTENT_KINDS, Pattern, Sequence, match_at, typo_readings
from chatlint.text import WORD, Token, quoted_spans, tokenize

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.morph import Morphology


# The arrow of a «wrong → right» entry in a rule parameter (``substitute`` and ``misspellings``).
ARROW_RE = regex.compile(r"\s*(?:→|->|=>)\s*")


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
    note: str = ""  # added to the rule's message (e.g. the typo a pattern word was read through)


class Doc:
    """One reply being checked: its tokens, computed once and shared by all rules."""

    __slots__ = ("text", "tokens", "morph", "_seq", "_content", "_quoted", "_quote_ends", "_unless", "_starts", "_keys")

    def __init__(self, text: str, morph: Morphology) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.morph = morph
        self._seq: Sequence | None = None
        self._content: list[Token] | None = None
        self._quoted: list[tuple[int, int]] | None = None
        self._quote_ends: list[int] | None = None
        self._unless: dict[tuple[int, ...], frozenset[int]] = {}
        self._starts: list[int] | None = None
        self._keys: set[str] | None = None

    @property
    def seq(self) -> Sequence:
        """Content tokens with their links, for pattern matching."""
        if self._seq is None:
            self._seq = Sequence(self.tokens, typo_readings)
        return self._seq

    @property
    def content(self) -> list[Token]:
        """The content tokens (words, numbers, codes): ``seq.tokens``, without building the
        Sequence when it is not built yet."""
        if self._seq is not None:
            return self._seq.tokens
        if self._content is None:
            self._content = [t for t in self.tokens if t[0] in CONTENT_KINDS]
        return self._content

    @property
    def quoted(self) -> list[tuple[int, int]]:
        """Character ranges quoted from someone else."""
        if self._quoted is None:
            self._quoted = quoted_spans(self.text)
        return self._quoted

    def in_quote(self, start: int, end: int) -> bool:
        """The span lies inside quoted text (a binary search, not a scan of every quote)."""
        quoted = self.quoted
        if self._quote_ends is None:
            reach, ends = -1, []
            for _, qe in quoted:  # sorted by start: the furthest end reached so far
                reach = max(reach, qe)
                ends.append(reach)
            self._quote_ends = ends
        i = bisect.bisect_right(quoted, (start, float("inf"))) - 1
        return i >= 0 and self._quote_ends[i] >= end

    @property
    def keys(self) -> set[str]:
        """The word forms of the reply's words and all their lemmas (see ``Pattern.required``)."""
        if self._keys is None:
            info = self.morph.info
            keys: set[str] = set()
            for token in self.seq.tokens:
                if token.kind == WORD:
                    keys.add(token.norm)
                    keys |= info(token.norm).lemmas
            self._keys = keys
        return self._keys

    @keys.setter
    def keys(self, keys: set[str]) -> None:
        """Set by the Linter, which computes them on its way through the tokens."""
        self._keys = keys

    def may_match(self, pattern: Pattern) -> bool:
        """False when ``pattern`` cannot match anywhere in the reply: one of its required
        elements has none of its words and lemmas among the reply's (a cheap test)."""
        keys = self.keys
        for _, required in pattern.required:
            if keys.isdisjoint(required):
                return False
        return True

    @property
    def token_starts(self) -> list[int]:
        """Start offsets of the content tokens (for bisecting an offset to its token)."""
        if self._starts is None:
            self._starts = [t.start for t in self.seq.tokens]
        return self._starts

    def unless_sentences(self, patterns: list) -> frozenset[int]:
        """Sentences in which one of ``patterns`` matches (cached per reply and pattern set)."""
        key = tuple(map(id, patterns))  # the patterns live as long as their rules
        found = self._unless.get(key)
        if found is None:
            seq, hits, info = self.seq, set(), self.morph.info
            for pattern in patterns:
                if not self.may_match(pattern):
                    continue
                start_keys = pattern.start_keys  # None: a match may start at any token
                for i, token in enumerate(seq.tokens):
                    if token.sentence in hits:
                        continue
                    if (
                        start_keys is not None
                        and (
                            token.kind != WORD
                            or (token.norm not in start_keys and start_keys.isdisjoint(info(token.norm).lemmas))
                        )
                        and not (seq.readings and seq.readings[i])
                    ):
                        continue
                    captures = match_at(pattern, seq, i, 0, self.morph)
                    if captures is not None:
                        last = max(c for c in captures if c is not None)
                        if seq.tokens[last].sentence == token.sentence:
                            hits.add(token.sentence)
            found = self._unless[key] = frozenset(hits)
        return found


def cancelled(doc: Doc, patterns: list, start: int, scope: str = "sentence") -> bool:
    """One of ``patterns`` matches in the sentence holding offset ``start`` (or anywhere in the
    reply when ``scope`` is ``"reply"``): the ``unless`` check of rules and pattern entries.

    Where a set of patterns matches is computed once per reply (``Doc.unless_sentences``),
    not once per match, so a reply with thousands of matches stays linear in its length.
    """
    seq = doc.seq
    if not seq.tokens or not patterns:
        return False
    sentences = doc.unless_sentences(patterns)
    if scope == "reply":
        return bool(sentences)
    pos = max(0, bisect.bisect_right(doc.token_starts, start) - 1)
    return seq.tokens[pos].sentence in sentences


def overlapped(doc: Doc, patterns: tuple, first: int, last: int) -> bool:
    """One of ``patterns`` matches tokens that overlap content tokens ``first``..``last`` (an
    ``unless_scope: match`` entry: «мы дураки» exempts «дураки», not another insult of the
    same sentence). Tried only in the match's sentence, and only after a match was found."""
    seq = doc.seq
    sentence = seq.tokens[first].sentence
    for pattern in patterns:
        if not doc.may_match(pattern):
            continue
        for i in range(len(seq.tokens)):
            if seq.tokens[i].sentence != sentence:
                continue
            if i > last:
                break
            captures = match_at(pattern, seq, i, 0, doc.morph)
            if captures is None:
                continue
            hit = [c for c in captures if c is not None]
            if hit and hit[0] <= last and hit[-1] >= first:
                return True
    return False


class RuleFields(Protocol):
    """What a kind reads of the rule it compiles (``chatlint.rules.Rule`` has these and more)."""

    id: str
    suggest: list[str]
    unless_scope: str


class RuleKind:
    """A kind of rule. Subclasses name their YAML keys and find matches in a Doc."""

    name: ClassVar[str] = ""
    keys: ClassVar[dict[str, Any]] = {}  # kind-specific YAML key -> default value
    required: ClassVar[tuple[str, ...]] = ()
    fix_default: ClassVar[str] = "none"
    scope: ClassVar[str] = "reply"  # "conversation" for dialogue kinds, which judge a whole chat
    per_reply: ClassVar[bool] = True  # False: ``find`` never finds anything (another stage reports it)

    def __init__(self, rule: RuleFields, params: dict[str, Any], ctx: Context) -> None:
        self.rule = rule
        self.params = params
        self.ctx = ctx
        self.morph = ctx.morph

    def find(self, doc: Doc) -> list[Match]:  # pragma: no cover - abstract
        raise NotImplementedError


KINDS: dict[str, type[RuleKind]] = {}


def register(cls: type[RuleKind]) -> type[RuleKind]:
    """Class decorator: make a rule kind available to YAML rules by its ``name``.

    A name already taken by another class is refused: a plugin cannot silently replace
    a built-in kind for every linter in the process (re-importing the same class is fine).
    """
    known = KINDS.get(cls.name)
    if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(f"rule kind {cls.name!r} is already registered by {known.__module__}.{known.__qualname__}")
    KINDS[cls.name] = cls
    return cls
