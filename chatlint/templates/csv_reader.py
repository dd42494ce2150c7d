"""CSV template libraries: one reply per row, from a column chosen by name.

The ``csv`` module does not say where a field is; this small RFC 4180 reader does
(quoted fields with ``""``, line breaks inside quotes, CRLF). The delimiter is the one of
``,`` ``;`` and tab that the header line uses most.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chatlint.reply import Reply
from chatlint.sources import InputError
from chatlint.templates.common import read_file, replies_of
from chatlint.templates.mapping import CSV_PLAIN, CSV_QUOTED, FileText, MapBuilder
from chatlint.templates.suppress import IGNORE_FIELD
from chatlint.templates.tree import NAME_FIELDS, Found, Str, TemplateOptions


def csv_replies(path: Path, encoding: str | None = None, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a CSV library: the text column of every row after the header."""
    yield from read_csv(read_file(path, encoding), options)


def read_csv(file: FileText, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a decoded CSV library."""
    options = options or TemplateOptions()
    rows = list(parse(file))
    if not rows:
        return
    header = [cell.value.strip().lower() for cell in rows[0]]
    column = _text_column(file, header, options)
    name_column = next((header.index(n) for n in NAME_FIELDS if n in header), None)
    ignore_column = header.index(IGNORE_FIELD) if IGNORE_FIELD in header else None

    def found() -> Iterator[Found]:
        for row in rows[1:]:
            if column >= len(row) or (len(row) == 1 and not row[0].value):
                continue
            name = row[name_column].value if name_column is not None and name_column < len(row) else ""
            ignore = row[ignore_column] if ignore_column is not None and ignore_column < len(row) else None
            if ignore is not None and not ignore.value.strip():
                ignore = None
            yield Found(row[column], name or f"row {row[column].line}", row[0].line, ignore)

    yield from replies_of(file, found(), None, "csv")


def _text_column(file: FileText, header: list[str], options: TemplateOptions) -> int:
    wanted = [options.csv_column.lower()] if options.csv_column else [f.lower() for f in options.fields]
    for name in wanted:
        if name in header:
            return header.index(name)
    raise InputError(
        file.path, 1, f"no column named {' or '.join(wanted)} (columns: {', '.join(header)}); set templates.csv-column"
    )


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def parse(file: FileText) -> Iterator[list[Str]]:
    """Rows of the CSV file; each cell a ``Str`` that knows its span and source map."""
    text = file.text
    n = len(text)
    delimiter = _delimiter(text)
    pos = 0
    line = 1
    while pos < n:
        row: list[Str] = []
        while True:
            start, start_line = pos, line
            builder = MapBuilder()
            if pos < n and text[pos] == '"':
                pos += 1
                while True:
                    if pos >= n:
                        raise InputError(file.path, start_line, "unterminated quoted field")
                    ch = text[pos]
                    if ch == '"':
                        if text.startswith('""', pos):
                            builder.add('"', pos, pos + 2)
                            pos += 2
                            continue
                        pos += 1
                        break
                    if ch == "\n" or (ch == "\r" and not text.startswith("\r\n", pos)):
                        line += 1
                    builder.add(ch, pos, pos + 1)
                    pos += 1
                style = CSV_QUOTED
                end = pos
                while pos < n and text[pos] not in (delimiter, "\r", "\n"):
                    pos += 1  # junk after the closing quote: tolerated, as the csv module does
            else:
                while pos < n and text[pos] not in (delimiter, "\r", "\n"):
                    builder.add(text[pos], pos, pos + 1)
                    pos += 1
                style = CSV_PLAIN
                end = pos
            source = builder.build(file, style, delimiter=delimiter, anchor=start + (style == CSV_QUOTED))
            row.append(Str(builder.value(), start, end, start_line, line, lambda s=source: s))
            if pos < n and text[pos] == delimiter:
                pos += 1
                continue
            break
        if text.startswith("\r\n", pos):
            pos += 2
        elif pos < n:
            pos += 1
        line += 1
        yield row
