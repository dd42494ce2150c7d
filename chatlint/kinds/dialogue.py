"""Conversation-level rule kinds (``dialogue-*``): speed, greeting, name, politeness, transfers …

A dialogue kind does not look at one reply: ``find(doc)`` finds nothing, and
``check(conv)`` returns Hits, each pinned to one event and a span of its text. Thresholds and
word lists are YAML keys, so ``options`` override them like any kind's parameters.
"""

from __future__ import annotations

import re
import warnings
from typing import ClassVar, NamedTuple

import regex

from chatlint.conversation import TRANSFER, Conversation, Event, first_response, seconds_between
from chatlint.kinds.base import Doc, Match, RuleKind, register
from chatlint.kinds.regex_rule import RuleTimeoutWarning
from chatlint.pattern import PatternError
from chatlint.text import fold


class Hit(NamedTuple):
    """A dialogue finding: the event it is about, a span of its text, values for the message."""

    event: Event
    start: int
    end: int
    values: dict


def _norm(text: str) -> str:
    return fold(text)


class _Phrases:
    """A compiled alternation of phrases that pickles as its source and compiles again on first
    use: the rule cache (chatlint/rule_cache.py) then does not pay for it at every start.

    Phrases are regular expressions a repository's configuration may set (``options``), so a
    search runs with a time limit (``PHRASE_TIMEOUT`` per message); one that runs out finds
    nothing in that message and warns (``RuleTimeoutWarning``)."""

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: regex.Pattern | None = _compile_phrases(source)  # a bad phrase fails when the rule loads

    def search(self, text: str) -> regex.Match | None:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile_phrases(self.source)
        try:
            return compiled.search(text, timeout=PHRASE_TIMEOUT)
        except TimeoutError:
            warnings.warn(
                f"dialogue phrases took over {PHRASE_TIMEOUT:g} s on a message of {len(text)} characters "
                "and gave up; that message is unchecked by them",
                RuleTimeoutWarning,
                stacklevel=2,
            )
            return None

    def __getstate__(self) -> str:
        return self.source

    def __setstate__(self, source: str) -> None:
        self.source = source
        self._compiled = None


PHRASE_TIMEOUT = 1.0  # seconds one phrase list may spend on one message


def _compile_phrases(source: str) -> regex.Pattern:
    try:
        return regex.compile(source, regex.VERSION0)
    except regex.error as exc:
        raise PatternError(f"bad phrase: {exc}") from None


def _compile(items: list[str]) -> _Phrases | None:
    items = [str(i) for i in items or [] if str(i).strip()]
    return _Phrases("|".join(f"(?:{_norm(i)})" for i in items)) if items else None


def _first_line(event: Event) -> tuple[int, int]:
    text = event.text
    end = text.find("\n")
    return 0, end if end >= 0 else len(text)


def _hit(event: Event, **values) -> Hit:
    start, end = _first_line(event)
    return Hit(event, start, end, values)


def _search(pattern: _Phrases | None, event: Event) -> regex.Match | None:
    return pattern.search(_norm(event.text)) if pattern is not None else None


