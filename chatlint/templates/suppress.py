"""Inline suppressions: ``chatlint: ignore[rule-id] reason`` and ``chatlint: ignore-file[rule-id]``.

In YAML the marker sits in a ``#`` comment, in Markdown in an ``<!-- … -->`` comment; it
silences the listed rules (ids or categories; no list means every rule) for the reply on
the same line, or for the next reply when the comment has a line of its own. JSON and CSV
rows carry a ``chatlint_ignore`` field instead. A suppression that silenced nothing is
reported as ``chatlint/unused-ignore``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from chatlint.selection import selector_matches
from chatlint.templates.mapping import FileText

UNUSED_IGNORE = "chatlint/unused-ignore"
IGNORE_FIELD = "chatlint_ignore"

_MARKER_RE = regex.compile(r"chatlint:[ \t]*(?P<kind>ignore-file|ignore)(?:\[(?P<rules>[^\]\n]*)\])?(?P<reason>[^\n]*)")
_YAML_COMMENT_RE = regex.compile(r"(?:^|[ \t])#")
_MD_COMMENT_RE = regex.compile(r"<!--(?P<body>.*?)-->")


@dataclass(eq=False)
class Suppression:
    """One ``ignore`` marker: the rules it names, where it is, and which of them it silenced."""

    rules: tuple[str, ...]  # ids or categories; empty = every rule
    reason: str
    offset: int  # file offset of the marker
    length: int
    file_wide: bool = False
    used: set[str] = field(default_factory=set)  # the listed selectors that silenced something

    def covers(self, rule_id: str) -> str | None:
        """The selector of this suppression that matches ``rule_id`` ("*" for a blanket one)."""
        if rule_id == UNUSED_IGNORE:
            return None
        if not self.rules:
            return "*"
        return next((r for r in self.rules if selector_matches(r, rule_id)), None)


def parse_rules(raw: str | None) -> tuple[str, ...]:
    """``"style/caps, taboo"`` → ``("style/caps", "taboo")``."""
    return tuple(r.strip() for r in (raw or "").replace(";", ",").split(",") if r.strip())


class CommentSuppressions:
    """The suppressions written in comments of one file, by line."""

    def __init__(self, file: FileText, style: str) -> None:
        self.file = file
        self.by_line: dict[int, list[Suppression]] = {}
        self.own_line: set[int] = set()  # lines that hold nothing but a comment
        self.file_wide: list[Suppression] = []
        text = file.text
        if "chatlint:" not in text:
            return
        line_no = 0
        pos = 0
        for line in text.splitlines(keepends=True):
            line_no += 1
            if "chatlint:" in line:
                self._scan_line(line, pos, line_no, style)
            pos += len(line)

    def _scan_line(self, line: str, pos: int, line_no: int, style: str) -> None:
        if style == "#":
            m = _YAML_COMMENT_RE.search(line)
            if m is None:
                return
            comments = [(m.end(), len(line.rstrip("\r\n")))]
            own = not line[: m.start()].strip()
        else:
            comments = [(c.start("body"), c.end("body")) for c in _MD_COMMENT_RE.finditer(line)]
            own = bool(comments) and not _MD_COMMENT_RE.sub("", line).strip()
        for lo, hi in comments:
            for marker in _MARKER_RE.finditer(line, lo, hi):
                reason = marker.group("reason").strip().removesuffix("-->").strip()
                supp = Suppression(
                    parse_rules(marker.group("rules")),
                    reason,
                    pos + marker.start(),
                    marker.end() - marker.start(),
                    file_wide=marker.group("kind") == "ignore-file",
                )
                if supp.file_wide:
                    self.file_wide.append(supp)
                else:
                    self.by_line.setdefault(line_no, []).append(supp)
                    if own:
                        self.own_line.add(line_no)

    def drop_inside(self, spans: list[tuple[int, int]]) -> None:
        """Forget markers that are part of a string value (a YAML block scalar), not a comment."""
        import bisect

        spans = sorted(spans)
        starts = [a for a, _ in spans]

        def inside(offset: int) -> bool:
            i = bisect.bisect_right(starts, offset) - 1
            return i >= 0 and spans[i][0] <= offset < spans[i][1]

        self.file_wide = [s for s in self.file_wide if not inside(s.offset)]
        for line in list(self.by_line):
            kept = [s for s in self.by_line[line] if not inside(s.offset)]
            if kept:
                self.by_line[line] = kept
            else:
                del self.by_line[line]
                self.own_line.discard(line)

    def for_lines(self, first: int, last: int) -> list[Suppression]:
        """Suppressions for a reply on lines ``first..last``: on those lines, or on the
        comment-only lines right above ``first``."""
        found: list[Suppression] = []
        line = first - 1
        while line in self.own_line:
            found.extend(self.by_line.get(line, ()))
            line -= 1
        for line in range(first, last + 1):
            found.extend(self.by_line.get(line, ()))
        return found

    def all(self) -> list[Suppression]:
        return self.file_wide + [s for items in self.by_line.values() for s in items]
