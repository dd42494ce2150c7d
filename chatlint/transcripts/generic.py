"""Generic transcripts: JSON Lines (one message a line), CSV (incl. Excel cp1251 with ';'), JSON."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from chatlint.conversation import EVENT_TYPES, MESSAGE, NOTE, SYSTEM, TRANSFER, Conversation, Event
from chatlint.transcripts.base import (
    BadRecord,
    Grouper,
    LineFinder,
    ReadOptions,
    TimeParser,
    clean_text,
    iter_jsonl,
    role_of,
)

# model field -> names tried in the source (first found wins); ``--map field=name`` goes first.
FIELDS: dict[str, tuple[str, ...]] = {
    "conversation_id": ("conversation_id", "conversation", "chat_id", "dialog_id", "ticket_id", "id диалога",
                        "диалог", "номер диалога", "чат"),
    "message_id": ("message_id", "id", "msg_id", "id сообщения"),
    "timestamp": ("timestamp", "time", "created_at", "date", "datetime", "дата и время", "время", "дата"),
    "role": ("role", "sender_type", "author_type", "from", "отправитель", "роль", "тип"),
    "author_name": ("author_name", "author", "name", "sender", "operator", "имя", "автор", "сотрудник"),
    "author_id": ("author_id", "sender_id", "user_id", "id автора"),
    "text": ("text", "message", "body", "content", "сообщение", "текст"),
    "event_type": ("event_type", "type", "тип события"),
    "transfer_to": ("transfer_to_name", "transfer_to", "transfer_to_id", "передан"),
    "internal": ("is_internal", "internal", "private", "note", "внутреннее"),
}  # fmt: skip
TRANSFER_TEXT = re.compile(r"(диалог|чат|обращение)\s+(передан|переадресован|направлен)|переадресовал", re.I)
_TRUE = {"1", "true", "yes", "да", "y"}


class FieldMap:
    """Which source key holds each model field, resolved once per file from its keys/header."""

    def __init__(self, keys: list[str], columns: Mapping[str, str]) -> None:
        lower = {k.strip().lower(): k for k in keys}
        self.key: dict[str, str] = {}
        for name, candidates in FIELDS.items():
            wanted = [columns[name]] if name in columns else list(candidates)
            if name == "author_name" and "author" in columns:
                wanted = [columns["author"]]
            for candidate in wanted:
                if candidate.strip().lower() in lower:
                    self.key[name] = lower[candidate.strip().lower()]
                    break

        # the source key of each field of _ORDER, "" when the source has none (a found key is never "")
        self.keys = tuple(self.key.get(name, "") for name in _ORDER)

    def missing(self) -> list[str]:
        return [f for f in ("conversation_id", "role", "text") if f not in self.key]


_ORDER = ("conversation_id", "role", "text", "event_type", "internal", "author_name", "author_id", "message_id",
          "timestamp", "transfer_to")  # fmt: skip


def event_from(record: Mapping, fmap: FieldMap, times: TimeParser, line: int, fallback_id: str) -> Event:
    """A generic record (dict or CSV row) to an Event; BadRecord when it cannot be one."""
    get = record.get
    cid, role_raw, text, kind, internal_raw, name, author_id, mid, when, transfer_to = (
        get(key) if key else None for key in fmap.keys
    )
    if cid in (None, ""):
        raise BadRecord("no conversation id")
    role = role_of(role_raw)
    if role is None:
        raise BadRecord(f"unknown role {role_raw!r} (operator, client, bot or system)")
    if text is not None and not isinstance(text, str):
        raise BadRecord(f"text must be a string, not {type(text).__name__}")
    event_type = str(kind or "").strip().lower()
    if event_type not in EVENT_TYPES:
        event_type = SYSTEM if role == SYSTEM else MESSAGE
    if role == SYSTEM and event_type == SYSTEM and TRANSFER_TEXT.search(text or ""):
        event_type = TRANSFER
    internal = event_type == NOTE or (bool(internal_raw) and str(internal_raw).strip().lower() in _TRUE)
    if internal:
        event_type = NOTE
    return Event(
        conversation_id=str(cid),
        message_id=str(mid) if mid not in (None, "") else fallback_id,
        timestamp=times(when),
        role=role,
        text=clean_text(text),
        event_type=event_type,
        author_id=str(author_id) if author_id not in (None, "") else None,
        author_name=str(name) if name not in (None, "") else None,
        transfer_to=str(transfer_to) if transfer_to not in (None, "") else None,
        is_internal=internal,
        line=line,
    )


def read_jsonl(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """One JSON object per line; lines of a conversation may interleave (see Grouper)."""
    name = str(path)
    times = TimeParser(opts)
    group = Grouper(name, "jsonl", opts)
    maps: dict[tuple, FieldMap] = {}
    with open_text(path, opts) as handle:
        for lineno, record in iter_jsonl(handle, lambda line, message: opts.problem(name, line, message)):
            if not isinstance(record, dict):
                opts.problem(name, lineno, "a line must hold a JSON object")
                continue
            keys = tuple(record)
            fmap = maps.get(keys)
            if fmap is None:
                if len(maps) > 1000:
                    maps.clear()
                fmap = maps[keys] = FieldMap(list(keys), opts.columns)
            try:
                event = event_from(record, fmap, times, lineno, f"{path.name}:{lineno}")
            except BadRecord as exc:
                opts.problem(name, lineno, str(exc))
                continue
            yield from group.add(event)
    yield from group.finish()
    times.report(name, opts)


def open_text(path: Path, opts: ReadOptions) -> io.TextIOWrapper:
    """A streamed text file: the given encoding, else UTF-8 (BOM allowed), else cp1251."""
    encoding = opts.encoding or sniff_encoding(path)
    return open(path, encoding=encoding, errors="strict", newline="")


def sniff_encoding(path: Path) -> str:
    """UTF-8 when the first 256 KB decode as UTF-8, else Windows-1251 (Russian Excel)."""
    with open(path, "rb") as handle:
        head = handle.read(256 * 1024)
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "cp1251"
    return "utf-8-sig"


def read_csv(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """One row per message; delimiter ``,``, ``;`` or tab sniffed from the header line."""
    name = str(path)
    times = TimeParser(opts)
    group = Grouper(name, "csv", opts)
    with open_text(path, opts) as handle:
        header_line = handle.readline()
        delimiter = max(",;\t", key=header_line.count)
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        fmap = FieldMap(header, opts.columns)
        if fmap.missing():
            opts.problem(
                name, 1, f"no column for {', '.join(fmap.missing())} (header: {header}); map it with --map FIELD=COLUMN"
            )
            return
        reader = csv.DictReader(handle, fieldnames=header, delimiter=delimiter)
        start = 2
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                opts.problem(name, start, f"bad CSV: {exc}")
                break
            line, start = start, reader.line_num + 2
            if None in row:
                opts.problem(name, line, f"{len(header) + len(row[None])} fields, the header has {len(header)}")
                continue
            try:
                event = event_from(row, fmap, times, line, f"{path.name}:{line}")
            except BadRecord as exc:
                opts.problem(name, line, str(exc))
                continue
            yield from group.add(event)
    yield from group.finish()
    times.report(name, opts)


def read_json(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """A list of conversations ``{conversation_id, messages: [...]}`` (or one, or ``{conversations: [...]}``)."""
    from chatlint.transcripts.base import load_json

    name = str(path)
    loaded = load_json(path, opts)
    if loaded is None:
        return
    data, raw = loaded
    finder = LineFinder(raw)
    if isinstance(data, dict):
        data = data.get("conversations", [data])
    if not isinstance(data, list):
        opts.problem(name, 1, "expected a list of conversations")
        return
    times = TimeParser(opts)
    for n, item in enumerate(data, 1):
        messages = item.get("messages") if isinstance(item, dict) else None
        if not isinstance(messages, list):
            opts.problem(name, 0, f"conversation #{n} has no 'messages' list")
            continue
        cid = str(item.get("conversation_id", item.get("id", n)))
        meta = {k: item[k] for k in ("tags", "topic") if k in item}
        conv = Conversation(cid, path=name, source_format="json", meta=meta)
        for i, record in enumerate(messages):
            if not isinstance(record, dict):
                opts.problem(name, 0, f"conversation {cid}: message #{i + 1} is not an object")
                continue
            record = {"conversation_id": cid, **record}
            line = finder.line_of(str(record.get("text", "")))
            try:
                event = event_from(record, FieldMap(list(record), opts.columns), times, line, f"{cid}:{i + 1}")
            except BadRecord as exc:
                opts.problem(name, line, f"conversation {cid}, message #{i + 1}: {exc}")
                continue
            event.seq = i
            conv.events.append(event)
        yield conv.sort()
    times.report(name, opts)
