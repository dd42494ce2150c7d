"""WhatsApp «Экспорт чата» ``.txt`` (Android and iOS, Russian locale): one file, one conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from chatlint.conversation import CLIENT, MEDIA, MESSAGE, OPERATOR, SYSTEM, Conversation, Event
from chatlint.transcripts.base import ReadOptions, clean_text
from chatlint.transcripts.generic import open_text
from chatlint.transcripts.where import Traced, clean

_STAMP = r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4}),?\s(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[\s\u202f]?([AaPp][Mm]))?"
ANDROID = re.compile(r"^[\u200e\ufeff]?" + _STAMP + r" [-–] (.*)$")
IOS = re.compile(r"^[\u200e\ufeff]?\[" + _STAMP + r"\] (.*)$")
# The platform's own texts, matched against a whole message (never as a part of one).
_SYSTEM = re.compile(
    r"(сообщения и звонки защищены сквозным шифрованием\.[^\n]*"
    r"|messages and calls are end-to-end encrypted\.[^\n]*"
    r"|(ваш )?код безопасности (с контактом |для )[^\n]*изменился\.[^\n]*"
    r"|your security code with [^\n]* changed\.[^\n]*)",
    re.I,
)  # the notices iOS gives to a person; lines without an author are system lines anyway
_DELETED = re.compile(
    r"(данное сообщение удалено|это сообщение удалено|вы удалили данное сообщение|вы удалили это сообщение"
    r"|this message was deleted|you deleted this message)",
    re.I,
)
_MEDIA = re.compile(
    r"(<без медиафайлов>|<media omitted>|стикер не добавлен|sticker omitted"
    r"|(изображение|видео|аудиофайл|документ|gif|стикер|контакт) отсутствует"
    r"|(image|video|audio|document|gif|sticker) omitted"
    r"|\S.*\.\w{1,5} \(файл добавлен\)|\S.*\.\w{1,5} \(file attached\)|<attached: .*>)",
    re.I,
)
_EDITED = re.compile(r"\s*<(это сообщение было изменено|this message was edited)>$", re.I)


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
    """Messages are ``DATE, TIME - Name: text`` (Android, minutes) or ``[DATE, TIME] Name: text`` (iOS).
    A message's id is the line it starts on; its text keeps its place in the file (``where``)."""
    name = str(path)
    day_first = _day_first(path, opts)
    conv = Conversation(path.stem, path=name, source_format="whatsapp")
    current: Traced | None = None
    events: list[Event] = []
    texts: list[Traced] = []
    naive = False
    with open_text(path, opts) as handle:
        for lineno, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            m = ANDROID.match(line) or IOS.match(line)
            if m is None:
                if current is not None:
                    current.add("\n", lineno, 1).add(line, lineno, 1)
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
            current = Traced().add(text, lineno, len(line) - len(text) + 1)
            texts.append(current)
            events.append(
                Event(
                    conversation_id=conv.conversation_id,
                    message_id=str(lineno),
                    timestamp=stamp.replace(tzinfo=opts.tz),
                    role=SYSTEM if not author else CLIENT,
                    author_name=clean_text(author).strip() or None,
                    seq=len(events),
                    line=lineno,
                )
            )
    for event, traced in zip(events, texts):
        _finish(event, traced)
    _roles(events, opts, name)
    if naive:
        opts.warn(name, 0, f"WhatsApp times have no time zone: read as {opts.tz_name or opts.tz} {opts.zone_advice()}")
    conv.events = events
    yield conv.sort()


def _finish(event: Event, traced: Traced) -> None:
    """The text, kind and positions of a message, by the platform's own whole-message texts."""
    traced = clean(traced)
    edited = _EDITED.search(traced.text)
    if edited:
        traced = Traced().extend(traced, 0, edited.start())
    text = traced.text
    low = text.strip()
    if not event.author_name or _SYSTEM.fullmatch(low):
        event.role, event.event_type = SYSTEM, SYSTEM
    elif _DELETED.fullmatch(low):
        event.event_type = SYSTEM  # deleted by its author: no longer seen
    elif _MEDIA.fullmatch(low):
        event.event_type, text = MEDIA, ""
    else:
        event.event_type = MESSAGE
    event.text = text
    event.where = traced.where() if text else ()


def _roles(events: list[Event], opts: ReadOptions, name: str) -> None:
    operators = set(opts.operators)
    if not operators:
        authors = [e.author_name for e in events if e.role != SYSTEM and e.author_name]
        others = [a for a in dict.fromkeys(authors) if authors and a != authors[0]]
        if others:
            operators = {others[0]}
            opts.warn(name, 0, f"no --operator given: taking {others[0]!r} (who answered first) as the operator")
    for event in events:
        if event.role != SYSTEM and event.author_name in operators:
            event.role = OPERATOR
