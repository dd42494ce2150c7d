"""Code points and UTF-16 code units: chatlint counts the first, JavaScript, Java and LSP the second.

A character outside the Basic Multilingual Plane (most emoji) is one code point and two UTF-16
units, so every offset after it differs by one per such character.
"""

from __future__ import annotations

import bisect

OFFSET_KINDS = ("codepoint", "utf16")


class Utf16Map:
    """Converts offsets in one text between code points and UTF-16 code units."""

    __slots__ = ("astral",)

    def __init__(self, text: str) -> None:
        # code-point offsets of the characters that take two UTF-16 units
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 offset of code-point offset ``offset``."""
        return offset + bisect.bisect_left(self.astral, offset)

    def to_codepoint(self, offset: int) -> int:
        """The code-point offset of UTF-16 offset ``offset`` (inside a surrogate pair: the pair's start)."""
        lo, hi = 0, len(self.astral)
        while lo < hi:  # how many astral characters start before the code point we look for
            mid = (lo + hi) // 2
            if self.astral[mid] + mid < offset:
                lo = mid + 1
            else:
                hi = mid
        return offset - lo


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
