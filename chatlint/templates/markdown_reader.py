"""Markdown and plain-text template libraries.

Markdown: each paragraph or list item is a reply; fenced and indented code blocks,
headings, front matter, HTML comments, tables and rules are skipped. A ``.txt`` file is one
reply, or one reply per paragraph with ``templates.txt-paragraphs = true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import regex

from chatlint.reply import Reply
from chatlint.sources import check_length
from chatlint.templates.common import file_suppressions, read_file, replies_of
from chatlint.templates.mapping import RAW, FileText, MapBuilder
from chatlint.templates.tree import Found, Str, TemplateOptions

_FENCE_RE = regex.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM_RE = regex.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(?:\[[ xX]\][ \t]+)?|$)")
_HEADING_RE = regex.compile(r"^ {0,3}#{1,6}([ \t]|$)")
_SETEXT_RE = regex.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE_RE = regex.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_COMMENT_LINE_RE = regex.compile(r"^\s*<!--.*-->\s*$")
_TABLE_RE = regex.compile(r"^\s*\|")


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without the break, end with the break) of every line."""
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body), pos + len(line)))
        pos += len(line)
    return out


def _block(file: FileText, parts: list[tuple[int, int]], first_line: int, last_line: int) -> Found:
    """A reply made of line parts joined by line breaks (the breaks map to the file's)."""
    builder = MapBuilder()
    for k, (a, b) in enumerate(parts):
        if k:
            prev_end = parts[k - 1][1]
            builder.add("\n", prev_end, prev_end + 1, synthetic=True)
        for i in range(a, b):
            builder.add(file.text[i], i, i + 1)
    source = builder.build(file, RAW, anchor=parts[0][0])
    value = builder.value()
    node = Str(value, parts[0][0], parts[-1][1], first_line, last_line, lambda: source)
    return Found(node, "", first_line)


def _after_front_matter(text: str, lines: list[tuple[int, int, int]]) -> int:
    """The index of the first line after a ``---`` front matter block (0 when there is none)."""
    if lines and text[lines[0][0] : lines[0][1]].strip() == "---":
        for j in range(1, len(lines)):
            if text[lines[j][0] : lines[j][1]].strip() in ("---", "..."):
                return j + 1
    return 0


def markdown_blocks(file: FileText) -> Iterator[Found]:
    """Paragraphs and list items of a Markdown file."""
    text = file.text
    lines = _lines(text)
    parts: list[tuple[int, int]] = []
    first = 0
    fence: str | None = None
    in_item = False

    def flush(last: int) -> Iterator[Found]:
        nonlocal parts
        if parts:
            yield _block(file, parts, first, last)
            parts = []

    i = _after_front_matter(text, lines)
    while i < len(lines):
        a, b, _ = lines[i]
        line = text[a:b]
        no = i + 1
        i += 1
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        m = _FENCE_RE.match(line)
        if m:
            yield from flush(no - 1)
            fence = m.group(1)[0] * 3
            in_item = False
            continue
        if not line.strip():
            yield from flush(no - 1)
            continue
        if parts and not in_item and _SETEXT_RE.match(line):
            parts = []  # the paragraph above was a heading
            continue
        if _COMMENT_LINE_RE.match(line) or _RULE_RE.match(line) or _TABLE_RE.match(line) or _HEADING_RE.match(line):
            yield from flush(no - 1)
            continue
        item = _ITEM_RE.match(line)
        if item:
            yield from flush(no - 1)
            parts, first, in_item = [(a + item.end(), b)], no, True
            continue
        if not parts and (line.startswith("    ") or line.startswith("\t")) and not in_item:
            continue  # an indented code block
        if not parts:
            first, in_item = no, False
        lead = len(line) - len(line.lstrip(" \t"))
        parts.append((a + lead, b))
    yield from flush(len(lines))


def markdown_replies(
    path: Path, encoding: str | None = None, options: TemplateOptions | None = None
) -> Iterator[Reply]:
    """The replies of a Markdown library."""
    yield from read_markdown(read_file(path, encoding), options)


def read_markdown(file: FileText, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a decoded Markdown file."""
    blocks = (f for f in markdown_blocks(file) if f.node.value.strip())
    yield from replies_of(file, blocks, file_suppressions(file, "<!--"), "markdown")


def paragraphs(file: FileText) -> Iterator[Found]:
    """Blank-line separated paragraphs of a text file, each the exact slice of the file."""
    lines = _lines(file.text)
    start = None
    for no, (a, b, _) in enumerate(lines + [(len(file.text),) * 3], start=1):
        blank = no > len(lines) or not file.text[a:b].strip()
        if blank and start is not None:
            lo, first = start
            prev = lines[no - 2]
            hi = prev[1]
            source_builder = MapBuilder()
            for k in range(lo, hi):
                source_builder.add(file.text[k], k, k + 1, synthetic=file.text[k] in "\r\n")
            source = source_builder.build(file, RAW, anchor=lo)
            node = Str(file.text[lo:hi], lo, hi, first, no - 1, lambda s=source: s)
            yield Found(node, f"paragraph {first}", first)
            start = None
        elif not blank and start is None:
            start = (a, no)


def text_replies(path: Path, encoding: str | None = None, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """A ``.txt`` file: one reply, or one per paragraph with ``txt_paragraphs``."""
    yield from read_text(read_file(path, encoding), options)


def read_text(file: FileText, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a decoded text file."""
    options = options or TemplateOptions()
    if options.txt_paragraphs:
        yield from replies_of(file, paragraphs(file), None, "text")
        return
    check_length(file.text, file.path, 1)  # before the map of every character is built
    builder = MapBuilder()
    for k, ch in enumerate(file.text):
        builder.add(ch, k, k + 1, synthetic=ch in "\r\n")
    source = builder.build(file, RAW, anchor=0)
    node = Str(file.text, 0, len(file.text), 1, file.index.line_col(len(file.text))[0], lambda: source)
    yield from replies_of(file, iter([Found(node, "", 1)]), None, "text")
