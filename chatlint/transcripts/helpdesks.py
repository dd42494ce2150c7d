"""Helpdesk exports and API payloads of Russian platforms and Chatwoot: Jivo ``chat_finished``,
Bitrix24 Open Lines, Chatwoot, Usedesk, Talk-Me, Carrot quest.

Each ``detect_*`` takes one parsed JSON document; each ``*_conversations`` turns one document into
conversations (see chatlint/transcripts/docs.py for how files hold documents).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chatlint.conversation import (
    BOT,
    CLIENT,
    CLOSE,
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
from chatlint.transcripts.base import strip_bbcode
from chatlint.transcripts.docs import Doc, Platform, events_of, grouped
from chatlint.transcripts.where import Traced, rewrite


# --- Jivo -------------------------------------------------------------------------------------
def detect_jivo(data: object) -> bool:
    return isinstance(data, dict) and data.get("event_name") == "chat_finished"


def jivo_conversations(doc: Doc) -> Iterator[Conversation]:
    data = doc.data
    cid = str(data.get("chat_id"))
    agents = {str(a.get("id")): a.get("name") for a in data.get("agents") or [] if isinstance(a, dict)}
    visitor = (data.get("visitor") or {}).get("name")

    def event(doc: Doc, seq: int, m: dict) -> Event:
        role = {"visitor": CLIENT, "agent": OPERATOR}.get(m.get("type"), SYSTEM)
        agent = str(m.get("agent_id")) if m.get("agent_id") is not None else None
        return Event(
            conversation_id=cid,
            message_id=f"{cid}:{seq + 1}",
            timestamp=doc.time(m.get("timestamp")),
            role=role,
            event_type=MESSAGE if role != SYSTEM else SYSTEM,
            author_id=agent,
            author_name=agents.get(agent) if agent else (visitor if role == CLIENT else None),
            **doc.text(m.get("message"), "message", "html"),
        )

    conv = Conversation(cid, path=doc.path, source_format="jivo", meta={"tags": data.get("tags") or []})
    conv.events = events_of(doc, (data.get("chat") or {}).get("messages"), event, f"chat {cid}: message")
    yield conv.sort()


# --- Bitrix24 Open Lines ----------------------------------------------------------------------
_B24_TRANSFER = re.compile(r"переадресовал|направлено на|передал[аи]? диалог|перевел[аи]? диалог", re.I)
_B24_CLOSE = re.compile(r"закрыт диалог|диалог заверш", re.I)
_B24_USER = re.compile(r"\[USER=(\d+)[^\]]*\]([^\[]*)\[/USER\]", re.I)


def detect_bitrix24(data: object) -> bool:
    result = data.get("result") if isinstance(data, dict) else None
    return isinstance(result, dict) and isinstance(result.get("message"), dict) and "users" in result


def _b24_role(sender: str, user: dict, css: str) -> str:
    if sender == "0":
        return BOT if css.endswith("-ol-output") else SYSTEM
    if user.get("bot"):
        return BOT
    if user.get("connector") or user.get("externalAuthId") == "imconnector":
        return CLIENT
    return OPERATOR


def bitrix24_conversations(doc: Doc) -> Iterator[Conversation]:
    """A session's history: ``senderid`` 0 is the system (``…-ol-output`` the bot), users marked
    ``bot``/``connector`` the bot/client; transfers are the system texts of the platform."""
    result = doc.data["result"]
    cid = str(result.get("sessionId") or result.get("chatId"))
    users = {str(k): v for k, v in (result.get("users") or {}).items() if isinstance(v, dict)}

    def _name(match: re.Match) -> str:
        return match.group(2) or (users.get(match.group(1)) or {}).get("name", "")

    def event(doc: Doc, seq: int, m: dict) -> Event:
        sender = str(m.get("senderid", "0"))
        user = users.get(sender, {})
        raw = str(m.get("text", ""))
        css = str((m.get("params") or {}).get("class", "")) if isinstance(m.get("params"), dict) else ""
        role = _b24_role(sender, user, css)
        etype, target = (MESSAGE if role != SYSTEM else SYSTEM), None
        if _B24_TRANSFER.search(raw):
            etype = TRANSFER
            names = _B24_USER.findall(raw)
            if names:
                uid, label = names[-1]
                target = label or (users.get(uid) or {}).get("name") or uid
            if role == OPERATOR:
                role = SYSTEM
        elif sender == "0" and _B24_CLOSE.search(raw):
            etype = CLOSE
        text = doc.text(raw, "text", convert=lambda r: strip_bbcode(_B24_USER.sub(_name, r)),
                        traced=lambda t: _b24_traced(t, users))  # fmt: skip
        return Event(
            conversation_id=cid,
            message_id=str(m.get("id", seq)),
            timestamp=doc.time(m.get("date")),
            role=role,
            event_type=etype,
            author_id=sender if sender != "0" else None,
            author_name=user.get("name"),
            transfer_to=target,
            **text,
        )

    messages = [m for m in result["message"].values() if isinstance(m, dict)]
    messages.sort(key=lambda m: int(m.get("id", 0)) if str(m.get("id", "")).isdigit() else 0)
    conv = Conversation(cid, path=doc.path, source_format="bitrix24")
    conv.events = events_of(doc, messages, event, f"session {cid}: message")
    yield conv.sort()


_B24_BR = re.compile(r"\[br\]", re.I)
_B24_TAG = re.compile(r"\[/?(?:b|i|u|s|url|user|quote|code|color|size|icon|chat|send|put|p)(?:=[^\]]*)?\]", re.I)


def _b24_traced(traced: Traced, users: dict) -> Traced:
    """Bitrix24 BBCode to plain text keeping positions (as strip_bbcode, with mentions as names)."""
    traced = rewrite(traced, _B24_USER, lambda m: 2 if m.group(2) else (users.get(m.group(1)) or {}).get("name", ""))
    traced = rewrite(traced, _B24_BR, lambda m: "\n")
    return rewrite(traced, _B24_TAG, lambda m: "")


# --- Chatwoot ---------------------------------------------------------------------------------
_CW_ASSIGN = re.compile(r"назначил[аи]?(?:\(а\))? (.+?) ответственным|Assigned to (.+?) by ", re.I)
_CW_CLOSE = re.compile(r"завершил[аи]?(?:\(а\))? диалог|marked resolved|помечен системой решённым", re.I)
_CW_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


def detect_chatwoot(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    payload = data.get("payload")
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return "message_type" in payload[0] and "content" in payload[0]
    return data.get("event") == "message_created" and "message_type" in data


def _chatwoot_id(m: dict) -> str:
    conv_id = m.get("conversation_id")
    if isinstance(conv_id, dict):
        conv_id = conv_id.get("id")
    if conv_id is None and isinstance(m.get("conversation"), dict):
        conv_id = m["conversation"].get("display_id") or m["conversation"].get("id")
    return str(conv_id)


def _chatwoot_event(doc: Doc, seq: int, m: dict) -> Event:
    """One message: ``message_type`` (0 incoming, 1 outgoing, 2 activity, 3 template) and the
    sender's ``type`` give the role; ``private`` is a note; activity texts of assignment are transfers."""
    mtype = m.get("message_type")
    mtype = _CW_TYPES.get(mtype, mtype) if isinstance(mtype, int) else str(mtype)
    sender = m.get("sender") if isinstance(m.get("sender"), dict) else {}
    text = str(m.get("content") or "")
    etype, target = MESSAGE, None
    if mtype == "activity":
        role, etype = SYSTEM, SYSTEM
        found = _CW_ASSIGN.search(text)
        if found:
            etype, target = TRANSFER, found.group(1) or found.group(2)
        elif _CW_CLOSE.search(text):
            etype = CLOSE
    elif mtype == "template":
        role = BOT
    elif mtype == "incoming":
        role = CLIENT
    else:
        role = {"user": OPERATOR, "contact": CLIENT}.get(str(sender.get("type") or ""), BOT)
    internal = bool(m.get("private"))
    return Event(
        conversation_id=_chatwoot_id(m),
        message_id=str(m.get("id", seq)),
        timestamp=doc.time(m.get("created_at")),
        role=role,
        event_type=NOTE if internal else etype,
        author_id=str(sender["id"]) if sender.get("id") is not None else None,
        author_name=sender.get("name"),
        transfer_to=target,
        is_internal=internal,
        **doc.text(text, "content"),
    )


