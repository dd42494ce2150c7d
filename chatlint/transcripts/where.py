"""Where each character of a message is in its file: traced text, JSON literals, a forward locator.

A message's text is rarely a slice of its file: a JSON string has escapes (``\\n``, ``\\u0430``),
HTML bodies lose their tags, a WhatsApp message spans lines after a date prefix. ``Traced`` keeps,
for runs of characters, the (line, column) of their first character in the file; an ``Event``
carries the compressed runs as ``where`` so that findings land on the flagged characters.

``Locator`` finds the JSON string literals of messages in the bytes a streaming JSON parser has
read, always moving forward, so a whole file costs one pass (not a count from the start for each
message).
"""

from __future__ import annotations

import bisect
import html
import json
import re

from chatlint.conversation import Where, position  # noqa: E402 - the model owns the position map


class Traced:
    """A text and, for each run of its characters, the file position of the run's first character."""

    __slots__ = ("parts", "runs", "length")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.runs: list[tuple[int, int, int]] = []  # (offset in text, line, column)
        self.length = 0

    def add(self, text: str, line: int, column: int) -> Traced:
        """Append ``text`` whose characters stand at ``column``, ``column + 1`` … of ``line``."""
        if not text:
            return self
        if self.runs:
            offset, run_line, run_column = self.runs[-1]
            if run_line != line or run_column + self.length - offset != column:
                self.runs.append((self.length, line, column))
        else:
            self.runs.append((self.length, line, column))
        self.parts.append(text)
        self.length += len(text)
        return self

    def extend(self, other: Traced, start: int = 0, end: int | None = None) -> Traced:
        """Append ``other.text[start:end]`` with its positions."""
        text = other.text
        end = len(text) if end is None else end
        if start >= end:
            return self
        offsets = [r[0] for r in other.runs]
        i = bisect.bisect_right(offsets, start) - 1
        pos = start
        while pos < end:
            run_start, line, column = other.runs[i]
            run_end = other.runs[i + 1][0] if i + 1 < len(other.runs) else len(text)
            stop = min(run_end, end)
            self.add(text[pos:stop], line, column + pos - run_start)
            pos, i = stop, i + 1
        return self

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def where(self) -> Where:
        return tuple(n for run in self.runs for n in run)

    def position(self, offset: int) -> tuple[int, int]:
        return position(self.where(), offset)


def plain(text: str, line: int, column: int) -> Traced:
    """A text that stands in the file as it is, from (line, column) on; line breaks start new lines."""
    traced = Traced()
    pieces = text.split("\n")
    for i, piece in enumerate(pieces):
        start = column if i == 0 else 1
        traced.add(piece, line + i, start)
        if i + 1 < len(pieces):
            traced.add("\n", line + i, start + len(piece))
    return traced


# --- transformations that keep positions --------------------------------------------------------
_DROP = re.compile("[\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\r]")
_SPACES = str.maketrans({0x00A0: " ", 0x202F: " ", 0x2007: " "})
_ANY_SPACE = re.compile("[\u00a0\u202f\u2007]")


def clean(traced: Traced) -> Traced:
    """Direction marks, BOMs and carriage returns removed, no-break spaces made plain (as clean_text)."""
    text = traced.text
    if not _DROP.search(text):
        if _ANY_SPACE.search(text):
            traced.parts = [text.translate(_SPACES)]
        return traced
    out, pos = Traced(), 0
    for m in _DROP.finditer(text):
        out.extend(traced, pos, m.start())
        pos = m.end()
    out.extend(traced, pos)
    if _ANY_SPACE.search(out.text):
        out.parts = [out.text.translate(_SPACES)]
    return out


_MARKUP = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>|<[^>]{1,400}>|&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|\w{1,32});", re.I)


def unhtml(traced: Traced) -> Traced:
    """HTML to plain text keeping positions: tags dropped, <br> and ends of paragraphs become line
    breaks (placed at the tag), entities become their character (placed at the ``&``)."""
    text = traced.text
    if "<" not in text and "&" not in text:
        return strip(clean(traced))
    out, pos = Traced(), 0
    for m in _MARKUP.finditer(text):
        out.extend(traced, pos, m.start())
        line, column = traced.position(m.start())
        if m.group(1):
            out.add("\n", line, column)
        elif m.group(2):
            char = html.unescape(m.group(0))
            out.add(char if char != m.group(0) else m.group(0), line, column)
        pos = m.end()
    out.extend(traced, pos)
    return strip(clean(out))


def rewrite(traced: Traced, pattern: re.Pattern, replace) -> Traced:
    """Each match of ``pattern`` replaced: ``replace(match)`` gives a group number (that group's
    characters are kept, with their positions) or a string (placed where the match starts)."""
    text = traced.text
    out, pos = Traced(), 0
    for m in pattern.finditer(text):
        out.extend(traced, pos, m.start())
        new = replace(m)
        if isinstance(new, int):
            out.extend(traced, m.start(new), m.end(new))
        elif new:
            out.add(new, *traced.position(m.start()))
        pos = m.end()
    return out.extend(traced, pos)


def strip(traced: Traced) -> Traced:
    """Leading and trailing white space removed."""
    text = traced.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if start == 0 and end == len(text):
        return traced
    return Traced().extend(traced, start, max(end, start))


