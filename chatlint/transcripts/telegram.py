"""Telegram Desktop ``result.json`` (one chat, or a whole-account export with ``chats.list``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chatlint.conversation import CLIENT, MEDIA, MESSAGE, OPERATOR, SYSTEM, Conversation, Event
from chatlint.transcripts.base import LineFinder, ReadOptions, TimeParser, clean_text, load_json

PERSONAL = "personal_chat"


def detect(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    if "chats" in data and "personal_information" in data:
        return True
    messages = data.get("messages")
    return isinstance(messages, list) and (
        data.get("type") in {PERSONAL, "private_group", "private_supergroup", "public_supergroup", "bot_chat"}
        or any(isinstance(m, dict) and "date_unixtime" in m for m in messages[:5])
    )


def message_text(message: dict) -> str:
    """Plain text from ``text_entities`` (preferred) or ``text`` (a string or a list of parts)."""
    entities = message.get("text_entities")
    if isinstance(entities, list) and entities:
        return "".join(str(e.get("text", "")) for e in entities if isinstance(e, dict))
    text = message.get("text", "")
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in text)
    return str(text or "")


def read(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """Each chat is one conversation. Operators: ``--operator`` names/ids, else in a personal
    chat everyone but the peer (``from_id == "user" + chat id``), else the exporting account."""
    name = str(path)
    loaded = load_json(path, opts)
    if loaded is None:
        return
    data, raw = loaded
    finder = LineFinder(raw)
    me = None
    chats = [data]
    if "chats" in data:
        me = str((data.get("personal_information") or {}).get("user_id", "")) or None
        chats = (data.get("chats") or {}).get("list") or []
    times = TimeParser(opts)
    for chat in chats:
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            continue
        cid = str(chat.get("id", path.stem))
        peer = f"user{cid}" if chat.get("type") == PERSONAL else None
        if peer is None and not opts.operators and me is None:
            opts.warn(name, 0, f"chat {cid} is a group: give --operator NAME to say who the operators are")
        conv = Conversation(cid, path=name, source_format="telegram", meta={"name": chat.get("name")})
        for seq, m in enumerate(chat["messages"]):
            if not isinstance(m, dict):
                opts.problem(name, 0, f"chat {cid}: message #{seq + 1} is not an object")
                continue
            author_id = str(m.get("from_id") or m.get("actor_id") or "")
            author = m.get("from") or m.get("actor")
            text = clean_text(message_text(m))
            if m.get("type") == "service":
                role, etype = SYSTEM, SYSTEM
            else:
                if opts.operators:
                    is_op = author_id in opts.operators or (author or "") in opts.operators
                elif peer is not None:
                    is_op = author_id != peer
                else:
                    is_op = me is not None and author_id in (me, f"user{me}")
                role = OPERATOR if is_op else CLIENT
                etype = MESSAGE if text or not any(k in m for k in ("photo", "file", "media_type")) else MEDIA
            stamp = m.get("date_unixtime")
            conv.events.append(
                Event(
                    conversation_id=cid,
                    message_id=str(m.get("id", seq + 1)),
                    timestamp=times(int(stamp) if stamp else m.get("date")),
                    role=role,
                    text=text,
                    event_type=etype,
                    author_id=author_id or None,
                    author_name=author,
                    seq=seq,
                    line=finder.line_of(f'"id": {m.get("id")},', raw=True) or finder.line_of(text),
                )
            )
        yield conv.sort()
    times.report(name, opts)