def chatwoot_conversations(doc: Doc) -> Iterator[Conversation]:
    data = doc.data
    messages = data["payload"] if isinstance(data.get("payload"), list) else [data]
    tags = (data.get("meta") or {}).get("labels") or []
    convs: dict[str, Conversation] = {}
    for event in events_of(doc, messages, _chatwoot_event, "message"):
        conv = convs.setdefault(
            event.conversation_id,
            Conversation(event.conversation_id, path=doc.path, source_format="chatwoot", meta={"tags": tags}),
        )
        event.seq = len(conv.events)
        conv.events.append(event)
    for conv in convs.values():
        yield conv.sort()


# --- Usedesk ----------------------------------------------------------------------------------
# Usedesk's own service comments, matched against the whole comment (an operator's reply that only
# mentions a registration or a merge stays a reply).
_UD_SERVICE = re.compile(
    r"(ваше )?обращение (№ ?)?\d*\s*зарегистрировано( под номером (№ ?)?\d+)?\.?|тикет объедин[её]н с тикетом.*",
    re.I | re.S,
)


def detect_usedesk(data: object) -> bool:
    if not (isinstance(data, dict) and isinstance(data.get("ticket"), dict) and isinstance(data.get("comments"), list)):
        return False
    first = data["comments"][0] if data["comments"] else {}
    return not isinstance(first, dict) or "published_at" in first or first.get("from") in ("client", "user", "trigger")


