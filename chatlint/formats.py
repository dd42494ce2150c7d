"""Every input format chatlint reads, in one table, and the answer for every file: which one it is.

``detect(path, opts)`` names a transcript format (by content), a reply-library format, or gives
None: the file is not recognised, and ``not_recognised(path, opts)`` is the one-line error that
says what it looks like and which ``--input-format`` / ``--map`` to use. ``read(path, fmt, opts)``
yields the conversations of a transcript. The readers are imported when first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TRANSCRIPT, LIBRARY = "transcript", "library"


@dataclass(frozen=True)
class Format:
    """An input format: its name, kind, usual suffixes and reader (``module:function``)."""

    name: str
    kind: str
    suffixes: tuple[str, ...]
    reader: str
    text_reader: str = ""  # libraries: the reader over decoded text (--fix re-checks with it)
    doc: str = ""

    def load(self, text: bool = False):
        """The reader function (a transcript's: ``(path, opts)``; a library's: ``(path, encoding, options)``)."""
        if self.kind == TRANSCRIPT:
            return importlib.import_module("chatlint.transcripts").FORMATS[self.name]
        module, _, function = (self.text_reader if text else self.reader).partition(":")
        return getattr(importlib.import_module(module), function)


def _t(name: str, suffixes: tuple[str, ...], reader: str, doc: str) -> Format:
    return Format(name, TRANSCRIPT, suffixes, reader, doc=doc)


_JSON = (".json", ".jsonl", ".ndjson")
FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        _t("jsonl", (".jsonl", ".ndjson", ".json"), "chatlint.transcripts.generic:read_jsonl", "one message a line"),
        _t("csv", (".csv",), "chatlint.transcripts.generic:read_csv", "one message a row"),
        _t("xlsx", (".xlsx",), "chatlint.transcripts.xlsx:read", "Excel, one message a row"),
        _t("json", (".json",), "chatlint.transcripts.generic:read_json", "[{conversation_id, messages: [...]}]"),
        _t("telegram", (".json",), "chatlint.transcripts.telegram:read", "Telegram Desktop result.json"),
        _t("whatsapp", (".txt",), "chatlint.transcripts.whatsapp:read", "WhatsApp «Экспорт чата»"),
        *(
            _t(name, _JSON, "chatlint.transcripts.docs:read_file", doc)
            for name, doc in [
                ("jivo", "Jivo chat_finished webhooks"),
                ("bitrix24", "Bitrix24 Open Lines imopenlines.session.history.get"),
                ("chatwoot", "Chatwoot conversation messages"),
                ("usedesk", "Usedesk ticket"),
                ("talkme", "Talk-Me dialogs"),
                ("carrotquest", "Carrot quest conversation parts"),
                ("zendesk_chat", "Zendesk Chat chats"),
                ("zendesk_ticket", "Zendesk Support ticket comments"),
                ("intercom", "Intercom conversations"),
                ("freshchat", "Freshchat conversation messages"),
                ("livechat", "LiveChat archives"),
                ("botpress", "Botpress Cloud messages"),
                ("rasa", "Rasa conversation tracker"),
            ]
        ),
        Format(
            "yaml",
            LIBRARY,
            (".yaml", ".yml"),
            "chatlint.templates.yaml_reader:yaml_replies",
            "chatlint.templates.yaml_reader:read_yaml",
            "canned replies",
        ),  # fmt: skip
        Format(
            "json-replies",
            LIBRARY,
            (".json",),
            "chatlint.templates.json_reader:json_replies",
            "chatlint.templates.json_reader:read_json",
            "canned replies",
        ),  # fmt: skip
        Format(
            "csv-replies",
            LIBRARY,
            (".csv",),
            "chatlint.templates.csv_reader:csv_replies",
            "chatlint.templates.csv_reader:read_csv",
            "canned replies, one a row",
        ),  # fmt: skip
        Format(
            "markdown",
            LIBRARY,
            (".md", ".markdown"),
            "chatlint.templates.markdown_reader:markdown_replies",
            "chatlint.templates.markdown_reader:read_markdown",
            "canned replies",
        ),  # fmt: skip
        Format(
            "text",
            LIBRARY,
            (".txt",),
            "chatlint.templates.markdown_reader:text_replies",
            "chatlint.templates.markdown_reader:read_text",
            "one reply",
        ),  # fmt: skip
    ]
}
TRANSCRIPT_FORMATS = tuple(name for name, f in FORMATS.items() if f.kind == TRANSCRIPT)
LIBRARY_FORMATS = tuple(name for name, f in FORMATS.items() if f.kind == LIBRARY)
SUFFIXES = frozenset(s for f in FORMATS.values() for s in f.suffixes)  # what a folder walk picks up
TRANSCRIPT_SUFFIXES = frozenset(s for name in TRANSCRIPT_FORMATS for s in FORMATS[name].suffixes)

# Keys that message records have and canned replies do not: a JSON file with them is never read
# as a reply library unless --input-format replies says so.
MESSAGE_KEYS = frozenset(
    "role sender sender_id sender_type author author_id author_type from from_id timestamp created_at created "
    "created_time createdAt date datetime date_unixtime conversation_id conversationId chat_id messages "
    "conversations events history comments direction whoSend actor_type message_type nick".split()
)


def library_for(path: Path) -> str | None:
    """The reply-library format for a file's suffix (plain text for an unknown suffix)."""
    suffix = path.suffix.lower()
    for name in LIBRARY_FORMATS:
        if suffix in FORMATS[name].suffixes:
            return name
    return None if suffix in SUFFIXES else "text"


