"""The Linter: loads rules once, then checks replies. Reusable and thread-safe."""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from chatlint.diagnostic import SEVERITIES, Diagnostic, Fix
from chatlint.kinds import KINDS, Context, Doc, Match, Vocabulary
from chatlint.kinds.base import cancelled
from chatlint.kinds.patterns import PatternKind
from chatlint.limits import evict_older_half
from chatlint.morph import Morphology
from chatlint.pattern import CONTENT_KINDS, PatternError, end_reply, match_at, start_reply, typo_readings
from chatlint.rules import Rule, builtin_rules_dir, load_rules, param_error
from chatlint.selection import ConfigError, is_on, selector_matches
from chatlint.text import WORD

# ConfigError and selector_matches live in selection.py; named here for the imports of older callers
__all__ = ["ConfigError", "Linter", "selector_matches", "shared_morphology"]

_SHARED_MORPH: Morphology | None = None
WORD_CACHE_SIZE = 20_000  # word forms whose lemmas and trigger index entries a Linter keeps
_QUOTING = re.compile('[«“„">]')  # a character that may begin quoted text
_SENTENCE_END = re.compile(r"[.!?…\n]")  # between two findings: they are in different sentences


_SHARED_LOCK = threading.Lock()


def shared_morphology() -> Morphology:
    """The process-wide word-form cache used by linters that are not given their own.

    It holds only immutable values (tuples, frozensets, strings), so no caller can
    change what another one reads; created once under a lock.
    """
    global _SHARED_MORPH
    if _SHARED_MORPH is None:
        with _SHARED_LOCK:
            if _SHARED_MORPH is None:
                _SHARED_MORPH = Morphology()
    return _SHARED_MORPH


