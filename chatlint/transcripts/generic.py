"""Generic transcripts: JSON Lines (one message a line), CSV (incl. Excel cp1251 with ';'), JSON."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

from chatlint.conversation import EVENT_TYPES, MESSAGE, NOTE, SYSTEM, TRANSFER, Conversation, Event
from chatlint.sources import InputError, LineIndex
from chatlint.transcripts.base import (
    BadRecord,
    Grouper,
    ReadOptions,
    TimeParser,
    clean_text,
    iter_jsonl,
    role_of,
    sniff_encoding,
)
from chatlint.transcripts.cells import TRANSCRIPT_COLUMNS, Columns, events_of_row
from chatlint.transcripts.docs import Doc, decode_line
from chatlint.transcripts.jsonstream import StreamError, items, sketch
from chatlint.transcripts.where import Locator, Traced, clean, plain

# model field -> names tried in the source (first found wins); ``--map field=name`` goes first.
# Russian and English headers of the usual exports (Jivo, Bitrix24, Usedesk, Talk-Me reports, 1C, Excel).
FIELDS: dict[str, tuple[str, ...]] = {
    "conversation_id": ("conversation_id", "conversation", "chat_id", "dialog_id", "ticket_id", "session_id",
                        "conversation id", "chat id", "ticket id", "ticket", "id диалога", "диалог",
                        "номер диалога", "номер обращения", "id обращения", "обращение", "номер чата", "id чата",
                        "чат", "номер тикета", "id тикета", "тикет", "номер заявки", "заявка", "id сессии",
                        "сессия"),
    "message_id": ("message_id", "id", "msg_id", "message id", "id сообщения", "номер сообщения"),
    "timestamp": ("timestamp", "time", "created_at", "date", "datetime", "date time", "sent at", "created",
                  "дата и время", "дата/время", "дата время", "время сообщения", "дата сообщения",
                  "дата отправки", "время отправки", "время", "дата"),
    "role": ("role", "sender_type", "author_type", "sender type", "author type", "from", "отправитель", "роль",
             "кто написал", "кто", "тип автора", "тип отправителя", "автор сообщения", "тип"),
    "author_name": ("author_name", "author", "name", "sender", "operator", "agent", "имя", "автор", "сотрудник",
                    "оператор", "менеджер", "имя автора", "имя отправителя", "фио"),
    "author_id": ("author_id", "sender_id", "user_id", "id автора", "id отправителя"),
    "text": ("text", "message", "body", "content", "message text", "сообщение", "текст", "текст сообщения",
             "содержание", "содержимое", "реплика"),
    "event_type": ("event_type", "type", "event type", "тип события"),
    "transfer_to": ("transfer_to_name", "transfer_to", "transfer_to_id", "передан", "передано"),
    "internal": ("is_internal", "internal", "private", "note", "внутреннее", "заметка", "скрытое"),
    "transcript": TRANSCRIPT_COLUMNS,  # one row per conversation: all its messages in this cell
}  # fmt: skip
DATE_COLUMNS = {"date", "дата", "дата сообщения", "дата отправки"}  # a timestamp column that may hold only the date
TIME_COLUMNS = ("time", "время", "время сообщения", "время отправки")  # its time of day, in a column of its own
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

        # «Дата» and «Время» in two columns: the timestamp is the date column, the time is joined to it
        self.time_key = ""
        stamp = self.key.get("timestamp", "")
        if stamp.strip().lower() in DATE_COLUMNS or stamp.strip().lower() in TIME_COLUMNS:
            date = next((lower[c] for c in DATE_COLUMNS if c in lower), "")
            clock = next((lower[c] for c in TIME_COLUMNS if c in lower), "")
            if date and clock and "timestamp" not in columns:
                self.key["timestamp"], self.time_key = date, clock
        # one row per conversation, its messages in one cell: only the conversation id is needed
        self.transcript = "" if "role" in self.key and "text" in self.key else self.key.get("transcript", "")
        # the source key of each field of _ORDER, "" when the source has none (a found key is never "")
        self.keys = tuple(self.key.get(name, "") for name in _ORDER)
        self.columns = list(keys)

    def missing(self) -> list[str]:
        needed = ("conversation_id",) if self.transcript else ("conversation_id", "role", "text")
        return [f for f in needed if f not in self.key]


_ORDER = ("conversation_id", "role", "text", "event_type", "internal", "author_name", "author_id", "message_id",
          "timestamp", "transfer_to")  # fmt: skip


def event_from(record: Mapping, fmap: FieldMap, times: TimeParser, line: int, fallback_id: str) -> Event:
    """A generic record (dict or CSV row) to an Event; BadRecord when it cannot be one."""
    get = record.get
    cid, role_raw, text, kind, internal_raw, name, author_id, mid, when, transfer_to = (
        get(key) if key else None for key in fmap.keys
    )
    if fmap.time_key and when not in (None, "") and get(fmap.time_key) not in (None, ""):
        when = f"{when} {get(fmap.time_key)}"
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


def _fmap(maps: dict, keys: tuple, columns: Mapping[str, str]) -> FieldMap:
    fmap = maps.get(keys)
    if fmap is None:
        if len(maps) > 1000:
            maps.clear()
        fmap = maps[keys] = FieldMap(list(keys), columns)
    return fmap


def read_jsonl(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """One JSON object per line; lines of a conversation may interleave (see Grouper). Each line
    is decoded on its own (UTF-8, else Windows-1251), so one odd line does not turn the file."""
    name = str(path)
    times = TimeParser(opts)
    group = Grouper(name, "jsonl", opts)
    maps: dict[tuple, FieldMap] = {}
    with open(path, "rb") as handle:
        problem = partial(opts.problem, name)
        for lineno, line, record in iter_jsonl(handle, problem, partial(decode_line, encoding=opts.encoding)):
            if not isinstance(record, dict):
                opts.problem(name, lineno, "a line must hold a JSON object")
                continue
            fmap = _fmap(maps, tuple(record), opts.columns)
            try:
                event = event_from(record, fmap, times, lineno, f"{path.name}:{lineno}")
            except BadRecord as exc:
                opts.problem(name, lineno, str(exc))
                continue
            _place_json(event, record.get(fmap.key.get("text", "")), line, lineno, fmap)
            yield from group.add(event)
    yield from group.finish()
    times.report(name, opts)


def _place_json(event: Event, raw: object, line: str, lineno: int, fmap: FieldMap) -> None:
    """Give a JSON Lines event the file positions of its text (the string ``raw`` of the line)."""
    key = fmap.key.get("text")
    if not event.text or not key or not isinstance(raw, str):
        return
    found = Locator(lineno, line.encode("utf-8")).find(raw, key)
    if found is not None:
        traced = clean(found)
        if traced.text == event.text:
            event.where = traced.where()


def open_text(path: Path, opts: ReadOptions) -> io.TextIOWrapper:
    """A streamed text file: the given encoding, else UTF-8 (BOM allowed), else cp1251."""
    encoding = opts.encoding or sniff_encoding(path)
    return open(path, encoding=encoding, errors="strict", newline="")


def csv_header_maps(first_line: str, columns: Mapping[str, str]) -> bool:
    """Whether a CSV header line has the columns of a transcript."""
    header = _header(first_line)
    return len(header) > 1 and not FieldMap(header, columns).missing()


def _header(first_line: str) -> list[str]:
    delimiter = max(",;\t", key=first_line.count)
    return next(csv.reader([first_line.lstrip("\ufeff")], delimiter=delimiter), [])


def map_hint(header: list[str], missing: list[str], rows: list[Mapping]) -> str:
    """The ``--map`` options to add for the missing fields, each with the column that looks like it."""
    from chatlint.transcripts.base import role_of

    free = [h for h in header if h and h not in FIELDS_USED(header)]
    picks = []
    for field_name in missing:

        def fit(column: str, field_name: str = field_name) -> float:
            values = [str(r.get(column) or "") for r in rows]
            if not values:
                return 0
            if field_name == "role":
                return sum(role_of(v) is not None for v in values) / len(values)
            if field_name == "text":
                return sum(len(v) for v in values) / len(values) / 100
            return 1 - len(set(values)) / len(values)  # conversation ids repeat

        best = max(free, key=fit, default="COLUMN")
        if best in free:
            free.remove(best)
        picks.append(f"--map {field_name}={_quoted(best)}")
    return " ".join(picks)


def FIELDS_USED(header: list[str]) -> set[str]:  # noqa: N802 - a set computed from the header
    fmap = FieldMap(header, {})
    return set(fmap.key.values())


def _quoted(column: str) -> str:
    return f"'{column}'" if re.search(r"[\s'\"$`\\]", column) else column


csv.field_size_limit(max(csv.field_size_limit(), 64 << 20))  # a long message (> 128 KB) is still one field


class _Lines:
    """The physical lines a csv.reader consumes, kept until the record is done (for positions)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.taken.append(line)
        return line


