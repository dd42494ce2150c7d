"""Bot platforms: Botpress Cloud messages and Rasa conversation trackers. Their messages are the
bot's and the client's; a human operator appears only where ``--operator`` names their user id."""

from __future__ import annotations

from collections.abc import Iterator

from chatlint.conversation import BOT, CLIENT, MEDIA, MESSAGE, OPERATOR, SYSTEM, TRANSFER, Conversation, Event
from chatlint.transcripts.docs import Doc, Platform, events_of, grouped

_BP_MEDIA = {"image", "audio", "video", "file", "location"}


def detect_botpress(data: object) -> bool:
    messages = data.get("messages") if isinstance(data, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else None
    return isinstance(first, dict) and first.get("direction") in ("incoming", "outgoing") and "payload" in first


def botpress_record(doc: Doc) -> Event:
    """``direction`` ``incoming`` is the client, ``outgoing`` the bot (or an operator named by
    ``--operator`` with their ``userId``); the text is ``payload.text``; images and files are media."""
    m = doc.data
    payload = m.get("payload") if isinstance(m.get("payload"), dict) else {}
    user = str(m.get("userId") or "")
    role = CLIENT if m.get("direction") == "incoming" else OPERATOR if user in doc.opts.operators else BOT
    etype = MEDIA if m.get("type") in _BP_MEDIA else MESSAGE
    return Event(
        conversation_id=str(m.get("conversationId")),
        message_id=str(m.get("id")),
        timestamp=doc.time(m.get("createdAt")),
        role=role,
        event_type=etype,
        author_id=user or None,
        **doc.text(payload.get("text"), "text"),
    )


def botpress_conversations(doc: Doc) -> Iterator[Conversation]:
    yield from grouped(doc, BOTPRESS, "botpress")


def detect_rasa(data: object) -> bool:
    if not isinstance(data, dict) or "sender_id" not in data:
        return False
    events = data.get("events")
    return isinstance(events, list) and (not events or (isinstance(events[0], dict) and "event" in events[0]))


def rasa_conversations(doc: Doc) -> Iterator[Conversation]:
    """A tracker (``?include_events=ALL``): ``user`` events are the client, ``bot`` the bot, ``pause``
    the hand-off to a human (a transfer); each ``session_started`` begins a new conversation
    (``SENDER/2``, ``SENDER/3`` …). Actions and slots are not conversation events."""
    data = doc.data
    sender = str(data.get("sender_id"))
    sessions: list[list[dict]] = [[]]
    for item in data.get("events") or []:
        said = any(e.get("event") in ("user", "bot") for e in sessions[-1] if isinstance(e, dict))
        if isinstance(item, dict) and item.get("event") == "session_started" and said:
            sessions.append([])
        sessions[-1].append(item)

    for n, items in enumerate(sessions, 1):
        cid = sender if n == 1 else f"{sender}/{n}"

        def event(doc: Doc, seq: int, e: dict, cid: str = cid) -> Event | None:
            kind = e.get("event")
            if kind not in ("user", "bot", "pause"):
                return None
            if kind == "pause":
                return Event(cid, f"{cid}:{seq + 1}", doc.time(e.get("timestamp")), SYSTEM, event_type=TRANSFER,
                             transfer_to="human", line=doc.line)  # fmt: skip
            return Event(
                conversation_id=cid,
                message_id=str(e.get("message_id") or f"{cid}:{seq + 1}"),
                timestamp=doc.time(e.get("timestamp")),
                role=CLIENT if kind == "user" else BOT,
                event_type=MESSAGE,
                **doc.text(e.get("text"), "text"),
            )

        conv = Conversation(cid, path=doc.path, source_format="rasa")
        conv.events = events_of(doc, items, event, f"tracker {cid}: event")
        if conv.events:
            yield conv.sort()


PLATFORMS: dict[str, Platform] = {
    "botpress": Platform(
        "botpress", detect_botpress, botpress_conversations, records="messages", record=botpress_record
    ),
    "rasa": Platform("rasa", detect_rasa, rasa_conversations),
}
BOTPRESS = PLATFORMS["botpress"]
