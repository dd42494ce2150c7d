"""Helpdesk exports and API payloads: Jivo ``chat_finished``, Bitrix24 Open Lines, Chatwoot, Usedesk.

Each ``detect_*`` takes one parsed JSON document; each ``*_conversations`` turns one document into
conversations. A file holds one document, a JSON list of them, or JSON Lines of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from chatlint.conversation import (
    BOT,
    CLIENT,
    CLOSE,
    MESSAGE,
    NOTE,
    OPERATOR,
    SYSTEM,
    TRANSFER,
    Conversation,
    Event,
)
from chatlint.transcripts.base import LineFinder, TimeParser, strip_bbcode, strip_html


class Payload:
    """One document to convert, with what the converter needs to report positions and times."""

    def __init__(self, data: dict, path: str, finder: LineFinder, times: TimeParser, line: int = 0) -> None:
        self.data, self.path, self.finder, self.times, self.line = data, path, finder, times, line

    def line_of(self, text: str) -> int:
        return self.line or self.finder.line_of(text)


# --- Jivo -------------------------------------------------------------------------------------
def detect_jivo(data: object) -> bool:
    return isinstance(data, dict) and data.get("event_name") == "chat_finished"


def jivo_conversations(doc: Payload) -> Iterator[Conversation]:
    data = doc.data
    cid = str(data.get("chat_id"))
    agents = {str(a.get("id")): a.get("name") for a in data.get("agents") or [] if isinstance(a, dict)}
    visitor = (data.get("visitor") or {}).get("name")
    conv = Conversation(cid, path=doc.path, source_format="jivo", meta={"tags": data.get("tags") or []})
    for seq, m in enumerate((data.get("chat") or {}).get("messages") or []):
        kind = m.get("type")
        role = {"visitor": CLIENT, "agent": OPERATOR}.get(kind, SYSTEM)
        agent = str(m.get("agent_id")) if m.get("agent_id") is not None else None
        text = strip_html(str(m.get("message", "")))
        conv.events.append(
            Event(
                conversation_id=cid,
                message_id=f"{cid}:{seq + 1}",
                timestamp=doc.times(m.get("timestamp")),
                role=role,
                text=text,
                event_type=MESSAGE if role != SYSTEM else SYSTEM,
                author_id=agent,
                author_name=agents.get(agent) if agent else (visitor if role == CLIENT else None),
                seq=seq,
                line=doc.line_of(text),
            )
        )
    yield conv.sort()


# --- Bitrix24 Open Lines ----------------------------------------------------------------------
_B24_TRANSFER = re.compile(r"переадресовал|направлено на|передал[аи]? диалог|перевел[аи]? диалог", re.I)
_B24_CLOSE = re.compile(r"закрыт диалог|диалог заверш", re.I)
_B24_USER = re.compile(r"\[USER=(\d+)[^\]]*\]([^\[]*)\[/USER\]", re.I)


def detect_bitrix24(data: object) -> bool:
    result = data.get("result") if isinstance(data, dict) else None
    return isinstance(result, dict) and isinstance(result.get("message"), dict) and "users" in result


def bitrix24_conversations(doc: Payload) -> Iterator[Conversation]:
    result = doc.data["result"]
    cid = str(result.get("sessionId") or result.get("chatId"))
    users = {str(k): v for k, v in (result.get("users") or {}).items() if isinstance(v, dict)}
    conv = Conversation(cid, path=doc.path, source_format="bitrix24")
    messages = [m for m in result["message"].values() if isinstance(m, dict)]
    messages.sort(key=lambda m: int(m.get("id", 0)) if str(m.get("id", "")).isdigit() else 0)
    for seq, m in enumerate(messages):
        sender = str(m.get("senderid", "0"))
        user = users.get(sender, {})
        raw = str(m.get("text", ""))
        css = str((m.get("params") or {}).get("class", "")) if isinstance(m.get("params"), dict) else ""
        if sender == "0":
            role = BOT if css.endswith("-ol-output") else SYSTEM
        elif user.get("bot"):
            role = BOT
        elif user.get("connector") or user.get("externalAuthId") == "imconnector":
            role = CLIENT
        else:
            role = OPERATOR
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

        def _name(match: re.Match) -> str:
            return match.group(2) or (users.get(match.group(1)) or {}).get("name", "")

        text = strip_bbcode(_B24_USER.sub(_name, raw))
        conv.events.append(
            Event(
                conversation_id=cid,
                message_id=str(m.get("id", seq)),
                timestamp=doc.times(m.get("date")),
                role=role,
                text=text,
                event_type=etype,
                author_id=sender if sender != "0" else None,
                author_name=user.get("name"),
                transfer_to=target,
                seq=seq,
                line=doc.line_of(raw),
            )
        )
    yield conv.sort()


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


def chatwoot_conversations(doc: Payload) -> Iterator[Conversation]:
    data = doc.data
    messages = data["payload"] if isinstance(data.get("payload"), list) else [data]
    convs: dict[str, Conversation] = {}
    meta = data.get("meta") or {}
    for seq, m in enumerate(messages):
        if not isinstance(m, dict):
            continue
        conv_id = m.get("conversation_id")
        if isinstance(conv_id, dict):
            conv_id = conv_id.get("id")
        if conv_id is None and isinstance(m.get("conversation"), dict):
            conv_id = m["conversation"].get("display_id") or m["conversation"].get("id")
        cid = str(conv_id)
        conv = convs.setdefault(
            cid, Conversation(cid, path=doc.path, source_format="chatwoot", meta={"tags": meta.get("labels") or []})
        )
        mtype = m.get("message_type")
        mtype = _CW_TYPES.get(mtype, mtype) if isinstance(mtype, int) else str(mtype)
        sender = m.get("sender") or {}
        stype = sender.get("type") if isinstance(sender, dict) else None
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
            role = {"user": OPERATOR, "contact": CLIENT}.get(stype or "", BOT)
        internal = bool(m.get("private"))
        if internal:
            etype = NOTE
        conv.events.append(
            Event(
                conversation_id=cid,
                message_id=str(m.get("id", seq)),
                timestamp=doc.times(m.get("created_at")),
                role=role,
                text=text,
                event_type=etype,
                author_id=str(sender.get("id")) if isinstance(sender, dict) and sender.get("id") is not None else None,
                author_name=sender.get("name") if isinstance(sender, dict) else None,
                transfer_to=target,
                is_internal=internal,
                seq=seq,
                line=doc.line_of(text),
            )
        )
    for conv in convs.values():
        yield conv.sort()


# --- Usedesk ----------------------------------------------------------------------------------
_UD_AUTO = re.compile(r"обращение зарегистрировано|тикет объединен|автоматическ", re.I)


def detect_usedesk(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("ticket"), dict) and isinstance(data.get("comments"), list)


def usedesk_conversations(doc: Payload) -> Iterator[Conversation]:
    data = doc.data
    ticket = data["ticket"]
    cid = str(ticket.get("id"))
    conv = Conversation(cid, path=doc.path, source_format="usedesk", meta={"tags": data.get("tags") or []})
    for seq, c in enumerate(data["comments"]):
        if not isinstance(c, dict):
            continue
        text = strip_html(str(c.get("message") or ""))
        sender = c.get("from")
        role = {"client": CLIENT, "user": OPERATOR}.get(sender, BOT)
        if role == OPERATOR and _UD_AUTO.search(text):
            role = BOT
        internal = str(c.get("type", "")).lower() == "private" or bool(c.get("private"))
        conv.events.append(
            Event(
                conversation_id=cid,
                message_id=str(c.get("id", seq)),
                timestamp=doc.times(c.get("published_at")),
                role=role,
                text=text,
                event_type=NOTE if internal else MESSAGE,
                author_id=str(c.get("user_id")) if c.get("user_id") else None,
                author_name=None,
                is_internal=internal,
                seq=seq,
                line=doc.line_of(str(c.get("message") or "")),
            )
        )
    base = len(conv.events)
    for i, change in enumerate(data.get("changes") or []):
        for item in change.get("data") or [] if isinstance(change, dict) else []:
            if isinstance(item, dict) and item.get("target") == "assignee":
                conv.events.append(
                    Event(
                        conversation_id=cid,
                        message_id=f"change-{change.get('id', i)}",
                        timestamp=doc.times(change.get("changed_at")),
                        role=SYSTEM if change.get("trigger_id") is None else BOT,
                        event_type=TRANSFER,
                        author_id=str(change.get("user_id")) if change.get("user_id") else None,
                        transfer_to=str(item.get("value")),
                        seq=base + i,
                    )
                )
    yield conv.sort()


PLATFORMS: dict[str, tuple[Callable[[object], bool], Callable[[Payload], Iterator[Conversation]]]] = {
    "jivo": (detect_jivo, jivo_conversations),
    "bitrix24": (detect_bitrix24, bitrix24_conversations),
    "chatwoot": (detect_chatwoot, chatwoot_conversations),
    "usedesk": (detect_usedesk, usedesk_conversations),
}
