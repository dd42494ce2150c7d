"""Where replies come from: a text, stdin, or a file, each mapped back to file positions."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    """An input that could not be read; ``path`` and ``line`` say where."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass
class Reply:
    """One reply to check, with a map from offsets in ``text`` to (line, column) in its file."""

    text: str
    path: str = "<text>"
    position: Callable[[int], tuple[int, int]] | None = None
    meta: dict = field(default_factory=dict)  # conversation_id, message_id, author, …

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``text[offset]`` in the source file."""
        if self.position is not None:
            return self.position(offset)
        return LineIndex(self.text).line_col(offset)


class LineIndex:
    """Offsets to 1-based (line, column) in a text; «\\r\\n», «\\r» and «\\n» end lines."""

    def __init__(self, text: str, line: int = 1, column: int = 1) -> None:
        self.starts = [0]
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
            if ch in "\r\n":
                self.starts.append(i + 1)
            i += 1
        self.first_line, self.first_column = line, column

    def line_col(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        column = offset - self.starts[row] + 1
        if row == 0:
            column += self.first_column - 1
        return self.first_line + row, column


def decode(data: bytes, path: str, encoding: str | None = None) -> str:
    """Bytes to text: the given encoding, else UTF-8 (with or without BOM) or UTF-16 with BOM."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(path, _line_of(data, exc), f"cannot decode as {encoding}: {exc}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise InputError(path, 0, "binary file skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); give --encoding, e.g. cp1251"
        ) from None


def _line_of(data: bytes, exc: Exception) -> int:
    start = getattr(exc, "start", None)
    return data[:start].count(b"\n") + 1 if start is not None else 0


def text_replies(path: Path, encoding: str | None = None) -> Iterator[Reply]:
    """A ``.txt`` file (or anything unknown) is one reply."""
    name = str(path)
    text = decode(path.read_bytes(), name, encoding)
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
