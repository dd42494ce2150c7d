"""Transcript readers: which format a file is (by content), and its conversations, streamed.

``detect(path)`` looks at the content, not the suffix, and names a transcript format or gives
None (``chatlint.formats.detect`` then decides between a reply library and "not recognised").
``read(path, fmt, opts)`` yields Conversation objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from chatlint.conversation import Conversation
from chatlint.transcripts import bots, generic, helpdesks, intl, telegram, whatsapp, xlsx
from chatlint.transcripts.base import ReadOptions
from chatlint.transcripts.docs import decode_line, find_plan, read_file
from chatlint.transcripts.jsonstream import sketch

__all__ = ["FORMATS", "PLATFORMS", "SUFFIXES", "ReadOptions", "detect", "read"]

HEAD_BYTES = 64 * 1024
SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv", ".txt", ".xlsx"})  # of files that may be transcripts
PLATFORMS = {**helpdesks.PLATFORMS, **intl.PLATFORMS, **bots.PLATFORMS}

FORMATS: dict[str, Callable[[Path, ReadOptions], Iterator[Conversation]]] = {
    "jsonl": generic.read_jsonl,
    "csv": generic.read_csv,
    "xlsx": xlsx.read,
    "json": generic.read_json,
    "telegram": telegram.read,
    "whatsapp": whatsapp.read,
    **{name: partial(read_file, platform=p, platforms=PLATFORMS) for name, p in PLATFORMS.items()},
}


def _head(path: Path, opts: ReadOptions) -> str:
    with open(path, "rb") as handle:
        data = handle.read(HEAD_BYTES)
    encoding = opts.encoding or generic.sniff_encoding(path)
    try:
        return data.decode(encoding, errors="ignore").lstrip("\ufeff")
    except LookupError:
        return ""  # an unknown --encoding: the reader reports it with the file name


def first_json_line(path: Path, opts: ReadOptions) -> dict | None:
    """The first non-empty line as a JSON object (JSON Lines), or None."""
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                text = decode_line(raw[: 1 << 24], opts.encoding)
                try:
                    value = json.loads(text or "")
                except (json.JSONDecodeError, RecursionError):
                    return None
                return value if isinstance(value, dict) else None
    return None


def platform_of(data: object) -> str | None:
    """The platform whose documents ``data`` (a parsed head) holds."""
    if telegram.detect(data):
        return "telegram"
    plan = find_plan(data, PLATFORMS)
    return plan[0] if plan else None


def detect(path: Path, opts: ReadOptions | None = None) -> str | None:
    """The transcript format of a file, judged by its content; None when it is no transcript."""
    opts = opts or ReadOptions()
    try:
        if path.suffix.lower() == ".xlsx":
            return "xlsx" if xlsx.detect(path, opts) else None
        head = _head(path, opts)
    except (OSError, ValueError):
        return None
    stripped = head.lstrip()
    if not stripped:
        return None
    first_line = stripped.splitlines()[0]
    if whatsapp.ANDROID.match(first_line) or whatsapp.IOS.match(first_line):
        return "whatsapp"
    if stripped[0] in "{[":
        return _detect_json(path, opts)
    return "csv" if generic.csv_header_maps(first_line, opts.columns) else None


def _detect_json(path: Path, opts: ReadOptions) -> str | None:
    first = first_json_line(path, opts)
    if first is not None:
        platform = platform_of(first)
        if platform:
            return platform
        if not generic.FieldMap(list(first), opts.columns).missing():
            return "jsonl"
    try:
        data = sketch(path, opts.encoding)
    except (OSError, LookupError, ValueError):
        return None
    platform = platform_of(data)
    if platform:
        return platform
    return "json" if generic.looks_like_conversations(data, opts.columns) else None


def read(path: Path, fmt: str, opts: ReadOptions) -> Iterator[Conversation]:
    """The conversations of a file in format ``fmt`` (a key of FORMATS)."""
    return FORMATS[fmt](path, opts)
