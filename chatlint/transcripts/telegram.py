"""Telegram Desktop ``result.json`` (one chat, or a whole-account export with ``chats.list``), streamed.

Each chat is read message by message (a 2 GB export runs in flat memory); a chat is cut into
conversations where no message came for ``SESSION_GAP`` (a personal chat is one endless thread):
the first keeps the chat id, the next ones are ``ID/2``, ``ID/3`` …
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chatlint.conversation import CLIENT, MEDIA, MESSAGE, OPERATOR, SYSTEM, Conversation, Event
from chatlint.transcripts.base import BadRecord, ReadOptions, TimeParser, clean_text
from chatlint.transcripts.jsonstream import StreamError, stream
from chatlint.transcripts.where import Locator, Traced, clean

PERSONAL = "personal_chat"
SESSION_GAP = 12 * 3600  # seconds without a message after which a chat's next message starts a conversation
_MESSAGES = frozenset({"messages.item", "chats.list.item.messages.item", "left_chats.list.item.messages.item"})
_MEDIA_KEYS = ("photo", "file", "media_type", "sticker_emoji", "contact_information", "location_information", "poll")


def detect(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    if "personal_information" in data and ("chats" in data or "about" in data):
        return True
    messages = data.get("messages")
    return isinstance(messages, list) and (
        data.get("type") in {PERSONAL, "private_group", "private_supergroup", "public_supergroup", "bot_chat"}
        or any(isinstance(m, dict) and "date_unixtime" in m for m in messages[:5])
    )


def message_text(message: dict) -> str:
    """Plain text from ``text`` (a string or a list of parts), else ``text_entities``."""
    text = message.get("text", "")
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in text)
    if text:
        return str(text)
    entities = message.get("text_entities")
    if isinstance(entities, list):
        return "".join(str(e.get("text", "")) for e in entities if isinstance(e, dict))
    return ""


def traced_text(message: dict, locator: Locator) -> Traced | None:
    """The message text with its positions: each part of ``text`` found in the file in turn."""
    text = message.get("text", "")
    parts = text if isinstance(text, list) else [text]
    traced = Traced()
    for part in parts:
        value, key = (part, None if isinstance(text, list) else "text") if isinstance(part, str) else (
            str(part.get("text", "")) if isinstance(part, dict) else "", "text")  # fmt: skip
        if not value:
            continue
        found = locator.find(value, key)
        if found is None:
            return None
        traced.extend(found)
    return traced


class _Chat:
    """The chat being read: its id, type, who its operators are, and its open conversation."""

    def __init__(self, reader: _Reader, cid: str, kind: str | None) -> None:
        self.reader, self.cid, self.kind = reader, cid, kind
        self.conv: Conversation | None = None
        self.sessions = 0
        self.last = None
        self.warned = False

    def is_operator(self, author_id: str, author: str) -> bool:
        opts, me = self.reader.opts, self.reader.me
        if opts.operators:
            return author_id in opts.operators or author in opts.operators or (me is not None and author_id == me)
        if self.kind == PERSONAL:
            return author_id != f"user{self.cid}"
        if not self.warned:
            self.warned = True
            who = f"the exporting account ({self.reader.me_name or me})" if me else "nobody"
            opts.warn(self.reader.label, 0, f"chat {self.cid} is a group: only {who} is taken for an operator; "
                      "give --operator NAME (repeatable) for the others")  # fmt: skip
        return me is not None and author_id == me

    def add(self, event: Event) -> Iterator[Conversation]:
        stamp = event.timestamp
        if self.conv is None or (stamp and self.last and (stamp - self.last).total_seconds() > SESSION_GAP):
            yield from self.close()
            self.sessions += 1
            cid = self.cid if self.sessions == 1 else f"{self.cid}/{self.sessions}"
            self.conv = Conversation(cid, path=self.reader.label, source_format="telegram", meta={"name": self.name})
        self.last = stamp or self.last
        event.conversation_id = self.conv.conversation_id
        event.seq = len(self.conv.events)
        self.conv.events.append(event)

    name = None

    def close(self) -> Iterator[Conversation]:
        if self.conv is not None and self.conv.events:
            yield self.conv.sort()
        self.conv = None


class _Reader:
    def __init__(self, path: Path, opts: ReadOptions) -> None:
        self.path, self.opts, self.label = path, opts, str(path)
        self.times = TimeParser(opts)
        self.me: str | None = None
        self.me_name: str | None = None
        self.locator = Locator()

    def event(self, chat: _Chat, m: dict) -> Event:
        author_id = str(m.get("from_id") or m.get("actor_id") or "")
        author = m.get("from") or m.get("actor")
        traced = traced_text(m, self.locator)
        if traced is not None and traced.runs:
            traced = clean(traced)
            text, where, line = traced.text, traced.where(), traced.runs[0][1] if traced.runs else self.locator.line
        else:
            text, where, line = clean_text(message_text(m)), (), self.locator.line
        if m.get("type") == "service":
            role, etype = SYSTEM, SYSTEM
        else:
            role = OPERATOR if chat.is_operator(author_id, str(author or "")) else CLIENT
            etype = MESSAGE if text or not any(k in m for k in _MEDIA_KEYS) else MEDIA
        stamp = m.get("date_unixtime")
        return Event(
            conversation_id=chat.cid,
            message_id=str(m.get("id", "")),
            timestamp=self.times(int(stamp) if stamp and str(stamp).isdigit() else m.get("date")),
            role=role,
            text=text,
            event_type=etype,
            author_id=author_id or None,
            author_name=author,
            line=line,
            where=where,
        )

    def read(self) -> Iterator[Conversation]:
        chat = _Chat(self, self.path.stem, None)
        fields: dict[str, object] = {}
        try:
            for prefix, kind, value in stream(self.path, self.opts.encoding, _MESSAGES, self.locator):
                if kind == "item":
                    if chat.cid != fields.get("id", chat.cid) or chat.kind != fields.get("type"):
                        chat.cid, chat.kind, chat.name = str(fields.get("id")), fields.get("type"), fields.get("name")
                    if not isinstance(value, dict):
                        self.opts.problem(self.label, self.locator.line, f"chat {chat.cid}: a message is not an object")
                        continue
                    try:
                        yield from chat.add(self.event(chat, value))
                    except (BadRecord, ValueError, TypeError, OverflowError) as exc:
                        self.opts.problem(
                            self.label, self.locator.line, f"chat {chat.cid}: message {value.get('id')}: {exc}"
                        )
                elif prefix.endswith("list.item") and kind == "start_map":
                    yield from chat.close()
                    chat, fields = _Chat(self, self.path.stem, None), {}
                elif kind in ("string", "number"):
                    self._field(prefix, value, fields)
        except StreamError as exc:
            self.opts.problem(self.label, exc.line, str(exc))
        yield from chat.close()
        self.times.report(self.label, self.opts)

    def _field(self, prefix: str, value: object, fields: dict) -> None:
        if prefix == "personal_information.user_id":
            self.me = f"user{value}"
        elif prefix in ("personal_information.first_name", "personal_information.last_name"):
            self.me_name = f"{self.me_name or ''} {value}".strip()
        else:
            key = prefix.rsplit(".", 1)[-1]
            if key in ("id", "type", "name") and prefix.count(".") in (0, 3):
                fields[key] = value


def read(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """Each chat's conversations. Operators: ``--operator`` names/ids (and the exporting account),
    else in a personal chat everyone but the peer (``from_id == "user" + chat id``), else (groups)
    the exporting account only, with a warning."""
    yield from _Reader(path, opts).read()
