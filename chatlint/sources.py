"""Where replies come from: bytes decoded to text, the plain-text reader and the reader registry.

``Reply`` and ``LineIndex`` live in ``chatlint/reply.py``; they are named here for older imports.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from chatlint.reply import LineIndex, Reply

__all__ = ["BinaryInput", "InputError", "LineIndex", "LineWriter", "Reply", "decode", "one_line", "replies_from"]

# C0 and C1 control characters (but the tab), DEL and the Unicode line and paragraph
# separators: each would break or garble a one-line message (str.splitlines breaks at \x0b too)
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)]}
_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def one_line(message: str) -> str:
    """``message`` with the characters that would break its line escaped (``\\x0b``, ``\\u2028`` …)."""
    return message.translate(_ESCAPES)


class LineWriter:
    """Writes whole message lines to ``stream``, each kept on one line (see ``one_line``)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        ends = text.endswith("\n")
        self.stream.write(one_line(text[:-1] if ends else text) + ("\n" if ends else ""))

    def flush(self) -> None:
        self.stream.flush()


class InputError(Exception):
    """An input that could not be read; ``path`` and ``line`` say where."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class BinaryInput(InputError):
    """A file that is not text: skipped with a notice, not an error."""


MiB = 1024 * 1024
MAX_REPLY_BYTES = 2 * MiB  # a file that is one reply (stdin); a chat reply is a few KB
MAX_REPLY_CHARS = 500_000  # one reply: checking it takes about 0.25 KB of memory a character


def check_length(text: str, path: str, line: int) -> None:
    """An ``InputError`` for a reply too long to check within bounded memory."""
    if len(text) > MAX_REPLY_CHARS:
        raise InputError(
            path, line, f"a reply of {len(text):,} characters: longer than {MAX_REPLY_CHARS:,}, not checked"
        )


MAX_LIBRARY_BYTES = 64 * MiB  # a canned-reply library (YAML, JSON, CSV, Markdown)


def check_regular(path: Path | str) -> None:
    """An ``InputError`` unless ``path`` is a regular file: a FIFO would block, a device
    (``/dev/zero``) never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # reading it reports the error
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise InputError(str(path), 0, "not a regular file (a FIFO, device or socket): not read")


def read_bytes(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (else an ``InputError``); never
    blocks on a FIFO or reads a device without end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(str(path), 0, "not a regular file (a FIFO, device or socket): not read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(str(path), 0, f"larger than {limit // MiB} MB: not read")
    return data


def decode(data: bytes, path: str, encoding: str | None = None) -> str:
    """Bytes to text, never dropping a byte silently.

    With ``encoding`` (a UTF-8 BOM is dropped for utf-8), else: a UTF-16 or UTF-8 BOM
    decides; a NUL in the first 8 KB means a binary file (``BinaryInput``); then UTF-8;
    then Windows-1251 when the bytes read as Russian text in it (the usual encoding of
    Russian Excel exports). Undecodable bytes raise InputError with line, column and offset.
    """
    if encoding:
        codec = encoding.lower().replace("_", "-")
        if codec in ("utf-8", "utf8"):
            encoding = "utf-8-sig"
        return _strict(data, path, encoding)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, path, "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, path, "utf-8-sig")
    if b"\x00" in data[:8192]:
        raise BinaryInput(path, 0, "binary file (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _looks_cp1251(data):
            return data.decode("cp1251")
        line, where = _where(data, exc.start)
        raise InputError(path, line, f"not UTF-8: {where}; give --encoding, e.g. cp1251") from None


def _strict(data: bytes, path: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise InputError(path, 0, f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line, where = _where(data, exc.start)
        raise InputError(path, line, f"cannot decode as {encoding}: {where}") from None


def _where(data: bytes, offset: int) -> tuple[int, str]:
    """The 1-based line of a byte offset, and a description of the byte and its position."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    what = f"byte 0x{data[offset]:02x}" if offset < len(data) else "truncated data"
    return line, f"{what} at line {line}, column {offset - line_start + 1} (byte offset {offset})"


# Characters other than ASCII that Russian text in Windows-1251 consists of.
_CP1251_TEXT = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ«»—–…№“”„’‘•·°\xa0€™")


def _looks_cp1251(data: bytes) -> bool:
    """The bytes read as Russian text in Windows-1251 (not KOI8-R, not random binary)."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    high = [c for c in text if ord(c) > 127]
    letters = [c for c in high if c.isalpha()]
    if not high or len(letters) < 0.5 * len(high):
        return False
    if sum(c in _CP1251_TEXT for c in high) < 0.95 * len(high):
        return False
    return sum(c.islower() for c in letters) >= 0.4 * len(letters)  # KOI8-R read as cp1251 is CAPS


def text_replies(path: Path, encoding: str | None = None) -> Iterator[Reply]:
    """A ``.txt`` file (or anything unknown) is one reply."""
    name = str(path)
    text = decode(read_bytes(path, MAX_REPLY_BYTES), name, encoding)
    check_length(text, name, 1)
    index = LineIndex(text)
    yield Reply(text, name, index.line_col)


# Readers by file suffix; other modules add theirs with ``register_reader``.
READERS: dict[str, Callable[..., Iterator[Reply]]] = {".txt": text_replies}


def register_reader(suffix: str, reader: Callable[..., Iterator[Reply]]) -> None:
    """Make ``chatlint check`` read files with this suffix with ``reader(path, encoding)``."""
    READERS[suffix.lower()] = reader


def replies_from(path: Path, encoding: str | None = None) -> Iterator[Reply]:
    """The replies in a file, read by the reader its suffix names (plain text otherwise)."""
    reader = READERS.get(path.suffix.lower(), text_replies)
    yield from reader(path, encoding)
