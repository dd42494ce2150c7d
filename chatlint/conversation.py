"""The conversation model every transcript reader produces: a conversation of ordered events."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

Where = tuple[int, ...]  # flattened (text offset, line, column) triples, offsets increasing

OPERATOR, CLIENT, BOT, SYSTEM = "operator", "client", "bot", "system"
# Event types. ``note`` is an internal comment the client never sees.
MESSAGE, NOTE, TRANSFER, JOIN, LEAVE, OPEN, CLOSE, MEDIA = (
    "message", "note", "transfer", "join", "leave", "open", "close", "media",
)  # fmt: skip
EVENT_TYPES = (MESSAGE, NOTE, TRANSFER, JOIN, LEAVE, OPEN, CLOSE, MEDIA, "rating", "system")


@dataclass(slots=True)
class Event:
    """One event of a conversation: a message, a note, a transfer, a join, a close …

    ``timestamp`` is timezone-aware (or None when the source has none); ``line`` is the
    1-based line in the source file where the record starts (0 when unknown); ``where`` maps
    offsets in ``text`` to file positions (``position``).
    """

    conversation_id: str
    message_id: str
    timestamp: datetime | None
    role: str
    text: str = ""
    event_type: str = MESSAGE
    author_id: str | None = None
    author_name: str | None = None
    transfer_to: str | None = None
    is_internal: bool = False
    seq: int = 0
    line: int = 0
    where: tuple[int, ...] = ()  # (text offset, line, column) runs: see chatlint/transcripts/where.py

    def __reduce__(self) -> tuple:
        """Pickled as a plain tuple of fields (a slots dataclass pickles slowly): -j N sends events."""
        return Event, (
            self.conversation_id, self.message_id, self.timestamp, self.role, self.text, self.event_type,
            self.author_id, self.author_name, self.transfer_to, self.is_internal, self.seq, self.line, self.where,
        )  # fmt: skip

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) in the file of ``text[offset]``; without ``where``, the
        record's line and the offset in the message."""
        if self.where:
            return position(self.where, offset)
        return self.line, offset + 1

    @property
    def author(self) -> str:
        """The author's display name, else the id, else ''."""
        return self.author_name or self.author_id or ""

    @property
    def is_reply(self) -> bool:
        """A message the client sees from a human operator (not a note, bot or system text)."""
        return self.role == OPERATOR and self.event_type in (MESSAGE, MEDIA) and not self.is_internal

    @property
    def is_client_message(self) -> bool:
        return self.role == CLIENT and self.event_type in (MESSAGE, MEDIA)


@dataclass(slots=True)
class Conversation:
    """A conversation: its events sorted by (timestamp, seq), plus where it came from."""

    conversation_id: str
    events: list[Event] = field(default_factory=list)
    path: str = "<conversation>"
    source_format: str = ""
    meta: dict = field(default_factory=dict)  # tags, topic, channel …
    warnings: list[str] = field(default_factory=list)

    def sort(self) -> Conversation:
        """Order events by time, then by their position in the source; None times keep position."""
        if any(e.timestamp is None for e in self.events):
            self.events.sort(key=lambda e: e.seq)
        else:
            self.events.sort(key=lambda e: (e.timestamp, e.seq))
        return self

    @property
    def replies(self) -> list[Event]:
        """The operator's client-facing messages."""
        return [e for e in self.events if e.is_reply]

    @property
    def operators(self) -> list[str]:
        """Names of the operators who replied, in order of their first reply."""
        seen: dict[str, None] = {}
        for e in self.replies:
            seen.setdefault(e.author, None)
        return list(seen)


def seconds_between(a: Event, b: Event) -> float | None:
    """Seconds from event ``a`` to event ``b``; None when either has no timestamp."""
    if a.timestamp is None or b.timestamp is None:
        return None
    return (b.timestamp - a.timestamp).total_seconds()


def first_response(conv: Conversation) -> tuple[Event, float] | None:
    """The first operator reply after the client's first message and its delay in seconds."""
    first = next((e for e in conv.events if e.is_client_message), None)
    if first is None:
        return None
    after = conv.events[conv.events.index(first) + 1 :]
    reply = next((e for e in after if e.is_reply), None)
    waited = seconds_between(first, reply) if reply is not None else None
    return (reply, waited) if waited is not None else None


def position(where: Where, offset: int) -> tuple[int, int]:
    """The (line, column) of text offset ``offset`` in a ``where`` map (past the end: just after
    the last character)."""
    offsets = where[0::3]
    i = max(bisect.bisect_right(offsets, offset) - 1, 0)
    return where[3 * i + 1], where[3 * i + 2] + offset - where[3 * i]


def response_times(conv: Conversation) -> list[tuple[str, float]]:
    """(operator, seconds) for each operator reply that answers a client message: the time from
    the first client message not yet answered to the reply. Untimed events give nothing."""
    out: list[tuple[str, float]] = []
    waiting: Event | None = None
    for e in conv.events:
        if e.is_client_message:
            waiting = waiting or e
        elif e.is_reply and waiting is not None:
            seconds = seconds_between(waiting, e)
            if seconds is not None:
                out.append((e.author, seconds))
            waiting = None
    return out