def read_csv(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """One row per message; delimiter ``,``, ``;`` or tab sniffed from the header line."""
    name = str(path)
    times = TimeParser(opts)
    group = Grouper(name, "csv", opts)
    with open_text(path, opts) as handle:
        header_line = handle.readline()
        delimiter = max(",;\t", key=header_line.count)
        header = _header(header_line)
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        fmap = FieldMap(header, opts.columns)
        if fmap.missing():
            rows = [dict(zip(header, row)) for row, _ in zip(reader, range(50))]
            opts.problem(name, 1, unmapped_message(header, fmap, rows))
            return
        rows = _csv_rows(reader, lines, header, name, opts)
        if fmap.transcript:
            yield from _csv_transcripts(rows, fmap, header, delimiter, times, name, opts)
            times.report(name, opts)
            return
        for line, row, raw in rows:
            try:
                event = event_from(row, fmap, times, line, f"{path.name}:{line}")
            except BadRecord as exc:
                opts.problem(name, line, str(exc))
                continue
            column = header.index(fmap.key["text"])
            event.where = csv_where(raw, line, delimiter, column, event.text)
            yield from group.add(event)
    yield from group.finish()
    times.report(name, opts)


def _csv_transcripts(rows, fmap: FieldMap, header: list[str], delimiter: str, times: TimeParser, name: str,
                     opts: ReadOptions) -> Iterator[Conversation]:  # fmt: skip
    """One conversation a row, read from its transcript cell (see chatlint/transcripts/cells.py)."""
    cols, column, untimed = Columns(header, fmap.transcript), header.index(fmap.transcript), 0
    for line, row, raw in rows:
        cell = _cell_traced(raw, line, delimiter, column)
        conv = conversation_of_row(row, fmap, cols, times, line, clean(cell) if cell else None, name, opts)
        if conv is not None:
            untimed += any(e.timestamp is None for e in conv.events)
            yield conv
    warn_untimed(untimed, name, opts)


def conversation_of_row(row: Mapping, fmap: FieldMap, cols: Columns, times: TimeParser, line: int,
                        cell: Traced | None, name: str, opts: ReadOptions) -> Conversation | None:  # fmt: skip
    """The conversation of a row with its transcript in one cell; None (reported) when it has none."""
    cid = str(row.get(fmap.key["conversation_id"]) or "").strip()
    if not cid:
        opts.problem(name, line, "no conversation id")
        return None
    conv = Conversation(cid, path=name, source_format="csv")
    conv.events = list(events_of_row(row, cid, cols, times, line, cell, partial(opts.problem, name)))
    if not conv.events:
        opts.problem(name, line, f"conversation {cid}: no message in column {fmap.transcript!r}")
        return None
    for seq, event in enumerate(conv.events):
        event.seq = seq
    return conv


def warn_untimed(count: int, name: str, opts: ReadOptions) -> None:
    if count:
        noun = "conversation has its" if count == 1 else "conversations have their"
        opts.warn(name, 0, f"{count} {noun} messages in one cell without a time for each: "
                           "they keep their order, and response times are not measured")  # fmt: skip


def unmapped_message(header: list[str], fmap: FieldMap, rows: list[Mapping]) -> str:
    """The one-line message for a header without the needed columns, with the --map to add."""
    shown = ", ".join(header)
    return (
        f"no column for {', '.join(fmap.missing())} (columns: {shown}); "
        f"add {map_hint(header, fmap.missing(), rows)} (see docs/transcripts.md)"
    )


def _csv_rows(reader, lines: _Lines, header: list[str], name: str, opts: ReadOptions):
    """(line, row dict, raw record text) of each record; a bad record is reported and skipped."""
    start = 2
    while True:
        lines.taken = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            opts.problem(name, start, f"bad CSV: {exc}")
            if not lines.taken:
                return  # nothing was consumed: the same error would come again (an undecodable stream)
            start += len(lines.taken)
            continue
        line, start = start, start + len(lines.taken)
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > len(header):
            opts.problem(name, line, f"{len(cells)} fields, the header has {len(header)}")
            continue
        yield line, dict(zip(header, cells)), "".join(lines.taken)


def csv_where(raw: str, line: int, delimiter: str, column: int, text: str) -> tuple[int, ...]:
    """The positions of the text of cell ``column`` in the raw record (quoting, line breaks)."""
    traced = _cell_traced(raw, line, delimiter, column)
    if traced is None:
        return ()
    traced = clean(traced)
    return traced.where() if traced.text == text else ()


def _cell_traced(raw: str, line: int, delimiter: str, column: int) -> Traced | None:
    """The text of cell ``column`` of a raw record with the file position of each character."""
    if '"' not in raw:
        cells = raw.rstrip("\r\n").split(delimiter)
        if column >= len(cells):
            return None
        offset = sum(len(c) + 1 for c in cells[:column])
        return plain(cells[column], line, offset + 1)
    return _quoted_cell(raw, line, delimiter, column)


def _quoted_cell(raw: str, line: int, delimiter: str, column: int) -> Traced | None:
    from chatlint.templates.csv_reader import parse
    from chatlint.templates.mapping import FileText

    file = FileText("<record>", raw)
    try:
        row = next(parse(file))
    except (StopIteration, ValueError, InputError):  # a record the csv module took, the strict parser not
        return None
    if column >= len(row):
        return None
    source = row[column].source()
    index = LineIndex(raw, line)
    traced = Traced()
    for ch, start in zip(row[column].value, source.starts):
        at_line, at_column = index.line_col(start)
        traced.add(ch, at_line, at_column)
    return traced


def looks_like_conversations(data: object, columns: Mapping[str, str]) -> bool:
    """A parsed head that is generic JSON conversations: ``[{conversation_id, messages: [...]}]``."""
    items = data.get("conversations", [data]) if isinstance(data, dict) else data
    if isinstance(items, list) and items and isinstance(items[0], dict):
        messages = items[0].get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            keys = ["conversation_id", *messages[0]]
            return not FieldMap(keys, columns).missing()
    return False


def read_json(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """A list of conversations ``{conversation_id, messages: [...]}`` (or one, or ``{conversations: [...]}``),
    streamed conversation by conversation."""
    name = str(path)
    head = sketch(path, opts.encoding)
    if isinstance(head, list):
        prefix = "item"
    elif isinstance(head, dict) and isinstance(head.get("conversations"), list):
        prefix = "conversations.item"
    else:
        prefix = ""
    times = TimeParser(opts)
    locator = Locator()
    n = 0
    try:
        for item in items(path, opts.encoding, prefix, locator):
            n += 1
            conv = _json_conversation(Doc(item, name, times, opts, locator), n)
            if conv is not None:
                yield conv
    except StreamError as exc:
        opts.problem(name, exc.line, str(exc))
    times.report(name, opts)


def _json_conversation(doc: Doc, n: int) -> Conversation | None:
    item = doc.data
    messages = item.get("messages") if isinstance(item, dict) else None
    if not isinstance(messages, list):
        doc.problem(f"conversation #{n} has no 'messages' list")
        return None
    cid = str(item.get("conversation_id", item.get("id", n)))
    meta = {k: item[k] for k in ("tags", "topic") if k in item}
    conv = Conversation(cid, path=doc.path, source_format="json", meta=meta)
    maps: dict[tuple, FieldMap] = {}
    for i, record in enumerate(messages):
        if not isinstance(record, dict):
            doc.problem(f"conversation {cid}: message #{i + 1} is not an object")
            continue
        record = {"conversation_id": cid, **record}
        fmap = _fmap(maps, tuple(record), doc.opts.columns)
        key = fmap.key.get("text")
        placed = doc.text(record.get(key), key) if key else {"line": doc.line, "where": ()}
        try:
            event = event_from(record, fmap, doc.times, placed["line"], f"{cid}:{i + 1}")
        except BadRecord as exc:
            doc.problem(f"conversation {cid}, message #{i + 1}: {exc}", placed["line"])
            continue
        if placed.get("text") == event.text:
            event.where = placed["where"]
        event.seq = i
        conv.events.append(event)
    return conv.sort()