def _usedesk_comment(cid: str):
    def event(doc: Doc, seq: int, c: dict) -> Event:
        """``from``: client → client, user → operator, anything else (``trigger``) → bot; a whole
        service text of Usedesk is the bot too; ``type: private`` is a note."""
        text = doc.text(c.get("message"), "message", "html")
        role = {"client": CLIENT, "user": OPERATOR}.get(c.get("from"), BOT)
        if role == OPERATOR and _UD_SERVICE.fullmatch(text["text"].strip()):
            role = BOT
        internal = str(c.get("type", "")).lower() == "private" or bool(c.get("private"))
        return Event(
            conversation_id=cid,
            message_id=str(c.get("id", seq)),
            timestamp=doc.time(c.get("published_at")),
            role=role,
            event_type=NOTE if internal else MESSAGE,
            author_id=str(c.get("user_id")) if c.get("user_id") else None,
            is_internal=internal,
            **text,
        )

    return event


def _usedesk_change(cid: str):
    def event(doc: Doc, seq: int, change: dict) -> list[Event]:
        """An ``assignee`` change is a transfer (by an automation rule when ``trigger_id``)."""
        return [
            Event(
                conversation_id=cid,
                message_id=f"change-{change.get('id', seq)}",
                timestamp=doc.time(change.get("changed_at")),
                role=SYSTEM if change.get("trigger_id") is None else BOT,
                event_type=TRANSFER,
                author_id=str(change.get("user_id")) if change.get("user_id") else None,
                transfer_to=str(item.get("value")),
            )
            for item in change.get("data") or []
            if isinstance(item, dict) and item.get("target") == "assignee"
        ]

    return event


def usedesk_conversations(doc: Doc) -> Iterator[Conversation]:
    data = doc.data
    cid = str(data["ticket"].get("id"))
    conv = Conversation(cid, path=doc.path, source_format="usedesk", meta={"tags": data.get("tags") or []})
    conv.events = events_of(doc, data["comments"], _usedesk_comment(cid), f"ticket {cid}: comment")
    changes = events_of(doc, data.get("changes"), _usedesk_change(cid), f"ticket {cid}: change")
    for event in changes:
        event.seq += len(conv.events)
    conv.events += changes
    yield conv.sort()


# --- Talk-Me ----------------------------------------------------------------------------------
def detect_talkme(data: object) -> bool:
    messages = data.get("messages") if isinstance(data, dict) else None
    return isinstance(messages, list) and bool(messages) and isinstance(messages[0], dict) and "whoSend" in messages[0]


