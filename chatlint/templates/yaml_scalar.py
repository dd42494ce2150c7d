"""Decode one YAML scalar from its source text, keeping the file span of every character.

PyYAML gives the value and where the scalar starts and ends, not where each character
came from. These functions re-read the scalar's source (plain, '…', "…" with escapes,
literal ``|`` and folded ``>`` block scalars with indentation and chomping) and build a
``SourceMap``. The result is checked against PyYAML's value; on any disagreement the
caller falls back to an approximate map (positions at the scalar's start, no fixes).
"""

from __future__ import annotations

import regex

from chatlint.templates.mapping import DOUBLE, PLAIN, RAW, SINGLE, FileText, MapBuilder, SourceMap

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}
_BREAK_RE = regex.compile(r"\r\n|\r|\n")

# A unit of a flow scalar: (value, start, end, kind); kind: "c" char, "w" blank, "b" break, "e" escaped break.
Unit = tuple[str, int, int, str]


def decode_scalar(file: FileText, start: int, end: int, style: str | None, value: str) -> SourceMap | None:
    """The source map of the scalar ``file.text[start:end]`` whose value PyYAML read as ``value``."""
    try:
        if style in ("|", ">"):
            built = _block(file, start, end, style, value)
        else:
            built = _flow(file, start, end, style)
    except (IndexError, ValueError):
        return None
    if built is None or built[0] != value:
        return None
    return built[1]


def _flow(file: FileText, start: int, end: int, style: str | None) -> tuple[str, SourceMap]:
    text = file.text
    if style in ("'", '"'):
        lo, hi = start + 1, end - 1
        if text[start] != style or text[hi] != style:
            raise ValueError("quote not where expected")
    else:
        lo, hi = start, end
    units = _double_units(text, lo, hi) if style == '"' else _plain_units(text, lo, hi, style == "'")
    builder = _fold(units, quoted=style in ("'", '"'))
    kind = {"'": SINGLE, '"': DOUBLE}.get(style or "", PLAIN)
    return builder.value(), builder.build(file, kind, anchor=start)


def _layout_unit(text: str, i: int, hi: int) -> Unit | None:
    """A line break («\\r\\n», «\\r», «\\n») or a blank at ``i``, as a unit; None for anything else."""
    ch = text[i]
    if ch == "\r" and i + 1 < hi and text[i + 1] == "\n":
        return ("\n", i, i + 2, "b")
    if ch in "\r\n":
        return ("\n", i, i + 1, "b")
    if ch in " \t":
        return (ch, i, i + 1, "w")
    return None


def _plain_units(text: str, lo: int, hi: int, single: bool) -> list[Unit]:
    units: list[Unit] = []
    i = lo
    while i < hi:
        ch = text[i]
        layout = _layout_unit(text, i, hi)
        if layout is not None:
            units.append(layout)
            i = layout[2]
        elif single and ch == "'" and i + 1 < hi and text[i + 1] == "'":
            units.append(("'", i, i + 2, "c"))
            i += 2
        else:
            units.append((ch, i, i + 1, "c"))
            i += 1
    return units


def _double_units(text: str, lo: int, hi: int) -> list[Unit]:
    units: list[Unit] = []
    i = lo
    while i < hi:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1]
            if nxt in "\r\n":
                j = i + 1 + (2 if text[i + 1 : i + 3] == "\r\n" else 1)
                units.append(("", i, j, "e"))
                i = j
            elif nxt in _HEX:
                width = _HEX[nxt]
                code = int(text[i + 2 : i + 2 + width], 16)
                units.append((chr(code), i, i + 2 + width, "c"))
                i += 2 + width
            elif nxt in _ESCAPES:
                units.append((_ESCAPES[nxt], i, i + 2, "c"))
                i += 2
            else:
                raise ValueError(f"unknown escape \\{nxt}")
        elif (layout := _layout_unit(text, i, hi)) is not None:
            units.append(layout)
            i = layout[2]
        else:
            units.append((ch, i, i + 1, "c"))
            i += 1
    return units