class Linter:
    """Checks replies against a set of rules.

    ``rules`` adds rule files or folders to the built-in pack (``builtin=False`` uses only
    them). ``select``/``ignore`` take rule ids or category prefixes; rules that are off by
    default are turned on only by naming their full id in ``select`` or ``extend_select``.
    ``severity`` overrides the severity of rules by id; ``options`` overrides the
    parameters of parametric rules by id (``{"style/emoji": {"max_total": 5}}``);
    ``vocabulary`` lists words to accept and reject. ``cache=False`` loads the rules from
    their YAML even when the user's cache folder has them (chatlint/rule_cache.py).
    ``reference=True`` checks with the plain engine instead of the fast one (the tests compare
    the two; see ``_check_fast``).
    """

    def __init__(
        self,
        rules: Iterable[str | Path] = (),
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
        severity: Mapping[str, str] | None = None,
        options: Mapping[str, Mapping[str, object]] | None = None,
        vocabulary: Vocabulary | None = None,
        builtin: bool = True,
        morphology: Morphology | None = None,
        cache: bool = True,
        reference: bool = False,
    ) -> None:
        self.reference = reference
        self.morph = morphology or shared_morphology()
        self.ctx = Context(self.morph, vocabulary or Vocabulary())
        paths = ([builtin_rules_dir()] if builtin else []) + [Path(p) for p in rules]
        self.all_rules: list[Rule] = load_rules(paths, self.ctx, cache=cache)
        self._apply_options(options or {})
        select = list(select) if select is not None else None
        ignore, extend_select = list(ignore), list(extend_select)
        ids = [r.id for r in self.all_rules]
        for selector in (select or []) + ignore + extend_select:
            if selector != "ALL" and not any(selector_matches(selector, i) for i in ids):
                raise ConfigError(f"unknown rule or category {selector!r}")
        overrides = dict(severity or {})
        for rule_id, level in overrides.items():
            if rule_id not in ids:
                raise ConfigError(f"severity override for unknown rule {rule_id!r}")
            if level not in SEVERITIES:
                raise ConfigError(f"severity for {rule_id!r} must be one of {', '.join(SEVERITIES)}")
        self.rules: list[Rule] = [r for r in self.all_rules if is_on(r.id, r.enabled, select, ignore, extend_select)]
        self._severity = {r.id: overrides.get(r.id, r.severity) for r in self.rules}
        self.enabled_ids = frozenset(self._severity)
        self._overridden = frozenset(overrides)
        self._build_index()

    def _apply_options(self, options: Mapping[str, Mapping[str, object]]) -> None:
        """Override kind parameters (thresholds, allow-lists) of rules by id."""
        by_id = {r.id: r for r in self.all_rules}
        for rule_id, values in options.items():
            rule = by_id.get(rule_id)
            if rule is None:
                raise ConfigError(f"options for unknown rule {rule_id!r}")
            kind = KINDS[rule.kind]
            for key, value in values.items():
                if key not in kind.keys or kind.keys[key] is None:
                    allowed = ", ".join(k for k, v in kind.keys.items() if v is not None) or "none"
                    raise ConfigError(f"rule {rule_id!r} has no option {key!r} (options: {allowed})")
                error = param_error(key, value, kind.keys[key])
                if error:
                    raise ConfigError(f"rule {rule_id!r}: {error}")
            rule.params = {**rule.params, **values}
            try:
                rule.impl = kind(rule, rule.params, self.ctx)
            except PatternError as exc:
                raise ConfigError(f"rule {rule_id!r}: {exc}") from None

    def _build_index(self) -> None:
        self._form_index: dict[str, list] = {}
        self._lemma_index: dict[str, list] = {}
        self._untriggered: list = []
        self._finders: list[Rule] = []
        self._bits = KeyBits()
        self._untriggered_needs: list[int] = []
        self._literals: set[str] = set()  # the letters an untriggered pattern's /regex/ atom needs
        for rule in self.rules:
            impl = rule.impl
            if not isinstance(impl, PatternKind):
                self._finders.append(rule)
                continue
            for pattern, payload in impl.patterns():
                if pattern.untriggered:
                    self._untriggered.append((rule, pattern, payload))
                    need = self._bits.mask(keys for _, keys in pattern.required)
                    for literal in _literals(pattern):  # /^[а-я]{2,}[оеи]жоп/: only replies with «жоп»
                        self._literals.add(literal)
                        need |= self._bits.mask([frozenset({_LITERAL + literal})])
                    self._untriggered_needs.append(need)
                    continue
                for atom, element in pattern.triggers:
                    index = self._form_index if atom.kind == "form" else self._lemma_index
                    follower = _follower(pattern, element)
                    gate = tuple(keys for e, keys in pattern.required if e != element)
                    need = self._bits.mask(gate)
                    index.setdefault(atom.value, []).append((rule, pattern, payload, element, follower, gate, need))
        # the finders that can find something in a reply (not the conversation and file kinds)
        self._reply_finders = [r for r in self._finders if r.impl.per_reply]
        # a word form's profile (see ``_word``)
        self._word_cache: dict[str, tuple[frozenset[str] | None, tuple, int, tuple]] = {}

    def _candidates(self, norm: str, kind: str) -> tuple:
        """The trigger index entries a content token can start."""
        found = list(self._form_index.get(norm, ()))
        if kind == WORD:
            for lemma in sorted(self.morph.info(norm).lemmas):  # sorted: the same order every run
                found.extend(self._lemma_index.get(lemma, ()))
            for reading in typo_readings(norm):  # a word one slip from a pattern word
                found.extend(self._form_index.get(reading, ()))
                for lemma in sorted(self.morph.info(reading).lemmas):
                    found.extend(self._lemma_index.get(lemma, ()))
        return tuple(found)  # an entry found twice gives one finding: overlaps are merged

    def _word(self, norm: str, kind: str) -> tuple[frozenset[str] | None, tuple, int, tuple]:
        """The profile of a content token: its lemmas when it is a word (None otherwise), its
        trigger index entries, the bits of the gate elements its form or a lemma satisfies
        (``KeyBits``) and the entries whose trigger element it can match (``_may_start``).
        Cached per normalised text: a word's never equals a number's or a code's (those hold
        a digit)."""
        lemmas = None
        bits = 0
        if kind == WORD:
            lemmas = self.morph.info(norm).lemmas
            for reading in typo_readings(norm):  # the keys a typo's readings can match
                lemmas = lemmas | {reading} | self.morph.info(reading).lemmas
            bits = self._bits.of_keys(lemmas) | self._bits.of_keys((norm,))
        if self._literals:  # a /regex/ atom may match a code or number too
            bits |= self._bits.of_keys(_LITERAL + lit for lit in self._literals if lit in norm)
        candidates = self._candidates(norm, kind)
        starts = tuple(c for c in candidates if self._may_start(c, norm, kind))
        entry = (lemmas, candidates, bits, starts)
        if len(self._word_cache) >= WORD_CACHE_SIZE:
            evict_older_half(self._word_cache)
        self._word_cache[norm] = entry
        return entry

    def _may_start(self, candidate: tuple, norm: str, kind: str) -> bool:
        """False when a trigger index entry's element cannot match this token, so that
        ``match_at`` would fail at once: the element must match (it is neither optional nor
        a gap) and is made of words, lemmas and grammemes only, whose answer depends on the
        token's text alone (not a /regex/ atom with its time budget per reply)."""
        element = candidate[1].elements[candidate[3]]
        if element.optional or element.gap or element.anchor or element.others:
            return True
        if element.matches(norm, kind, self.morph):
            return True
        return kind == WORD and element.typo_match(typo_readings(norm), self.morph) is not None

    def check(self, text: str) -> list[Diagnostic]:
        """Check one reply. Diagnostics are sorted by start offset, then end, then rule id."""
        if not isinstance(text, str):
            raise TypeError(f"check() takes a str, not {type(text).__name__}")
        start_reply()  # a time limit for the /regex/ atoms of this reply
        try:
            return self._check(text) if self.reference else self._check_fast(text)
        finally:
            end_reply()

    def _check(self, text: str) -> list[Diagnostic]:
        doc = Doc(text, self.morph)
        found: list[tuple[Rule, Match]] = []
        seq = doc.seq
        morph = self.morph
        cache = self._word_cache
        tokens, linked = seq.tokens, seq.linked
        present: set[str] = set()
        starts = []  # (token index, trigger index entries)
        for i, token in enumerate(tokens):
            norm = token[4]
            lemmas, candidates, _, _ = cache.get(norm) or self._word(norm, token[0])
            if lemmas is not None:  # a word: its form and lemmas (see Doc.keys)
                present.add(norm)
                present |= lemmas
            if candidates:
                starts.append((i, candidates))
        doc.keys = present
        for i, candidates in starts:
            for rule, pattern, payload, element, follower, gate, _ in candidates:
                if gate:
                    # a required element none of the reply's words can match: no match anywhere
                    for keys in gate:
                        if present.isdisjoint(keys):
                            break
                    else:
                        gate = ()
                    if gate:
                        continue
                if follower is not None:
                    # the next element must match the next token: most candidates fail here
                    if not linked[i]:
                        continue
                    if not seq.hit(follower, i + 1, morph) and not (
                        follower.slack and seq.tokens[i + 1].norm in follower.slack
                    ):
                        continue
                captures = match_at(pattern, seq, i, element, morph)
                if captures is not None:
                    match = rule.impl.on_match(doc, pattern, payload, captures)
                    if match is not None:
                        found.append((rule, match))
        for rule, pattern, payload in self._untriggered:
            if not doc.may_match(pattern):
                continue
            for i in range(len(seq.tokens)):
                captures = match_at(pattern, seq, i, 0, morph)
                if captures is not None:
                    match = rule.impl.on_match(doc, pattern, payload, captures)
                    if match is not None:
                        found.append((rule, match))
        for rule in self._finders:
            found.extend((rule, m) for m in rule.impl.find(doc))
        return self._finish(doc, found)

    def _check_fast(self, text: str) -> list[Diagnostic]:
        """``_check`` by word-form profiles: the same findings, less work.

        One pass over the tokens ORs the cached bits of each content token; a trigger index
        entry is tried only when the reply has every bit of its gate (the reference's
        ``isdisjoint`` loop as one AND), an untriggered pattern only when it has all its
        required bits. The Sequence and the reply's keys are built only when a pattern is
        tried or something was found (``_ProfiledDoc``); the finders of conversations and
        files, which never find anything in a reply, are not called.
        """
        doc = _ProfiledDoc(text, self.morph, self._present)
        cache = self._word_cache
        mask = 0
        starts = []  # (content token index, trigger index entries)
        content = []  # the content tokens, as ``Doc.content`` (and ``Sequence.tokens``) has them
        append = content.append
        for token in doc.tokens:
            if token[0] in CONTENT_KINDS:
                entry = cache.get(token[4]) or self._word(token[4], token[0])
                mask |= entry[2]
                if entry[3]:
                    starts.append((len(content), entry[3]))
                append(token)
        doc._content = content
        found: list[tuple[Rule, Match]] = []
        for i, candidates in starts:
            for candidate in candidates:
                need = candidate[6]
                if mask & need == need:
                    self._try_candidate(doc, i, candidate, found)
        for (rule, pattern, payload), need in zip(self._untriggered, self._untriggered_needs):
            if mask & need == need:
                for i in range(len(doc.seq.tokens)):
                    captures = match_at(pattern, doc.seq, i, 0, self.morph)
                    if captures is not None:
                        match = rule.impl.on_match(doc, pattern, payload, captures)
                        if match is not None:
                            found.append((rule, match))
        for rule in self._reply_finders:
            matches = rule.impl.find(doc)
            if matches:
                found.extend([(rule, m) for m in matches])
        return self._finish(doc, found)

    def _try_candidate(self, doc: Doc, i: int, candidate: tuple, found: list) -> None:
        """Match one trigger index entry whose gate the reply passes at content token ``i``."""
        rule, pattern, payload, element, follower, _, _ = candidate
        if follower is not None:
            # ``seq.hit`` on the next content token, before the Sequence is built (most
            # candidates fail here): the token as written, or one of its typo readings
            content = doc.content
            if i + 1 >= len(content):
                return  # the last content token links to nothing
            nxt = content[i + 1]
            norm, kind = nxt[4], nxt[0]
            if (
                not follower.matches(norm, kind, self.morph)
                and (kind != WORD or follower.typo_match(typo_readings(norm), self.morph) is None)
                and not (follower.slack and norm in follower.slack)
            ):
                return
            if not doc.seq.linked[i]:
                return
        seq = doc.seq
        captures = match_at(pattern, seq, i, element, self.morph)
        if captures is not None:
            match = rule.impl.on_match(doc, pattern, payload, captures)
            if match is not None:
                found.append((rule, match))

    def _present(self, doc: Doc) -> set[str]:
        """The reply's keys as the reference engine gathers them: each word's form and lemmas
        (typo readings included)."""
        cache = self._word_cache
        present: set[str] = set()
        for token in doc.content:
            norm = token[4]
            lemmas = (cache.get(norm) or self._word(norm, token[0]))[0]
            if lemmas is not None:
                present.add(norm)
                present |= lemmas
        return present

    def _finish(self, doc: Doc, found: list[tuple[Rule, Match]]) -> list[Diagnostic]:
        if not found:
            return []
        found.sort(key=lambda rm: (rm[0].id, rm[1].start, -rm[1].end))
        kept: list[tuple[Rule, Match]] = []
        last_end: dict[str, int] = {}
        quoting = _QUOTING.search(doc.text) is not None
        for rule, match in found:
            if match.start < last_end.get(rule.id, -1):
                continue  # overlaps a longer or earlier match of the same rule
            if quoting and not rule.quotes and doc.in_quote(match.start, match.end):
                continue
            if rule.unless and _cancelled(doc, rule, match):
                continue
            if kept and match.suggestions and match.fix is None and kept[-1][0] is rule:
                before = kept[-1][1]  # the same words twice in one sentence read as a stutter
                said = before.suggestions[0].casefold() if before.suggestions else None
                if said == match.suggestions[0].casefold() and not _SENTENCE_END.search(
                    doc.text, before.end, match.start
                ):
                    match = match._replace(suggestions=())
            last_end[rule.id] = match.end
            kept.append((rule, match))
        if any(m.severity is not None for _, m in kept):
            kept = _drop_superseded_guesses(kept)
        diagnostics = [self._diagnostic(doc.text, rule, match) for rule, match in kept]
        diagnostics.sort(key=lambda d: (d.start, d.end, d.rule))
        return diagnostics

    def _diagnostic(self, text: str, rule: Rule, match: Match) -> Diagnostic:
        span = text[match.start : match.end]
        fix = None
        if rule.fix != "none":
            replacement = match.fix if match.fix is not None else (match.suggestions[0] if match.suggestions else None)
            if replacement is not None and replacement != span:
                safe = rule.fix == "safe" and match.safe is not False
                fix = Fix(match.start, match.end, replacement, safe=safe)
        severity = self._severity[rule.id]
        if match.severity is not None and rule.id not in self._overridden:
            severity = match.severity
        return Diagnostic(
            rule=rule.id,
            severity=severity,
            start=match.start,
            end=match.end,
            message=rule.message.replace("{match}", span) + (f" {match.note}" if match.note else ""),
            text=span,
            suggestions=match.suggestions,
            fix=fix,
            source=rule.source,
        )

    def severity_of(self, rule_id: str) -> str:
        """The severity an enabled rule reports with here (its own, or the configured override)."""
        return self._severity[rule_id]

    def rule(self, rule_id: str) -> Rule:
        """A loaded rule by id (enabled or not); KeyError when there is none."""
        for rule in self.all_rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