# --- JSON string literals --------------------------------------------------------------------------
_ESCAPE = re.compile(r"\\(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def literal(inner: str, line: int, column: int) -> Traced:
    """The decoded value of a JSON string literal whose first inner character is at (line, column)."""
    traced = Traced()
    if "\\" not in inner:
        return traced.add(inner, line, column)
    pos = 0
    for m in _ESCAPE.finditer(inner):
        traced.add(inner[pos : m.start()], line, column + pos)
        code = m.group(1)
        char = json.loads(f'"\\{code}"') if code[0] == "u" else _SIMPLE.get(code, code)
        traced.add(char, line, column + m.start())
        pos = m.end()
    traced.add(inner[pos:], line, column + pos)
    return traced


_LITERAL = re.compile(rb'"((?:[^"\\]|\\.)*)"', re.S)
_KEY_BEFORE = re.compile(rb'"([^"\\]{1,64})"\s*:\s*$')


class Locator:
    """Finds message strings in the bytes a JSON parser has read so far, moving forward only.

    ``feed`` receives every chunk the parser reads (``Tee`` does it); ``find`` looks for the
    literal of a value from the current position on, and moves there. Memory: the bytes between
    the current position and what the parser has read (at most a few MB: see ``feed``).
    """

    KEEP = 4 << 20  # the bytes kept before giving up on finding a value in them

    def __init__(self, line: int = 1, data: bytes = b"") -> None:
        self.buf = bytearray(data)
        self.base = 0  # the file offset of buf[0]
        self.cur = 0
        self.line, self.column = line, 1

    def state(self) -> tuple[int, int, int]:
        """Where the locator is: (file offset, line, column), for ``restore``."""
        return self.base + self.cur, self.line, self.column

    def restore(self, state: tuple[int, int, int]) -> bool:
        """Go back to an earlier ``state`` (False when its bytes are no longer kept)."""
        offset, line, column = state
        if offset < self.base:
            return False
        self.cur, self.line, self.column = offset - self.base, line, column
        return True

    def feed(self, data: bytes) -> None:
        if self.cur > (1 << 20):
            del self.buf[: self.cur]
            self.base += self.cur
            self.cur = 0
        self.buf += data
        if len(self.buf) - self.cur > 4 * self.KEEP:  # values not found for long: stop keeping them
            self._advance(len(self.buf) - self.KEEP)

    def _advance(self, to: int) -> None:
        segment = bytes(self.buf[self.cur : to])
        breaks = segment.count(b"\n")
        if breaks:
            self.line += breaks
            self.column = 1 + len(segment[segment.rfind(b"\n") + 1 :].decode("utf-8", "replace"))
        else:
            self.column += len(segment.decode("utf-8", "replace"))
        self.cur = to

    def find(self, value: str, key: str | None = None) -> Traced | None:
        """The traced value of the next literal decoding to ``value`` (after ``"key":`` when given)."""
        if not value:
            return None
        head = value[:48]
        before = self.state()
        tried = set()
        for ascii_only in (False, True):
            needle = json.dumps(head, ensure_ascii=ascii_only)[:-1]
            for form in (needle, needle.replace("/", "\\/")):
                if form in tried:
                    continue
                tried.add(form)
                found = self._search(form.encode("utf-8"), value, key)
                if found is not None:
                    return found
                self.restore(before)
        return self._by_key(value, key) if key else None

    def _by_key(self, value: str, key: str) -> Traced | None:
        """The next ``"key": "…"`` literal that decodes to ``value`` (escaped in some other way)."""
        pattern = re.compile(b'"' + re.escape(key.encode("utf-8")) + rb'"\s*:\s*"')
        for n, m in enumerate(pattern.finditer(self.buf, self.cur)):
            if n > 50:
                break
            quote = m.end() - 1
            lit = _LITERAL.match(self.buf, quote)
            if lit is None:
                continue
            try:
                decoded = json.loads(lit.group(0).decode("utf-8", "replace"))
            except ValueError:
                continue
            if decoded == value:
                self._advance(quote + 1)
                traced = literal(lit.group(1).decode("utf-8", "replace"), self.line, self.column)
                self._advance(lit.end())
                return traced
        return None

    def _search(self, needle: bytes, value: str, key: str | None) -> Traced | None:
        buf = self.buf
        i = buf.find(needle, self.cur)
        while i >= 0:
            m = _LITERAL.match(buf, i)
            if m is not None and (key is None or self._key_is(i, key)):
                inner = m.group(1).decode("utf-8", "replace")
                self._advance(i + 1)
                traced = literal(inner, self.line, self.column)
                if traced.text == value:
                    self._advance(m.end())
                    return traced
            i = buf.find(needle, i + 1)
        return None

    def _key_is(self, i: int, key: str) -> bool:
        m = _KEY_BEFORE.search(bytes(self.buf[max(self.cur, i - 80) : i]))
        return m is not None and m.group(1).decode("utf-8", "replace") == key


class Tee:
    """A binary file for the JSON parser that hands each chunk it reads to a Locator."""

    def __init__(self, handle, locator: Locator) -> None:
        self.handle, self.locator = handle, locator

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if data:
            self.locator.feed(data)
        return data
