"""Operator scorecards next to the HTML report (``report --scorecard``): a CSV and an ``.xlsx``
with one row per operator (openpyxl, the ``xlsx`` extra, writes the workbook)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from chatlint.report_data import ReportData

HEADER = [
    "Оператор", "Диалогов", "Ответов", "Ответов с замечаниями", "Нарушений", "Оценка, %",
    "QA, среднее", "Первый ответ, медиана, с", "Время ответа, медиана, с", "Частые нарушения",
]  # fmt: skip


def scorecard_rows(data: ReportData) -> list[list]:
    """One row per operator, in the order of ``HEADER``; worst score first."""
    rows = []
    for r in data.operator_rows():
        top = data.rules_by_operator.get(r["name"])
        common = ", ".join(f"{rule} ({n})" for rule, n in top.most_common(3)) if top else ""
        rows.append(
            [r["name"], r["conversations"], r["replies"], r["flagged"], r["findings"], r["score"], r["qa"],
             _round(r["frt"]), _round(r["rt"]), common]
        )  # fmt: skip
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def scorecard_csv(data: ReportData) -> bytes:
    """The scorecard as CSV (UTF-8 with a BOM, so Excel opens it in Cyrillic)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in scorecard_rows(data):
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value):
    """Text cells that a spreadsheet would read as a formula get a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def scorecard_xlsx(data: ReportData) -> bytes:
    """The scorecard as an Excel workbook (ImportError without openpyxl)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Операторы")
    sheet.append(HEADER)
    for row in scorecard_rows(data):
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def scorecard_paths(html: Path) -> tuple[Path, Path]:
    """``x.html`` → ``x.scorecard.csv``, ``x.scorecard.xlsx`` in the same folder."""
    stem = html.with_suffix("")
    return stem.with_name(stem.name + ".scorecard.csv"), stem.with_name(stem.name + ".scorecard.xlsx")