class KeyBits:
    """A bit for each distinct set of keys (words and lemmas) a gate element needs.

    ``mask`` gives the bits of some key sets (assigning new ones); ``of_keys`` the bits of
    the sets that hold one of some keys: a reply whose words' bits include all of a
    pattern's bits has a key of each of its key sets, exactly as ``isdisjoint`` would say.
    """

    def __init__(self) -> None:
        self._slots: dict[frozenset[str], int] = {}
        self._by_key: dict[str, int] = {}

    def mask(self, keysets: Iterable[frozenset[str]]) -> int:
        bits = 0
        for keys in keysets:
            bit = self._slots.get(keys)
            if bit is None:
                bit = self._slots[keys] = 1 << len(self._slots)
                for key in keys:
                    self._by_key[key] = self._by_key.get(key, 0) | bit
            bits |= bit
        return bits

    def of_keys(self, keys: Iterable[str]) -> int:
        get = self._by_key.get
        bits = 0
        for key in keys:
            bits |= get(key, 0)
        return bits


class _ProfiledDoc(Doc):
    """A Doc whose keys, when a rule asks, are the fast engine's (the reference's) present set."""

    __slots__ = ("_present_of",)

    def __init__(self, text: str, morph: Morphology, present_of) -> None:
        super().__init__(text, morph)
        self._present_of = present_of

    @property
    def keys(self) -> set[str]:
        if self._keys is None:
            self._keys = self._present_of(self)
        return self._keys

    @keys.setter
    def keys(self, keys: set[str]) -> None:
        self._keys = keys


