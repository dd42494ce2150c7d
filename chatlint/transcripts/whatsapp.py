"""WhatsApp «Экспорт чата» ``.txt`` (Android and iOS, Russian locale): one file, one conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from chatlint.conversation import CLIENT, MEDIA, MESSAGE, OPERATOR, SYSTEM, Conversation, Event
from chatlint.transcripts.base import ReadOptions, clean_text
from chatlint.transcripts.generic import open_text

_STAMP = r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4}),?\s(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[\s\u202f]?([AaPp][Mm]))?"
ANDROID = re.compile(r"^[\u200e\ufeff]?" + _STAMP + r" [-–] (.*)$")
IOS = re.compile(r"^[\u200e\ufeff]?\[" + _STAMP + r"\] (.*)$")
SYSTEM_TEXTS = (
    "защищены сквозным шифрованием",
    "код безопасности",
    "создал(-а) группу",
    "добавил(-а)",
    "удалил(-а)",
    "вышел(-а)",
    "изменил(-а)",
    "данное сообщение удалено",
    "вы удалили данное сообщение",
    "сообщение удалено",
)
MEDIA_TEXTS = ("<без медиафайлов>", "(файл добавлен)", "отсутствует", "стикер не добавлен", "<media omitted>")


def detect(head: str) -> bool:
    lines = [line for line in head.splitlines()[:5] if line.strip()]
    return bool(lines) and all(ANDROID.match(lines[0]) or IOS.match(lines[0]) for _ in (0,))


def _day_first(path: Path, opts: ReadOptions) -> bool:
    """Day before month unless some date's second part is over 12 (a US-region phone)."""
    with open_text(path, opts) as handle:
        for _, line in zip(range(5000), handle):
            m = ANDROID.match(line) or IOS.match(line)
            if m:
                if int(m.group(1)) > 12:
                    return True
                if int(m.group(2)) > 12:
                    return False
    return True


def read(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """Messages are ``DATE, TIME - Name: text`` (Android, minutes) or ``[DATE, TIME] Name: text`` (iOS)."""
    name = str(path)
    day_first = _day_first(path, opts)
    conv = Conversation(path.stem, path=name, source_format="whatsapp")
    current: Event | None = None
    events: list[Event] = []
    naive = False
    with open_text(path, opts) as handle:
        for lineno, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            m = ANDROID.match(line) or IOS.match(line)
            if m is None:
                if current is not None:
                    current.text += "\n" + clean_text(line)
                elif line.strip():
                    opts.problem(name, lineno, "text before the first dated message")
                continue
            d, mo, y, hh, mm, ss, ampm, rest = m.groups()
            day, month = (int(d), int(mo)) if day_first else (int(mo), int(d))
            hour = int(hh) % 12 + (12 if ampm and ampm.lower() == "pm" else 0) if ampm else int(hh)
            try:
                stamp = datetime(int(y) + (2000 if len(y) == 2 else 0), month, day, hour, int(mm), int(ss or 0))
            except ValueError as exc:
                opts.problem(name, lineno, f"bad date: {exc}")
                continue
            naive = True
            author, sep, text = rest.partition(": ")
            if not sep or len(author) > 60:
                author, text = "", rest
            current = Event(
                conversation_id=conv.conversation_id,
                message_id=str(len(events) + 1),
                timestamp=stamp.replace(tzinfo=opts.tz),
                role=SYSTEM if not author else CLIENT,
                text=clean_text(text),
                author_name=clean_text(author).strip() or None,
                seq=len(events),
                line=lineno,
            )
            events.append(current)
    operators = set(opts.operators)
    for event in events:
        low = event.text.strip().lower()
        if not event.author_name or any(s in low for s in SYSTEM_TEXTS):
            event.role, event.event_type = SYSTEM, SYSTEM
        elif any(low.startswith(s) or low.endswith(s) for s in MEDIA_TEXTS):
            event.event_type, event.text = MEDIA, ""
        else:
            event.event_type = MESSAGE
    if not operators:
        authors = [e.author_name for e in events if e.role != SYSTEM and e.author_name]
        others = [a for a in dict.fromkeys(authors) if authors and a != authors[0]]
        if others:
            operators = {others[0]}
            opts.warn(name, 0, f"no --operator given: taking {others[0]!r} (who answered first) as the operator")
    for event in events:
        if event.role != SYSTEM and event.author_name in operators:
            event.role = OPERATOR
    if naive:
        opts.warn(name, 0, f"WhatsApp times have no time zone: read as {opts.tz_name or opts.tz} (set --tz)")
    conv.events = events
    yield conv.sort()