def detect(path: Path, opts=None) -> str | None:
    """The format of a file: a transcript's (by content), else a reply library's, else None."""
    from chatlint.transcripts import ReadOptions
    from chatlint.transcripts import detect as transcript

    opts = opts or ReadOptions()
    if path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        return library_for(path)
    fmt = transcript(path, opts)
    if fmt is not None:
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".xlsx"):
        return None
    if suffix == ".json":
        return "json-replies" if not _message_like(path, opts) else None
    if suffix == ".csv":
        return "csv-replies" if _library_csv(path, opts) else None
    return library_for(path)


def _message_like(path: Path, opts) -> bool:
    """The head of a JSON file has objects with message-like keys (or is not JSON at all)."""
    from chatlint.transcripts.jsonstream import sketch

    try:
        data = sketch(path, opts.encoding)
    except (OSError, LookupError, ValueError):
        return False  # the library reader reports the file
    return any(MESSAGE_KEYS & set(obj) for obj in _objects(data, 3))


def _objects(data: object, depth: int) -> Iterator[dict]:
    if depth < 0:
        return
    if isinstance(data, dict):
        yield data
        values = list(data.values())[:50]
    elif isinstance(data, list):
        values = data[:5]
    else:
        return
    for value in values:
        yield from _objects(value, depth - 1)


def _library_csv(path: Path, opts) -> bool:
    """A CSV whose header has no message columns (role, author, time, conversation): a library
    (its reader names the reply column it needs, ``templates.csv-column``)."""
    from chatlint.transcripts.generic import FIELDS

    message_columns = {name for field in _MESSAGE_FIELDS for name in FIELDS[field]} - _LIBRARY_TOO | _MESSAGE_COLUMNS
    header = [h.strip().lower() for h in _csv_header(path, opts)]
    return not any(h in MESSAGE_KEYS or h in message_columns for h in header)


_MESSAGE_FIELDS = ("conversation_id", "timestamp", "role", "author_id")
_LIBRARY_TOO = {"тип", "type", "from", "кто"}  # names a canned-reply table may have too


_MESSAGE_COLUMNS = {"роль", "отправитель", "кто написал", "дата", "время", "дата и время", "автор", "сотрудник",
                    "клиент", "оператор", "номер обращения", "номер диалога", "id диалога"}  # fmt: skip


def _csv_header(path: Path, opts) -> list[str]:
    from chatlint.transcripts import _head
    from chatlint.transcripts.generic import _header

    head = _head(path, opts).lstrip()
    return _header(head.splitlines()[0]) if head else []


def not_recognised(path: Path, opts=None) -> str:
    """The one-line error for a file that is no known format: what it looks like, what to pass."""
    from chatlint.transcripts import ReadOptions

    opts = opts or ReadOptions()
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from chatlint.transcripts import xlsx

        if not xlsx.available():
            return xlsx.MISSING
        return _table_hint(path, opts, "an Excel sheet")
    if suffix == ".csv":
        return _table_hint(path, opts, "a CSV table")
    return _json_hint(path, opts)


def _table_hint(path: Path, opts, what: str) -> str:
    from chatlint.transcripts.generic import FieldMap, unmapped_message

    header = _xlsx_header(path) if path.suffix.lower() == ".xlsx" else _csv_header(path, opts)
    if not header:
        return f"not recognised: {what} without a header row"
    fmap = FieldMap(header, opts.columns)
    rows = _csv_sample(path, opts, header) if path.suffix.lower() == ".csv" else []
    return f"not recognised as a transcript: {what}; {unmapped_message(header, fmap, rows)}"


def _csv_sample(path: Path, opts, header: list[str]) -> list[dict]:
    """The first rows of a CSV file (from its head), for guessing which column holds what."""
    import csv

    from chatlint.transcripts import _head

    lines = _head(path, opts).lstrip().splitlines()
    delimiter = max(",;\t", key=lines[0].count) if lines else ","
    rows = list(csv.reader(lines[1:51], delimiter=delimiter))
    return [dict(zip(header, row)) for row in rows]


def _xlsx_header(path: Path) -> list[str]:
    from chatlint.transcripts.xlsx import header_of

    try:
        found = header_of(path)
    except Exception:
        return []
    return found[1] if found else []


def _json_hint(path: Path, opts) -> str:
    from chatlint.transcripts.jsonstream import sketch

    try:
        data = sketch(path, opts.encoding)
    except (OSError, LookupError, ValueError):
        data = None
    if data is None:
        return "not recognised: not JSON, and no known transcript format (see docs/transcripts.md)"
    objects = list(_objects(data, 3))
    keys = sorted({k for obj in objects[:20] for k in obj})[:12]
    shape = "a JSON list" if isinstance(data, list) else "a JSON object"
    return (
        f"not recognised: {shape} of objects with keys {', '.join(keys)}, no known export format; "
        "for one message an object give --input-format jsonl (or json for [{conversation_id, messages}]) "
        "with --map text=KEY --map role=KEY --map conversation_id=KEY, or --input-format replies "
        "to read it as canned replies"
    )


def read(path: Path, fmt: str, opts) -> Iterator:
    """The conversations of a transcript file in format ``fmt``."""
    from chatlint.transcripts import read as read_transcript

    return read_transcript(path, fmt, opts)


def no_files(paths) -> str:
    """The error for a selection of paths in which no file to check was found."""
    return f"no files to check in {', '.join(str(p) for p in paths)} (known suffixes: {', '.join(sorted(SUFFIXES))})"