_LITERAL = "\x00"  # a gate key for «the word contains these letters» (no word starts so)


def _literals(pattern) -> list[str]:
    """The letters a required element made of one /regex/ atom needs in its word (``Atom.literal``)."""
    out = []
    for element in pattern.elements:
        if element.optional or element.negated or element.gap or element.anchor or len(element.atoms) != 1:
            continue
        atom = element.atoms[0]
        if atom.kind == "regex" and atom.literal:
            out.append(atom.literal)
    return out


def _follower(pattern, element: int):
    """The element that must match the token right after a trigger on ``element``, if any.

    Only when the trigger element is required and the next one is a required word (not a
    gap, anchor, optional or negated element): then a match needs the next token to be
    linked to this one and to match it, and a candidate can be dropped cheaply.
    """
    elements = pattern.elements
    if elements[element].optional or element + 1 >= len(elements):
        return None
    nxt = elements[element + 1]
    if nxt.anchor or nxt.gap or nxt.optional or nxt.negated:
        return None
    return nxt  # (with ``slack`` the next token may also be a light word, which passes the check)


def _drop_superseded_guesses(kept: list[tuple[Rule, Match]]) -> list[tuple[Rule, Match]]:
    """A match that carries its own severity is a guess (e.g. an unknown word): it yields to
    any other rule's finding on an overlapping span, which says more precisely what is wrong.
    An info-level finding (advice on a sentence's manner, e.g. a request without «пожалуйста»)
    says nothing about the word, so a typo inside it is still reported.

    Linear after sorting: over the other findings sorted by start, a running pair of the
    furthest end and the furthest end of a *different* rule answers "does a finding of
    another rule that starts before this guess ends reach past its start?".
    """
    certain = sorted((m.start, m.end, rule.id) for rule, m in kept if m.severity is None and rule.severity != "info")
    starts = [c[0] for c in certain]
    best: list[tuple[int, str, int]] = []  # (furthest end, its rule, furthest end of another rule)
    end1, rule1, end2 = -1, "", -1
    for _, end, rule_id in certain:
        if end > end1:
            if rule_id != rule1:
                end2 = end1
            end1, rule1 = end, rule_id
        elif rule_id != rule1 and end > end2:
            end2 = end
        best.append((end1, rule1, end2))
    out = []
    for rule, match in kept:
        if match.severity is not None:
            i = bisect.bisect_left(starts, match.end)  # findings that start before the guess ends
            if i:
                end1, rule1, end2 = best[i - 1]
                reach = end1 if rule1 != rule.id else end2
                if reach > match.start:
                    continue
        out.append((rule, match))
    return out


def _cancelled(doc: Doc, rule: Rule, match: Match) -> bool:
    """An ``unless`` pattern matches in the same sentence (or reply) as the match."""
    return cancelled(doc, rule.unless, match.start, rule.unless_scope)
