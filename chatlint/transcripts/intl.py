"""Exports of international helpdesks: Zendesk Chat, Zendesk ticket comments, Intercom, Freshchat,
LiveChat. Roles and event kinds come from each platform's own fields, never from the text."""

from __future__ import annotations

from collections.abc import Iterator

from chatlint.conversation import (
    BOT,
    CLIENT,
    CLOSE,
    JOIN,
    LEAVE,
    MEDIA,
    MESSAGE,
    NOTE,
    OPEN,
    OPERATOR,
    SYSTEM,
    TRANSFER,
    Conversation,
    Event,
)
from chatlint.transcripts.docs import Doc, Platform, events_of, grouped


def _first(items: object) -> dict | None:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None


# --- Zendesk Chat (chat API, incremental export) -----------------------------------------------------
_ZD_KINDS = {"chat.msg": MESSAGE, "chat.memberjoin": JOIN, "chat.memberleave": LEAVE, "chat.rating": "rating",
             "chat.comment": "rating", "chat.file": MEDIA, "chat.file.upload": MEDIA}  # fmt: skip


def detect_zendesk_chat(data: object) -> bool:
    first = _first(data.get("history")) if isinstance(data, dict) else None
    return first is not None and str(first.get("nick", "")).startswith(("visitor:", "agent:"))


def _zendesk_role(nick: str) -> str:
    if nick.startswith("visitor:"):
        return CLIENT
    return {"agent:trigger": BOT, "agent:system": SYSTEM}.get(nick, OPERATOR if nick.startswith("agent:") else SYSTEM)


def zendesk_chat_conversations(doc: Doc) -> Iterator[Conversation]:
    """A chat: ``nick`` is the role (``visitor:…``, ``agent:<id>``, ``agent:trigger`` the bot,
    ``agent:system``), ``type`` the kind; a history item with ``prev_department_id`` is a transfer."""
    data = doc.data
    cid = str(data.get("id"))

    def event(doc: Doc, seq: int, item: dict) -> Event:
        nick = str(item.get("nick", ""))
        role = _zendesk_role(nick)
        etype = _ZD_KINDS.get(str(item.get("type")), SYSTEM)
        target = None
        if "prev_department_id" in item:
            etype, target = TRANSFER, item.get("department_name") or item.get("department_id")
        if etype == MESSAGE and role == SYSTEM:
            etype = SYSTEM
        return Event(
            conversation_id=cid,
            message_id=str(item.get("msg_id") or f"{cid}:{seq + 1}"),
            timestamp=doc.time(item.get("timestamp")),
            role=role,
            event_type=etype,
            author_id=nick.partition(":")[2] or None,
            author_name=item.get("name"),
            transfer_to=str(target) if target is not None else None,
            **doc.text(item.get("msg"), "msg"),
        )

    meta = {"tags": data.get("tags") or [], "department": data.get("department_name")}
    conv = Conversation(cid, path=doc.path, source_format="zendesk_chat", meta=meta)
    conv.events = events_of(doc, data.get("history"), event, f"chat {cid}: history item")
    yield conv.sort()


# --- Zendesk Support ticket comments ----------------------------------------------------------------
def detect_zendesk_ticket(data: object) -> bool:
    first = _first(data.get("comments")) if isinstance(data, dict) else None
    return first is not None and "author_id" in first and ("html_body" in first or "plain_body" in first)


