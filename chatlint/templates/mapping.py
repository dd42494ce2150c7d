"""Where each character of a reply comes from in its file, and how to write text back there.

A reply read from a template library is the *decoded* value of a YAML scalar, a JSON
string, a CSV field or a Markdown paragraph. ``SourceMap`` keeps, for every character of
that value, the span of the file text it was decoded from (``\\"`` is two file characters
for one reply character; a folded line break is a file line break for one space), so that
diagnostics point at the exact ``line:col`` and fixes replace exactly the flagged span.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from chatlint.reply import LineIndex, Reply

# Styles of the text a reply was decoded from; each has its own way to encode a replacement.
RAW = "raw"  # the file text itself (Markdown, .txt, YAML block scalars)
PLAIN = "plain"  # YAML plain scalar
SINGLE = "single"  # YAML '…'
DOUBLE = "double"  # YAML "…"
JSON = "json"  # JSON string
CSV_QUOTED = "csv-quoted"
CSV_PLAIN = "csv-plain"

_PLAIN_UNSAFE = (": ", " #", "\n", "\r", "\t")
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@`")  # indicators that cannot start a plain scalar


@dataclass
class FileText:
    """A decoded file: its text, a line index over it, and how to encode it back."""

    path: str
    text: str
    data: bytes = b""  # the bytes read, to notice a file that changed during the run
    encoding: str = "utf-8"
    bom: bool = False
    _index: LineIndex | None = field(default=None, repr=False)

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    def line_col(self, offset: int) -> tuple[int, int]:
        return self.index.line_col(offset)


@dataclass
class SourceMap:
    """Per reply character: ``starts[i]:ends[i]`` is its span in the file; ``synthetic[i]``
    marks characters that do not stand for themselves (folded line breaks, joins)."""

    file: FileText
    starts: list[int]
    ends: list[int]
    synthetic: list[bool]
    style: str = RAW
    exact: bool = True  # False: only the start of the value is known (no fixes)
    delimiter: str = ","
    anchor: int = 0  # file offset of the value's start, for empty values

    def file_offset(self, offset: int) -> int:
        """The file offset of reply character ``offset`` (the end of the value past the last)."""
        if not self.starts:
            return self.anchor
        if offset < len(self.starts):
            return self.starts[max(offset, 0)]
        return self.ends[-1]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the file of reply character ``offset``."""
        return self.file.line_col(self.file_offset(offset))

    def file_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The file span a reply span was decoded from, or None when it cannot be replaced
        in place (it is empty, crosses a folded line break, or the map is approximate)."""
        if not self.exact or start >= end or end > len(self.starts):
            return None
        if any(self.synthetic[start:end]):
            return None
        return self.starts[start], self.ends[end - 1]

    def encode(self, replacement: str, original: str, start: int = -1, end: int = -1) -> str | None:
        """``replacement`` written the way this style needs it; None when it cannot be.

        ``start``/``end`` (reply offsets of the replaced span) tell whether it touches the
        start or end of a plain YAML scalar, where blanks and indicators change the parse.
        """
        if "\n" in replacement or "\r" in replacement:
            return None
        style = self.style
        if style == RAW:
            return replacement
        if style == PLAIN:
            if any(bad in replacement for bad in _PLAIN_UNSAFE) or replacement.endswith(":"):
                return None
            at_start, at_end = start <= 0, end < 0 or end >= len(self.starts)
            if at_start and (replacement[:1] in _PLAIN_FIRST or replacement != replacement.lstrip()):
                return None
            if at_end and replacement != replacement.rstrip():
                return None
            return replacement
        if style == SINGLE:
            return replacement.replace("'", "''")
        if style in (DOUBLE, JSON):
            ascii_only = "\\u" in original  # the file escapes non-ASCII text: keep doing so
            encoded = json.dumps(replacement, ensure_ascii=ascii_only)[1:-1]
            return encoded
        if style == CSV_QUOTED:
            return replacement.replace('"', '""')
        if style == CSV_PLAIN:
            if any(c in replacement for c in (self.delimiter, '"', "\n", "\r")):
                return None
            return replacement
        return None  # pragma: no cover - every style is handled above


def approximate_map(file: FileText, start: int, length: int) -> SourceMap:
    """A map that only knows where the value starts: every character points there."""
    return SourceMap(file, [start] * length, [start] * length, [True] * length, RAW, exact=False, anchor=start)


class MapBuilder:
    """Builds a reply value and its source map character by character."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.synthetic: list[bool] = []

    def add(self, text: str, start: int, end: int, synthetic: bool = False) -> None:
        for ch in text:
            self.chars.append(ch)
            self.starts.append(start)
            self.ends.append(end)
            self.synthetic.append(synthetic)

    def value(self) -> str:
        return "".join(self.chars)

    def build(self, file: FileText, style: str, **kw) -> SourceMap:
        return SourceMap(file, self.starts, self.ends, self.synthetic, style, **kw)


@dataclass
class TemplateReply(Reply):
    """A reply from a template library: knows its source map and its suppressions."""

    source: SourceMap | None = None
    ignores: list = field(default_factory=list)  # Suppression objects that apply to this reply
    file_ignores: list = field(default_factory=list)  # every suppression in the file (shared)

    def __post_init__(self) -> None:
        if self.source is not None and self.position is None:
            self.position = self.source.position
