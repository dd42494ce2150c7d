"""Transcript readers: which format a file is (by content), and its conversations, streamed.

``detect(path)`` looks at the content, not the suffix, so a ``.json`` or ``.csv`` that is not a
transcript (a template library, say) gets ``None`` and goes to the per-suffix reply readers of
``chatlint.sources``. ``read(path, fmt, opts)`` yields Conversation objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from chatlint.conversation import Conversation
from chatlint.sources import InputError
from chatlint.transcripts import generic, telegram, whatsapp
from chatlint.transcripts.base import LineFinder, ReadOptions, TimeParser, iter_jsonl, load_json
from chatlint.transcripts.helpdesks import PLATFORMS, Payload

__all__ = ["FORMATS", "SUFFIXES", "ReadOptions", "detect", "read"]

HEAD_BYTES = 64 * 1024
SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv", ".txt"})  # of files that may be transcripts


def _read_platform(name: str) -> Callable[[Path, ReadOptions], Iterator[Conversation]]:
    detect_doc, convert = PLATFORMS[name]

    def reader(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
        """One JSON document, a JSON list of documents, or JSON Lines of documents."""
        times = TimeParser(opts)
        label = str(path)
        if _first_line_json(path, opts) is not None and _line_count_over(path, 1):
            with generic.open_text(path, opts) as handle:
                for lineno, data in iter_jsonl(handle, lambda line, message: opts.problem(label, line, message)):
                    if not detect_doc(data):
                        opts.problem(label, lineno, f"not a {name} record")
                        continue
                    yield from convert(Payload(data, label, LineFinder(""), times, lineno))
        else:
            loaded = load_json(path, opts)
            if loaded is None:
                return
            data, raw = loaded
            finder = LineFinder(raw)
            for i, item in enumerate(data if isinstance(data, list) else [data]):
                if not detect_doc(item):
                    opts.problem(label, 0, f"item #{i + 1} is not a {name} record")
                    continue
                try:
                    yield from convert(Payload(item, label, finder, times))
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    opts.problem(label, 0, f"item #{i + 1}: cannot read: {exc}")
        times.report(label, opts)

    return reader


FORMATS: dict[str, Callable[[Path, ReadOptions], Iterator[Conversation]]] = {
    "jsonl": generic.read_jsonl,
    "csv": generic.read_csv,
    "json": generic.read_json,
    "telegram": telegram.read,
    "whatsapp": whatsapp.read,
    **{name: _read_platform(name) for name in PLATFORMS},
}


def _head(path: Path, opts: ReadOptions) -> str:
    with open(path, "rb") as handle:
        data = handle.read(HEAD_BYTES)
    encoding = opts.encoding or generic.sniff_encoding(path)
    try:
        return data.decode(encoding, errors="ignore").lstrip("\ufeff")
    except LookupError:
        return ""  # an unknown --encoding: the reader reports it with the file name


def _first_line_json(path: Path, opts: ReadOptions) -> dict | None:
    for line in _head(path, opts).splitlines():
        if line.strip():
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, RecursionError):  # too deep: not a transcript line
                return None
            return value if isinstance(value, dict) else None
    return None


def _line_count_over(path: Path, n: int) -> bool:
    with open(path, "rb") as handle:
        return sum(1 for line, _ in zip(handle, range(n + 2)) if line.strip()) > n


def _platform_of(data: object) -> str | None:
    items = data if isinstance(data, list) else [data]
    for item in items[:1]:
        if telegram.detect(item):
            return "telegram"
        for name, (detect_doc, _) in PLATFORMS.items():
            if detect_doc(item):
                return name
    return None


def detect(path: Path, opts: ReadOptions | None = None) -> str | None:
    """The transcript format of a file, judged by its content; None when it is no transcript."""
    opts = opts or ReadOptions()
    try:
        head = _head(path, opts)
    except OSError:
        return None
    stripped = head.lstrip()
    if not stripped:
        return None
    first_line = stripped.splitlines()[0]
    if whatsapp.ANDROID.match(first_line) or whatsapp.IOS.match(first_line):
        return "whatsapp"
    if stripped[0] in "{[":
        first = _first_line_json(path, opts)
        if first is not None:
            platform = _platform_of(first)
            if platform:
                return platform
            if not generic.FieldMap(list(first), opts.columns).missing():
                return "jsonl"
        if path.stat().st_size > 200 * 1024 * 1024:
            return None
        quiet = ReadOptions(encoding=opts.encoding)
        try:
            loaded = load_json(path, quiet)
        except InputError:
            return None  # undecodable: the reader that gets the file reports where
        if loaded is None:
            return None
        data = loaded[0]
        platform = _platform_of(data)
        if platform:
            return platform
        items = data.get("conversations", [data]) if isinstance(data, dict) else data
        if isinstance(items, list) and items and isinstance(items[0], dict):
            messages = items[0].get("messages")
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                keys = ["conversation_id", *messages[0]]
                if not generic.FieldMap(keys, opts.columns).missing():
                    return "json"
        return None
    delimiter = max(",;\t", key=first_line.count)
    if first_line.count(delimiter):
        import csv

        header = next(csv.reader([first_line], delimiter=delimiter), [])
        if not generic.FieldMap(header, opts.columns).missing():
            return "csv"
    return None


def read(path: Path, fmt: str, opts: ReadOptions) -> Iterator[Conversation]:
    """The conversations of a file in format ``fmt`` (a key of FORMATS)."""
    return FORMATS[fmt](path, opts)