class DialogueKind(RuleKind):
    """Base of the conversation-level kinds."""

    scope: ClassVar[str] = "conversation"
    per_reply: ClassVar[bool] = False

    def find(self, doc: Doc) -> list[Match]:
        return []  # not a per-reply check

    def check(self, conv: Conversation) -> list[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


@register
class FirstResponse(DialogueKind):
    """The first operator reply comes more than ``max_seconds`` after the client's first message."""

    name = "dialogue-first-response"
    keys = {"max_seconds": 30}

    def check(self, conv: Conversation) -> list[Hit]:
        found = first_response(conv)
        if found is None or found[1] <= self.params["max_seconds"]:
            return []
        reply, waited = found
        return [_hit(reply, seconds=round(waited), limit=self.params["max_seconds"])]


@register
class ResponseTime(DialogueKind):
    """A client message (after the first) waits more than ``max_seconds`` for the next reply."""

    name = "dialogue-response-time"
    keys = {"max_seconds": 120}

    def check(self, conv: Conversation) -> list[Hit]:
        hits, waiting, answered_once = [], None, False
        for e in conv.events:
            if e.is_client_message and waiting is None:
                waiting = e
            elif e.is_reply and waiting is not None:
                waited = seconds_between(waiting, e)
                if answered_once and waited is not None and waited > self.params["max_seconds"]:
                    hits.append(_hit(e, seconds=round(waited), limit=self.params["max_seconds"]))
                waiting, answered_once = None, True
            elif e.is_reply:
                answered_once = True
        return hits


@register
class Greeting(DialogueKind):
    """The operator's first message does not greet the client."""

    name = "dialogue-greeting"
    keys = {"greetings": []}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.pattern = _compile(params["greetings"])

    def check(self, conv: Conversation) -> list[Hit]:
        reply = next((e for e in conv.events if e.is_reply), None)
        if reply is None or not reply.text.strip() or _search(self.pattern, reply):
            return []
        return [_hit(reply)]


class _NeverSays(DialogueKind):
    """The operator never writes any of ``phrases`` in the chat (``min_replies`` replies or more)."""

    keys = {"phrases": [], "min_replies": 2, "unless_client": []}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.pattern = _compile(params["phrases"])
        self.client = _compile(params["unless_client"])

    def check(self, conv: Conversation) -> list[Hit]:
        replies = conv.replies
        if len(replies) < self.params["min_replies"]:
            return []
        if any(_search(self.pattern, e) for e in replies):
            return []
        if self.client is not None and any(_search(self.client, e) for e in conv.events if e.is_client_message):
            return []
        return [_hit(replies[0])]


@register
class AskName(_NeverSays):
    name = "dialogue-ask-name"


@register
class PleaseThanks(_NeverSays):
    name = "dialogue-please-thanks"


@register
class Closing(DialogueKind):
    """The chat ends without the operator offering more help or saying goodbye (last replies)."""

    name = "dialogue-closing"
    keys = {"phrases": [], "last_replies": 2, "min_replies": 2}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.pattern = _compile(params["phrases"])

    def check(self, conv: Conversation) -> list[Hit]:
        replies = conv.replies
        if len(replies) < self.params["min_replies"]:
            return []
        if any(_search(self.pattern, e) for e in replies[-self.params["last_replies"] :]):
            return []
        return [_hit(replies[-1])]


@register
class Contacts(DialogueKind):
    """A (sales) chat ends without the operator asking for a phone number or e-mail."""

    name = "dialogue-contacts"
    keys = {"phrases": [], "tags": [], "min_replies": 2}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.pattern = _compile(params["phrases"])
        self.tags = {_norm(str(t)) for t in params["tags"] or []}

    def check(self, conv: Conversation) -> list[Hit]:
        if self.tags:
            labels = conv.meta.get("tags") or []
            labels = [labels] if isinstance(labels, str) else labels
            labels = {_norm(str(t)) for t in labels} | {_norm(str(conv.meta.get("topic") or ""))}
            if not labels & self.tags:
                return []
        replies = conv.replies
        if len(replies) < self.params["min_replies"] or any(_search(self.pattern, e) for e in replies):
            return []
        return [_hit(replies[-1])]


@register
class Transfers(DialogueKind):
    """The chat passed between operators more than ``max_transfers`` times."""

    name = "dialogue-transfers"
    keys = {"max_transfers": 1}

    def check(self, conv: Conversation) -> list[Hit]:
        explicit = [e for e in conv.events if e.event_type == TRANSFER]
        changes: list[Event] = []
        last = None
        for e in conv.replies:
            if last is not None and e.author != last:
                changes.append(e)
            last = e.author
        count = max(len(explicit), len(changes))
        limit = self.params["max_transfers"]
        if count <= limit:
            return []
        replies = conv.replies
        target = changes[limit] if len(changes) > limit else (replies[-1] if replies else explicit[-1])
        return [_hit(target, count=count, limit=limit)]


@register
class Burst(DialogueKind):
    """``min_messages`` or more short operator messages in a row within ``within_seconds``."""

    name = "dialogue-burst"
    keys = {"min_messages": 3, "within_seconds": 60, "max_chars": 80}

    def check(self, conv: Conversation) -> list[Hit]:
        hits: list[Hit] = []
        run: list[Event] = []

        def close() -> None:
            if len(run) >= self.params["min_messages"]:
                hits.append(_hit(run[0], count=len(run)))

        for e in conv.events:
            if e.is_client_message:
                close()
                run = []
            elif e.is_reply:
                short = len(e.text.strip()) <= self.params["max_chars"]
                span = seconds_between(run[0], e) if run else 0
                if short and run and span is not None and span <= self.params["within_seconds"]:
                    run.append(e)
                else:
                    close()
                    run = [e] if short else []
        close()
        return hits


@register
class Empathy(DialogueKind):
    """The client complains and the operator's next reply neither acknowledges it nor names an action."""

    name = "dialogue-empathy"
    keys = {"complaints": [], "acknowledgements": [], "actions": []}

    def __init__(self, rule, params, ctx) -> None:
        super().__init__(rule, params, ctx)
        self.complaint = _compile(params["complaints"])
        self.answer = _compile(list(params["acknowledgements"]) + list(params["actions"]))

    def check(self, conv: Conversation) -> list[Hit]:
        hits, complaint = [], None
        for e in conv.events:
            if e.is_client_message:
                found = _search(self.complaint, e)
                if found and complaint is None:
                    complaint = found.group(0)
            elif e.is_reply and complaint is not None:
                if not _search(self.answer, e):
                    hits.append(_hit(e, complaint=complaint))
                complaint = None
        return hits


@register
class RepeatedReply(DialogueKind):
    """The same operator text (``min_chars`` or longer) sent again in one chat."""

    name = "dialogue-repeated-reply"
    keys = {"min_chars": 20}

    def check(self, conv: Conversation) -> list[Hit]:
        seen: set[str] = set()
        hits = []
        for e in conv.replies:
            key = " ".join(re.sub(r"[^\w\s]", " ", _norm(e.text)).split())
            if len(key) < self.params["min_chars"]:
                continue
            if key in seen:
                hits.append(Hit(e, 0, len(e.text), {}))
            seen.add(key)
        return hits
