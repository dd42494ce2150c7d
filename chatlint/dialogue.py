"""Checking a whole conversation: every operator reply with the reply rules, plus the dialogue rules.

Also the script notation in which dialogue rules write their examples (see docs/rules.md)::

    # tags: продажи
    0:00 client: Здравствуйте, заказ не пришёл
    0:45 operator(Мария): Здравствуйте! Сейчас проверю.
    1:10 transfer(Игорь):
    2:00 operator(Игорь): Анна, заказ у курьера,
      привезём сегодня.

A line is ``TIME WHO[(NAME)]: TEXT``; TIME is ``M:SS`` or ``H:MM:SS`` from the start; WHO is
client, operator, bot, system, note (an operator's internal note), transfer (NAME = to whom) or
close. Indented lines continue the previous message; ``# key: a, b`` sets conversation meta.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chatlint.conversation import BOT, CLIENT, CLOSE, NOTE, OPERATOR, SYSTEM, TRANSFER, Conversation, Event, position
from chatlint.diagnostic import Diagnostic
from chatlint.kinds.dialogue import DialogueKind
from chatlint.reply import Finding, Reply

_LINE = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?\s+([a-z]+)(?:\(([^)]*)\))?:\s?(.*)$")
_WHO = {
    "client": (CLIENT, "message"),
    "operator": (OPERATOR, "message"),
    "bot": (BOT, "message"),
    "system": (SYSTEM, "system"),
    "note": (OPERATOR, NOTE),
    "transfer": (SYSTEM, TRANSFER),
    "close": (SYSTEM, CLOSE),
}
_START = datetime(2024, 3, 15, 10, 0, tzinfo=timezone(timedelta(hours=3)))


class ScriptError(ValueError):
    """A line of a dialogue script that does not follow the notation."""


def parse_script(script: str, conversation_id: str = "example", path: str = "<script>") -> Conversation:
    """A conversation from the script notation above."""
    conv = Conversation(conversation_id, path=path, source_format="script")
    for lineno, line in enumerate(script.splitlines(), 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            key, _, value = line.lstrip("# ").partition(":")
            conv.meta[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
            continue
        if line[0].isspace():
            if not conv.events:
                raise ScriptError(f"line {lineno}: a continuation line before any message")
            conv.events[-1].text += "\n" + line.strip()
            continue
        m = _LINE.match(line)
        if m is None or m.group(4) not in _WHO:
            raise ScriptError(f"line {lineno}: expected 'M:SS who(name): text', got {line!r}")
        a, b, c, who, name, text = m.groups()
        seconds = int(a) * 3600 + int(b) * 60 + int(c) if c is not None else int(a) * 60 + int(b)
        role, event_type = _WHO[who]
        if who == "transfer":
            author, target, text = None, name, text or f"Диалог передан: {name}"
        else:
            author = name or {OPERATOR: "Оператор", CLIENT: "Клиент", BOT: "Бот"}.get(role)
            target = None
        conv.events.append(
            Event(
                conversation_id=conversation_id,
                message_id=str(len(conv.events) + 1),
                timestamp=_START + timedelta(seconds=seconds),
                role=role,
                text=text,
                event_type=event_type,
                author_name=author,
                transfer_to=target,
                is_internal=event_type == NOTE,
                seq=len(conv.events),
                line=lineno,
            )
        )
    return conv.sort()


@dataclass(frozen=True)
class RecordPosition:
    """Positions for a message of a transcript: where its characters are in the file (``where``,
    see chatlint/transcripts/where.py), else the record's line and the column inside the message."""

    line: int
    where: tuple[int, ...] = ()

    def __call__(self, offset: int) -> tuple[int, int]:
        if self.where:
            return position(self.where, offset)
        return self.line, offset + 1


class _Count(int):
    """A count in a message: ``{count:раз}`` writes the count and the words agreed with it («2 раза»)."""

    def __format__(self, spec: str) -> str:
        if spec and spec.replace(" ", "").isalpha():
            from chatlint.morph import agree_with_number

            return f"{int(self)} {agree_with_number(self, spec)}"
        return format(int(self), spec)


class _Values(dict):
    def __init__(self, values, **more) -> None:
        super().__init__(values, **more)
        for key, value in self.items():
            if isinstance(value, int) and not isinstance(value, bool):
                self[key] = _Count(value)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ConversationChecker:
    """Runs a Linter's reply rules on operator replies and its dialogue rules on the conversation."""

    def __init__(self, linter) -> None:
        self.linter = linter
        self.dialogue = [r for r in linter.rules if isinstance(r.impl, DialogueKind)]
        self.reply_rules = len(self.dialogue) < len(linter.rules)
        self.severity = {r.id: linter.severity_of(r.id) for r in self.dialogue}

    def reply_for(self, conv: Conversation, event: Event) -> Reply:
        """The Reply (text, file position, metadata) a finding on this event is reported against."""
        meta = {
            "conversation_id": conv.conversation_id,
            "message_id": event.message_id,
            "author": event.author,
            "role": event.role,
            "timestamp": event.timestamp.isoformat() if event.timestamp else None,
        }
        return Reply(event.text, conv.path, RecordPosition(event.line, event.where), meta)

    def check(self, conv: Conversation) -> list[Finding]:
        """Findings in event order, then by offset within the message."""
        per_event: dict[int, list[Diagnostic]] = {}
        for i, event in enumerate(conv.events):
            if self.reply_rules and event.is_reply and event.text.strip():
                found = self.linter.check(event.text)
                if found:
                    per_event[i] = list(found)
        if self.dialogue:
            index = {id(e): i for i, e in enumerate(conv.events)}
            for rule in self.dialogue:
                for hit in rule.impl.check(conv):
                    per_event.setdefault(index[id(hit.event)], []).append(self._diagnostic(rule, hit))
        findings: list[Finding] = []
        for i in sorted(per_event):
            reply = self.reply_for(conv, conv.events[i])
            for d in sorted(per_event[i], key=lambda d: (d.start, d.end, d.rule)):
                findings.append((reply, d))
        return findings

    def _diagnostic(self, rule, hit) -> Diagnostic:
        span = hit.event.text[hit.start : hit.end]
        values = _Values(hit.values, match=span)
        return Diagnostic(
            rule=rule.id,
            severity=self.severity[rule.id],
            start=hit.start,
            end=hit.end,
            message=rule.message.format_map(values),
            text=span,
            suggestions=tuple(rule.suggest),
            source=rule.source,
            extra={k: v for k, v in hit.values.items() if isinstance(v, (int, float, str))},
        )
