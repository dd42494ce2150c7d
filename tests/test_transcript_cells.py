"""One row per conversation with the whole transcript in one cell (helpdesk CSV and Excel reports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.transcripts import detect
from chatlint.transcripts.base import ReadOptions
from chatlint.transcripts.generic import read_csv

FIX = Path(__file__).parent / "fixtures" / "transcripts"


class Log:
    def __init__(self) -> None:
        self.problems: list[tuple] = []
        self.warnings: list[tuple] = []

    def options(self, **kw) -> ReadOptions:
        return ReadOptions(problem=lambda *a: self.problems.append(a), warn=lambda *a: self.warnings.append(a), **kw)


def _read(path: Path, log: Log):
    return {c.conversation_id: c for c in read_csv(path, log.options())}


def test_the_cell_is_split_into_messages_with_roles_and_names() -> None:
    log = Log()
    convs = _read(FIX / "per_row.csv", log)
    first = [(e.role, e.author_name, e.text) for e in convs["501"].events]
    assert first == [
        ("system", None, "Здравствуйте! Я бот магазина."),
        ("client", "Ольга Ким", "Где мой заказ?"),
        ("operator", "Пётр Орлов", "Я не знаю, где он."),
        ("client", "Ольга Ким", "Ольга Ким"),
        ("operator", "Пётр Орлов", "Напишите\nв поддержку банка, там ответят."),
    ]
    second = [(e.role, e.text) for e in convs["502"].events]
    assert second == [
        ("client", "Можно вернуть деньги?"),
        ("operator", "Вы должны сначала оплатить доставку.\nЭто условие договора."),  # a line without a speaker
        ("client", "Понятно"),
        ("operator", "Спасибо за обращение, хорошего дня!"),  # the row's agent by name
    ]
    assert [e.seq for e in convs["502"].events] == [0, 1, 2, 3]


def test_times_come_from_the_clock_prefix_and_the_row_date() -> None:
    log = Log()
    convs = _read(FIX / "per_row.csv", log)
    stamps = [e.timestamp.strftime("%d.%m %H:%M") for e in convs["502"].events]
    assert stamps == ["15.03 10:02", "15.03 10:03", "15.03 10:05", "15.03 10:06"]
    assert all(e.timestamp is None for e in convs["501"].events)
    untimed = [m for _, _, m in log.warnings if "in one cell without a time" in m]
    assert untimed == [
        "2 conversations have their messages in one cell without a time for each: they keep their order, "
        "and response times are not measured"
    ]


def test_an_unknown_speaker_is_reported_with_its_line_and_the_rest_is_read() -> None:
    log = Log()
    convs = _read(FIX / "per_row.csv", log)
    assert [(p[1], p[2]) for p in log.problems] == [
        (
            9,
            "message 2 of conversation 503: speaker 'Supervisor' is no role (operator, client, bot, system), "
            "nor the row's agent or visitor; not checked",
        )
    ]
    assert [e.text for e in convs["503"].events] == ["Алло?"]


def test_findings_land_on_the_flagged_characters_of_the_file() -> None:
    result = CliRunner().invoke(main, ["check", str(FIX / "per_row.csv"), "--format", "jsonl", "--tz", "UTC"])
    assert result.exit_code == 2, result.output  # the unknown speaker is an input error
    lines = (FIX / "per_row.csv").read_text(encoding="utf-8").splitlines()
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert {f["rule"] for f in found} >= {"taboo/dont-know", "taboo/you-must"}
    for f in found:
        if f["rule"] in ("taboo/dont-know", "taboo/you-must"):
            at = lines[f["line"] - 1][f["column"] - 1 :]
            assert at.startswith(f["text"]), (f, at)
    assert "per_row.csv:9: message 2 of conversation 503" in result.stderr


def test_the_file_is_detected_as_a_transcript() -> None:
    assert detect(FIX / "per_row.csv") == "csv"


def test_a_named_column_is_taken_with_map(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text('ticket,Chat\n7,"Клиент: Привет || Оператор: Ок"\n', encoding="utf-8")
    assert detect(path) is None
    log = Log()
    convs = {c.conversation_id: c for c in read_csv(path, log.options(columns={"transcript": "Chat"}))}
    assert [(e.role, e.text) for e in convs["7"].events] == [("client", "Привет"), ("operator", "Ок")]


def test_an_excel_report_with_a_transcript_column(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from chatlint.transcripts import xlsx

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер обращения", "Оператор", "Переписка"])
    sheet.append(["88", "Мария", "Клиент: Где заказ?\nОператор: Я не знаю."])
    path = tmp_path / "report.xlsx"
    book.save(path)
    log = Log()
    convs = list(xlsx.read(path, log.options()))
    assert [(e.role, e.author_name, e.text) for e in convs[0].events] == [
        ("client", None, "Где заказ?"),
        ("operator", "Мария", "Я не знаю."),
    ]
    assert log.problems == []
