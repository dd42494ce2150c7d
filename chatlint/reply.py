"""One reply to check and its map back to file positions; a *finding* is a reply with one diagnostic."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from chatlint.diagnostic import Diagnostic


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


Finding = tuple[Reply, Diagnostic]
