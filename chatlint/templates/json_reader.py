"""JSON template libraries (also Chatwoot canned responses: ``short_code`` / ``content``).

The standard ``json`` module does not say where a string is, so this is a small JSON
parser that records the span of every string and of every character in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chatlint.reply import Reply
from chatlint.sources import InputError
from chatlint.templates.common import read_file, replies_of
from chatlint.templates.mapping import JSON, FileText, MapBuilder, SourceMap
from chatlint.templates.tree import Arr, Obj, Str, TemplateOptions, walk

_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = " \t\r\n"
_NUMBER_CHARS = set("+-0123456789.eE")
MAX_DEPTH = 200


def json_replies(path: Path, encoding: str | None = None, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a JSON library, each mapped to its exact place in the file."""
    yield from read_json(read_file(path, encoding), options)


def read_json(file: FileText, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a decoded JSON library."""
    options = options or TemplateOptions()
    tree = parse(file)
    yield from replies_of(file, walk(tree, options), None, "json")


def looks_like_library(text: str) -> bool:
    """True when the JSON text is a template library rather than a transcript export.

    A library has no conversation structure: no ``messages``/``conversations`` lists and no
    timestamps on its entries. The transcripts reader can call this to decide.
    """
    head = text[:20000]
    return not any(key in head for key in ('"messages"', '"conversations"', '"created_at"', '"timestamp"'))


class _Parser:
    def __init__(self, file: FileText) -> None:
        self.file = file
        self.text = file.text
        self.pos = 0
        self.line_starts = file.index

    def fail(self, message: str) -> InputError:
        line, column = self.file.line_col(min(self.pos, len(self.text)))
        return InputError(self.file.path, line, f"bad JSON at column {column}: {message}")

    def skip_ws(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] in _WS:
            self.pos += 1

    def line(self, offset: int) -> int:
        return self.file.line_col(offset)[0]

    def value(self, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise self.fail("nested too deep")
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of file")
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.arr(depth)
        if ch == '"':
            return self.string()
        for word in ("true", "false", "null"):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return None
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _NUMBER_CHARS:
            self.pos += 1
        if self.pos == start:
            raise self.fail(f"unexpected {ch!r}")
        return None

    def obj(self, depth: int) -> Obj:
        node = Obj([], self.line(self.pos))
        self.pos += 1
        self.skip_ws()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return node
        while True:
            self.skip_ws()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a string key")
            key = self.string()
            self.skip_ws()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':'")
            self.pos += 1
            node.pairs.append((key.value, key.line, self.value(depth + 1)))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return node
            else:
                raise self.fail("expected ',' or '}'")

    def arr(self, depth: int) -> Arr:
        node = Arr([], self.line(self.pos))
        self.pos += 1
        self.skip_ws()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return node
        while True:
            node.items.append(self.value(depth + 1))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return node
            else:
                raise self.fail("expected ',' or ']'")

    def string(self) -> Str:
        text = self.text
        start = self.pos
        i = start + 1
        builder = MapBuilder()
        while True:
            if i >= len(text):
                self.pos = start
                raise self.fail("unterminated string")
            ch = text[i]
            if ch == '"':
                break
            if ch == "\\":
                esc = text[i + 1 : i + 2]
                if esc in _SIMPLE:
                    builder.add(_SIMPLE[esc], i, i + 2)
                    i += 2
                elif esc == "u":
                    code, j = self._hex(i)
                    if 0xD800 <= code < 0xDC00 and text.startswith("\\u", j):
                        low, k = self._hex(j)
                        if 0xDC00 <= low < 0xE000:
                            code, j = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), k
                    builder.add(chr(code), i, j)
                    i = j
                else:
                    self.pos = i
                    raise self.fail(f"bad escape \\{esc}")
            elif ch in "\r\n":
                self.pos = i
                raise self.fail("line break inside a string")
            else:
                builder.add(ch, i, i + 1)
                i += 1
        self.pos = i + 1
        value = builder.value()
        file = self.file
        source = builder.build(file, JSON, anchor=start + 1)
        return Str(value, start, i + 1, self.line(start), self.line(i), lambda: source)

    def _hex(self, i: int) -> tuple[int, int]:
        digits = self.text[i + 2 : i + 6]
        if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            self.pos = i
            raise self.fail("bad \\u escape")
        return int(digits, 16), i + 6


def parse(file: FileText) -> object:
    """The neutral tree of a JSON file (strings with positions); InputError when it is not JSON."""
    parser = _Parser(file)
    tree = parser.value(0)
    parser.skip_ws()
    if parser.pos != len(file.text):
        raise parser.fail("extra data after the JSON value")
    return tree


__all__ = ["json_replies", "looks_like_library", "parse", "SourceMap"]