def _fold(units: list[Unit], quoted: bool) -> MapBuilder:
    """Line folding of flow scalars: a break becomes a space, n empty lines become n breaks;
    blanks around breaks are dropped; an escaped break joins the lines."""
    lines: list[list[Unit]] = [[]]
    breaks: list[Unit] = []
    for unit in units:
        if unit[3] in "be":
            breaks.append(unit)
            lines.append([])
        else:
            lines[-1].append(unit)
    out = MapBuilder()
    last = len(lines) - 1
    i = 0
    while i <= last:
        line = lines[i]
        lo, hi = 0, len(line)
        if i > 0:
            while lo < hi and line[lo][3] == "w":
                lo += 1
        escaped_after = i < last and breaks[i][3] == "e"
        if i < last and not escaped_after:
            while hi > lo and line[hi - 1][3] == "w":
                hi -= 1
        for value, start, end, _ in line[lo:hi]:
            out.add(value, start, end)
        if i == last:
            break
        if escaped_after:
            i += 1
            continue
        # count the empty lines that follow this break
        j = i + 1
        empties: list[Unit] = []
        while j < last and all(u[3] == "w" for u in lines[j]) and breaks[j][3] == "b":
            empties.append(breaks[j])
            j += 1
        if empties:
            for brk in empties:
                out.add("\n", brk[1], brk[2], synthetic=True)
        else:
            out.add(" ", breaks[i][1], breaks[i][2], synthetic=True)
        i = j
    return out


def _block(file: FileText, start: int, end: int, style: str, value: str) -> tuple[str, SourceMap] | None:
    text = file.text
    header_end = _BREAK_RE.search(text, start)
    if header_end is None:
        return "", SourceMap(file, [], [], [], RAW, anchor=start)
    header = text[start + 1 : header_end.start()].split("#", 1)[0].strip()
    chomp = "+" if "+" in header else "-" if "-" in header else ""
    # Lines of the body: (content start, content end, break start, break end).
    lines: list[tuple[int, int, int, int]] = []
    pos = header_end.end()
    while pos < end:
        m = _BREAK_RE.search(text, pos, end)
        if m is None:
            lines.append((pos, end, end, end))
            break
        lines.append((pos, m.start(), m.start(), m.end()))
        pos = m.end()
    indents = sorted({_indent(text, a, b) for a, b, _, _ in lines if text[a:b].strip()})
    for indent in indents[:1] + list(range(1, (indents[0] if indents else 0) + 1)) or [0]:
        built = _block_with(file, lines, indent, style, chomp, start)
        if built[0] == value:
            return built
    return None


def _indent(text: str, a: int, b: int) -> int:
    n = 0
    while a + n < b and text[a + n] == " ":
        n += 1
    return n


def _block_with(
    file: FileText, lines: list[tuple[int, int, int, int]], indent: int, style: str, chomp: str, anchor: int
) -> tuple[str, SourceMap]:
    text = file.text
    # Each body line: its content span after the indentation ("" for an empty line).
    body: list[tuple[int, int, tuple[int, int]]] = []
    for a, b, bs, be in lines:
        segment = text[a:b]
        if not segment.strip(" ") and len(segment) <= indent:
            body.append((b, b, (bs, be)))  # an empty line
        else:
            body.append((a + indent, b, (bs, be)))
    content = [i for i, (a, b, _) in enumerate(body) if b > a]
    out = MapBuilder()
    if not content:
        if chomp == "+":
            for _, _, (bs, be) in body:
                if be > bs:
                    out.add("\n", bs, be, synthetic=True)
        return out.value(), out.build(file, RAW, anchor=anchor)
    last = content[-1]
    i = content[0]
    for _, _, (bs, be) in body[:i]:  # leading empty lines are kept as line breaks
        out.add("\n", bs, be, synthetic=True)
    while i <= last:
        a, b, brk = body[i]
        more = b > a and text[a] in " \t"
        for k in range(a, b):
            out.add(text[k], k, k + 1)
        if i == last:
            break
        # breaks up to the next content line
        j = i + 1
        empties = []
        while j < last and body[j][1] <= body[j][0]:
            empties.append(body[j][2])
            j += 1
        nxt_a, nxt_b, _ = body[j]
        nxt_more = nxt_b > nxt_a and text[nxt_a] in " \t"
        if style == ">" and not more and not nxt_more:
            if empties:
                for bs, be in empties:
                    out.add("\n", bs, be, synthetic=True)
            else:
                out.add(" ", brk[0], brk[1], synthetic=True)
        else:
            out.add("\n", brk[0], brk[1], synthetic=True)
            for bs, be in empties:
                out.add("\n", bs, be, synthetic=True)
        i = j
    # chomping of the final break and trailing empty lines
    a, b, brk = body[last]
    if chomp != "-" and brk[1] > brk[0]:
        out.add("\n", brk[0], brk[1], synthetic=True)
        if chomp == "+":
            for _, _, brk2 in body[last + 1 :]:
                if brk2[1] > brk2[0]:
                    out.add("\n", brk2[0], brk2[1], synthetic=True)
    return out.value(), out.build(file, RAW, anchor=anchor)