def talkme_conversations(doc: Doc) -> Iterator[Conversation]:
    """A dialog of ``{"ok": true, "data": [dialog, ...]}``: ``whoSend`` is the role, ``messageType``
    marks automatic messages (``autoMessage``) and internal comments (``comment``)."""
    data = doc.data
    cid = str(data.get("searchId") or data.get("clientId"))
    names = {str(o.get("login")): o.get("name") for o in data.get("operators") or [] if isinstance(o, dict)}

    def event(doc: Doc, seq: int, m: dict) -> Event:
        who, kind = str(m.get("whoSend", "")).lower(), str(m.get("messageType") or "")
        role = {"client": CLIENT, "operator": OPERATOR, "bot": BOT}.get(who, SYSTEM)
        if role == OPERATOR and kind == "autoMessage":
            role = BOT
        login = (m.get("operator") or {}).get("login") if isinstance(m.get("operator"), dict) else None
        etype = NOTE if kind == "comment" else MESSAGE if role != SYSTEM else SYSTEM
        return Event(
            conversation_id=cid,
            message_id=str(m.get("id") or f"{cid}:{seq + 1}"),
            timestamp=doc.time(m.get("dateTime")),
            role=role,
            event_type=etype,
            author_id=str(login) if login else None,
            author_name=names.get(str(login)) if login else (data.get("name") if role == CLIENT else None),
            is_internal=etype == NOTE,
            **doc.text(m.get("text"), "text", "html"),
        )

    conv = Conversation(cid, path=doc.path, source_format="talkme")
    conv.events = events_of(doc, data.get("messages"), event, f"dialog {cid}: message")
    yield conv.sort()


# --- Carrot quest (Dashly) ----------------------------------------------------------------------
_CQ_TYPES = {"reply_user", "reply_admin", "auto_reply", "note", "assigned", "closed", "final_closed", "opened",
             "tag_added", "tag_deleted", "delayed", "channel_changed", "vote", "article", "service"}  # fmt: skip


def detect_carrotquest(data: object) -> bool:
    parts = data.get("data") if isinstance(data, dict) else None
    first = parts[0] if isinstance(parts, list) and parts else None
    return isinstance(first, dict) and "conversation" in first and first.get("type") in _CQ_TYPES


def carrotquest_record(doc: Doc) -> Event:
    """One conversation part: ``type`` is the role and kind; auto messages (``sent_via``
    ``message_auto``, ``from.type`` ``default_admin``) are the bot; ``removed`` parts are deleted."""
    part = doc.data
    kind = str(part.get("type", ""))
    sender = part.get("from") if isinstance(part.get("from"), dict) else {}
    auto = part.get("sent_via") == "message_auto" or sender.get("type") == "default_admin"
    role, etype, target = SYSTEM, SYSTEM, None
    if kind == "reply_user":
        role, etype = CLIENT, MESSAGE
    elif kind in ("reply_admin", "auto_reply"):
        role, etype = (BOT if auto or kind == "auto_reply" else OPERATOR), MESSAGE
    elif kind == "note":
        role, etype = OPERATOR, NOTE
    elif kind == "assigned":
        etype = TRANSFER
        target = (part.get("assignee") or {}).get("name") if isinstance(part.get("assignee"), dict) else None
    elif kind in ("closed", "final_closed"):
        etype = CLOSE
    elif kind == "opened":
        etype = OPEN
    text = doc.text(part.get("body"), "body", "html")
    if etype == MESSAGE and part.get("removed"):
        etype = SYSTEM  # deleted by its author: the client no longer sees it
    elif etype == MESSAGE and not text["text"] and part.get("attachments"):
        etype = MEDIA
    author_id = sender.get("id") if sender else part.get("from")
    return Event(
        conversation_id=str(part.get("conversation")),
        message_id=str(part.get("id")),
        timestamp=doc.time(part.get("created")),
        role=role,
        event_type=etype,
        author_id=str(author_id) if author_id is not None else None,
        author_name=sender.get("name"),
        transfer_to=target,
        is_internal=etype == NOTE,
        **text,
    )


def carrotquest_conversations(doc: Doc) -> Iterator[Conversation]:
    yield from grouped(doc, CARROTQUEST, "carrotquest")


PLATFORMS: dict[str, Platform] = {
    "jivo": Platform("jivo", detect_jivo, jivo_conversations),
    "bitrix24": Platform("bitrix24", detect_bitrix24, bitrix24_conversations),
    "chatwoot": Platform("chatwoot", detect_chatwoot, chatwoot_conversations),
    "usedesk": Platform("usedesk", detect_usedesk, usedesk_conversations),
    "talkme": Platform("talkme", detect_talkme, talkme_conversations, lists=("data",)),
    "carrotquest": Platform(
        "carrotquest", detect_carrotquest, carrotquest_conversations, records="data", record=carrotquest_record
    ),
}
CARROTQUEST = PLATFORMS["carrotquest"]
