"""Excel ``.xlsx`` transcripts: one row per message, read as a stream (openpyxl, read-only mode).

The first sheet is read; its first non-empty row is the header, mapped like a CSV header (Russian
and English names, ``--map``). A finding's line is the sheet row. Needs the ``xlsx`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from chatlint.conversation import Conversation
from chatlint.transcripts.base import BadRecord, Grouper, ReadOptions, TimeParser

MISSING = "reading .xlsx needs openpyxl: pip install 'chatlint[xlsx]'"


def available() -> bool:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


def _cell(value: object) -> object:
    """A cell as the text an export would have: dates as ISO text (a midnight is a date only)."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None or isinstance(value, str) else str(value)


def _rows(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell(v) for v in row]
    finally:
        workbook.close()


def header_of(path: Path) -> tuple[int, list[str]] | None:
    """The row number and names of the header (the first non-empty row)."""
    for number, row in _rows(path):
        if any(v not in (None, "") for v in row):
            return number, [str(v or "").strip() for v in row]
    return None


def detect(path: Path, opts: ReadOptions) -> bool:
    from chatlint.transcripts.generic import FieldMap

    if not available():
        return False
    try:
        found = header_of(path)
    except Exception:  # not a workbook at all: the caller says the file is not recognised
        return False
    return found is not None and not FieldMap(found[1], opts.columns).missing()


def read(path: Path, opts: ReadOptions) -> Iterator[Conversation]:
    """One row per message, as in a CSV export."""
    from chatlint.transcripts.cells import Columns
    from chatlint.transcripts.generic import FieldMap, conversation_of_row, event_from, unmapped_message, warn_untimed

    name = str(path)
    if not available():
        opts.problem(name, 0, MISSING)
        return
    times = TimeParser(opts)
    group = Grouper(name, "xlsx", opts)
    header: list[str] | None = None
    fmap = None
    sample: list[dict] = []
    cols, untimed = None, 0
    for number, row in _rows(path):
        if header is None:
            if any(v not in (None, "") for v in row):
                header = [str(v or "").strip() for v in row]
                fmap = FieldMap(header, opts.columns)
            continue
        record = dict(zip(header, row))
        if fmap.missing():  # type: ignore[union-attr]
            sample.append(record)
            if len(sample) >= 50:
                break
            continue
        if all(v in (None, "") for v in row):
            continue
        if fmap.transcript:  # type: ignore[union-attr]
            cols = cols or Columns(header, fmap.transcript)  # type: ignore[union-attr]
            conv = conversation_of_row(record, fmap, cols, times, number, None, name, opts)  # type: ignore[arg-type]
            if conv is not None:
                conv.source_format = "xlsx"
                untimed += any(e.timestamp is None for e in conv.events)
                yield conv
            continue
        try:
            event = event_from(record, fmap, times, number, f"{path.name}:{number}")  # type: ignore[arg-type]
        except BadRecord as exc:
            opts.problem(name, number, str(exc))
            continue
        yield from group.add(event)
    if header is not None and fmap is not None and fmap.missing():
        opts.problem(name, 1, unmapped_message(header, fmap, sample))
        return
    yield from group.finish()
    warn_untimed(untimed, name, opts)
    times.report(name, opts)