def zendesk_ticket_conversations(doc: Doc) -> Iterator[Conversation]:
    """``/tickets/{id}/comments.json?include=users``: the role of a comment is its author's
    ``users[].role`` (``end-user`` the client); ``public: false`` is an internal note."""
    data = doc.data
    ticket = data.get("ticket") if isinstance(data.get("ticket"), dict) else {}
    cid = str(ticket.get("id") or data.get("ticket_id") or doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    users = {str(u.get("id")): u for u in data.get("users") or [] if isinstance(u, dict)}
    if not users:
        doc.problem("no 'users' list (export with ?include=users): the roles of the comments are unknown")
        return

    def event(doc: Doc, seq: int, c: dict) -> Event:
        user = users.get(str(c.get("author_id")), {})
        role = {"end-user": CLIENT, "agent": OPERATOR, "admin": OPERATOR}.get(user.get("role"), SYSTEM)
        note = c.get("public") is False
        etype = NOTE if note else MEDIA if c.get("type") == "VoiceComment" else MESSAGE
        if role == SYSTEM and etype == MESSAGE:
            etype = SYSTEM
        return Event(
            conversation_id=cid,
            message_id=str(c.get("id", seq + 1)),
            timestamp=doc.time(c.get("created_at")),
            role=role,
            event_type=etype,
            author_id=str(c.get("author_id")),
            author_name=user.get("name"),
            is_internal=note,
            **doc.text(c.get("body"), "body"),
        )

    conv = Conversation(cid, path=doc.path, source_format="zendesk_ticket", meta={"tags": ticket.get("tags") or []})
    conv.events = events_of(doc, data.get("comments"), event, f"ticket {cid}: comment")
    yield conv.sort()


# --- Intercom (conversations API) -------------------------------------------------------------------
_IC_ROLES = {"user": CLIENT, "lead": CLIENT, "contact": CLIENT, "admin": OPERATOR, "team": OPERATOR, "bot": BOT}
_IC_KINDS = {"comment": MESSAGE, "note": NOTE, "open": OPEN, "close": CLOSE}


def detect_intercom(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    return data.get("type") == "conversation" and isinstance(data.get("conversation_parts"), dict)


def _intercom_role(author: object) -> str:
    if not isinstance(author, dict):
        return SYSTEM
    if author.get("from_ai_agent") or author.get("is_ai_answer"):
        return BOT
    return _IC_ROLES.get(str(author.get("type")), SYSTEM)


def intercom_conversations(doc: Doc) -> Iterator[Conversation]:
    """``source`` is the first message; each part's ``part_type`` is its kind (assignments are
    transfers, and may carry a reply too); ``author.type`` the role; ``redacted`` parts are deleted."""
    data = doc.data
    cid = str(data.get("id"))
    source = data.get("source") if isinstance(data.get("source"), dict) else None

    def event(doc: Doc, seq: int, part: dict) -> list[Event]:
        author = part.get("author") if isinstance(part.get("author"), dict) else {}
        role = _intercom_role(author)
        kind = str(part.get("part_type", "comment" if part is source else ""))
        when = doc.time(part.get("created_at") or (data.get("created_at") if part is source else None))
        base = dict(conversation_id=cid, timestamp=when, author_id=str(author.get("id") or "") or None,
                    author_name=author.get("name"))  # fmt: skip
        if part is source and part.get("delivered_as") == "automated":
            role = BOT
        events = []
        text = doc.text(part.get("body"), "body", "html")
        if text["text"] or kind in _IC_KINDS:
            etype = _IC_KINDS.get(kind, MESSAGE if text["text"] else SYSTEM)
            if part.get("redacted"):
                etype = SYSTEM
            mid = str(part.get("id", seq))
            events.append(Event(message_id=mid, role=role if etype != SYSTEM else SYSTEM, event_type=etype,
                                is_internal=etype == NOTE, **base, **text))  # fmt: skip
        if "assignment" in kind:
            target = part.get("assigned_to") if isinstance(part.get("assigned_to"), dict) else {}
            events.append(Event(message_id=f"{part.get('id', seq)}-assign", role=SYSTEM, event_type=TRANSFER,
                                transfer_to=str(target.get("id") or "") or None, line=doc.line, **base))  # fmt: skip
        return events

    parts = (data.get("conversation_parts") or {}).get("conversation_parts") or []
    conv = Conversation(cid, path=doc.path, source_format="intercom")
    conv.events = events_of(doc, ([source] if source else []) + list(parts), event, f"conversation {cid}: part")
    yield conv.sort()


# --- Freshchat (conversations/{id}/messages) -------------------------------------------------------
_FC_ROLES = {"user": CLIENT, "agent": OPERATOR, "system": SYSTEM, "bot": BOT}


def detect_freshchat(data: object) -> bool:
    first = _first(data.get("messages")) if isinstance(data, dict) else None
    return first is not None and "actor_type" in first and "message_parts" in first


def freshchat_record(doc: Doc) -> Event:
    """``actor_type`` is the role; ``message_type`` ``private`` a note, ``system`` a system line;
    the text is the ``text.content`` of ``message_parts``, a message of only images or files is media."""
    m = doc.data
    role = _FC_ROLES.get(str(m.get("actor_type")), SYSTEM)
    kind = str(m.get("message_type") or "normal")
    texts = [p["text"].get("content") for p in m.get("message_parts") or [] if isinstance(p, dict)
             and isinstance(p.get("text"), dict)]  # fmt: skip
    if len(texts) == 1:
        text = doc.text(texts[0], "content")
    else:
        text = {"text": "\n".join(str(t or "") for t in texts), "line": doc.line, "where": ()}
    etype = {"private": NOTE, "system": SYSTEM}.get(kind, MESSAGE)
    if role == SYSTEM:
        etype = SYSTEM
    elif etype == MESSAGE and not texts and m.get("message_parts"):
        etype = MEDIA
    return Event(
        conversation_id=str(m.get("conversation_id")),
        message_id=str(m.get("id")),
        timestamp=doc.time(m.get("created_time")),
        role=role,
        event_type=etype,
        author_id=str(m.get("actor_id") or "") or None,
        is_internal=etype == NOTE,
        **text,
    )


def freshchat_conversations(doc: Doc) -> Iterator[Conversation]:
    yield from grouped(doc, FRESHCHAT, "freshchat")


# --- LiveChat (Agent Chat API v3: list_archives, get_chat) ----------------------------------------
_LC_KINDS = {"message": MESSAGE, "file": MEDIA, "rich_message": MESSAGE, "system_message": SYSTEM}


def detect_livechat(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("users"), list):
        return False
    thread = data.get("thread")
    return (isinstance(thread, dict) and "events" in thread) or isinstance(data.get("threads"), list)


def livechat_conversations(doc: Doc) -> Iterator[Conversation]:
    """A chat: each thread is one conversation; the author's ``users[].type`` is the role
    (``customer``, ``agent``); ``visibility: agents`` is a note; ``chat_transferred`` a transfer."""
    data = doc.data
    users = {str(u.get("id")): u for u in data.get("users") or [] if isinstance(u, dict)}
    threads = data.get("threads") if isinstance(data.get("threads"), list) else [data.get("thread")]
    for thread in [t for t in threads if isinstance(t, dict)]:
        cid = str(data.get("id")) if len(threads) == 1 else f"{data.get('id')}:{thread.get('id')}"

        def event(doc: Doc, seq: int, e: dict, cid: str = cid) -> Event:
            user = users.get(str(e.get("author_id")), {})
            role = {"customer": CLIENT, "agent": OPERATOR}.get(user.get("type"), SYSTEM)
            etype = _LC_KINDS.get(str(e.get("type")), SYSTEM)
            target = None
            if e.get("type") == "system_message":
                role = SYSTEM
                if e.get("system_message_type") == "chat_transferred":
                    etype, target = TRANSFER, (e.get("text_vars") or {}).get("targets")
            if etype == MESSAGE and (e.get("visibility") or e.get("recipients")) == "agents":
                etype = NOTE
            return Event(
                conversation_id=cid,
                message_id=str(e.get("id", seq)),
                timestamp=doc.time(e.get("created_at")),
                role=role,
                event_type=etype,
                author_id=str(e.get("author_id") or "") or None,
                author_name=user.get("name"),
                transfer_to=target,
                is_internal=etype == NOTE,
                **doc.text(e.get("text"), "text"),
            )

        conv = Conversation(cid, path=doc.path, source_format="livechat", meta={"tags": thread.get("tags") or []})
        conv.events = events_of(doc, thread.get("events"), event, f"chat {cid}: event")
        yield conv.sort()


PLATFORMS: dict[str, Platform] = {
    "zendesk_chat": Platform("zendesk_chat", detect_zendesk_chat, zendesk_chat_conversations, lists=("chats",)),
    "zendesk_ticket": Platform("zendesk_ticket", detect_zendesk_ticket, zendesk_ticket_conversations),
    "intercom": Platform("intercom", detect_intercom, intercom_conversations, lists=("conversations",)),
    "freshchat": Platform(
        "freshchat", detect_freshchat, freshchat_conversations, records="messages", record=freshchat_record
    ),
    "livechat": Platform("livechat", detect_livechat, livechat_conversations, lists=("chats",)),
}
FRESHCHAT = PLATFORMS["freshchat"]
