"""``chatlint report`` without a browser: the page's data, times, medians, QA, scorecards, numerals, errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.dialogue import ConversationChecker, parse_script
from chatlint.linter import Linter
from chatlint.morph import agree_with_number

FIX = Path(__file__).parent / "fixtures" / "transcripts"
T0 = 1710486000  # 2024-03-15 07:00 UTC, a Friday


def _rows(conv: str, op: str, times: list[tuple[int, str, str]], day: int = 0) -> list[dict]:
    return [
        {"conversation_id": conv, "role": role, "author": op if role == "operator" else "Клиент", "text": text,
         "timestamp": T0 + day * 86400 + t, "id": f"{conv}-{k}"}
        for k, (t, role, text) in enumerate(times)
    ]  # fmt: skip


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _report(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    result = CliRunner().invoke(main, ["report", *args])
    html_path = next((Path(a) for a in args if a.endswith(".html")), None)
    data = {}
    if html_path and html_path.exists():
        html = html_path.read_text("utf-8")
        data = json.loads(re.search(r"<script type='application/json' id='data'>(.*?)</script>", html, re.S).group(1))
    return result.exit_code, result.output, data


@pytest.fixture
def chats(tmp_path: Path) -> Path:
    rows = _rows("a", "Анна", [(0, "client", "Где заказ?"), (20, "operator", "Здравствуйте! Я не знаю."),
                               (100, "client", "А кто знает?"), (160, "operator", "Уточню и вернусь.")])  # fmt: skip
    rows += _rows("b", "Анна", [(0, "client", "Карта не работает"), (40, "operator", "Здравствуйте! Проверю.")], day=7)
    rows += _rows("c", "Борис", [(0, "client", "Добрый день"), (10, "operator", "Здравствуйте! Слушаю вас.")])
    return _write(tmp_path / "chats.jsonl", rows)


def test_every_conversation_is_in_the_page_and_only_the_worst_in_full(tmp_path: Path, chats: Path) -> None:
    code, out, data = _report(tmp_path, str(chats), "-o", str(tmp_path / "r.html"), "--tz", "UTC", "--worst", "1")
    assert code == 0, out
    assert [r["id"] for r in data["records"]] == ["a", "b", "c"]
    assert list(data["events"]) == ["0"]  # the worst one with its messages; the others summarised


def test_operator_medians_of_first_response_and_response_times(tmp_path: Path, chats: Path) -> None:
    _report(tmp_path, str(chats), "-o", str(tmp_path / "r.html"), "--tz", "UTC")
    html = (tmp_path / "r.html").read_text("utf-8")
    row = re.search(r"<tr><td><a [^>]*>Анна</a>.*?</tr>", html).group(0)
    # first responses 20 s and 40 s: median 30 s; response times 20, 60, 40: median 40 s
    assert "<td class='num frt'>30 с</td>" in row and "<td class='num rt'>40 с</td>" in row


def test_qa_score_per_operator_and_per_week(tmp_path: Path, chats: Path) -> None:
    _, _, data = _report(tmp_path, str(chats), "-o", str(tmp_path / "r.html"), "--tz", "UTC")
    html = (tmp_path / "r.html").read_text("utf-8")
    weeks = re.search(r"<table id='qa-weeks'>.*?</table>", html).group(0)
    assert "2024-W11" in weeks and "2024-W12" in weeks  # a week apart
    scores = {r["id"]: r["qa"] for r in data["records"]}
    assert scores["a"] < scores["c"]  # «Я не знаю» costs the solution category
    assert data["records"][0]["qac"]["solution"] < 100


def test_times_are_shown_in_the_given_zone(tmp_path: Path) -> None:
    _, _, moscow = _report(
        tmp_path, str(FIX / "chatwoot.json"), "-o", str(tmp_path / "m.html"), "--tz", "Europe/Moscow"
    )
    _, _, utc = _report(tmp_path, str(FIX / "chatwoot.json"), "-o", str(tmp_path / "u.html"), "--tz", "UTC")
    assert moscow["tz"] == "Europe/Moscow" and moscow["records"][0]["start"] == "2024-05-20 09:00:00"
    assert utc["records"][0]["start"] == "2024-05-20 06:00:00"
    first = next(iter(moscow["events"].values()))[0]
    assert first[1] == "2024-05-20 09:00:00"


def test_dialogue_findings_are_notes_and_wording_findings_are_marks(tmp_path: Path, chats: Path) -> None:
    _, _, data = _report(tmp_path, str(chats), "-o", str(tmp_path / "r.html"), "--tz", "UTC")
    notes = {f[0]: f[9] for r in data["records"] for f in r["f"]}
    assert notes["taboo/dont-know"] == 0
    assert any(rule.startswith("dialogue/") for rule in notes)
    assert all(note == 1 for rule, note in notes.items() if rule.startswith("dialogue/"))


def test_message_text_cannot_end_the_embedded_script(tmp_path: Path) -> None:
    rows = _rows("x", "Анна", [(0, "client", "</script><script>alert(1)</script>"), (20, "operator", "Я не знаю!!!")])
    _report(tmp_path, str(_write(tmp_path / "x.jsonl", rows)), "-o", str(tmp_path / "r.html"), "--tz", "UTC")
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "alert(1)" in html and "<script>alert" not in html
    assert html.count("</script>") == 2  # the data and report.js


def test_numerals_agree_with_the_number() -> None:
    assert [agree_with_number(n, "раз") for n in (1, 2, 5, 11, 21, 22)] == ["раз", "раза", "раз", "раз", "раз", "раза"]
    assert agree_with_number(3, "короткое сообщение") == "коротких сообщения"
    conv = parse_script(
        "0:00 client: Вопрос\n0:20 operator(Мария): Здравствуйте! Передаю.\n0:40 transfer(Игорь):\n"
        "1:00 operator(Игорь): Здравствуйте! Передаю.\n1:20 transfer(Ольга):\n1:40 operator(Ольга): Здравствуйте!\n"
    )
    messages = [d.message for _, d in ConversationChecker(Linter()).check(conv) if d.rule == "dialogue/transfers"]
    assert messages and "2 раза" in messages[0] and "(а)" not in messages[0]


def test_output_folder_is_created(tmp_path: Path, chats: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.html"
    code, out, _ = _report(tmp_path, str(chats), "-o", str(target), "--tz", "UTC")
    assert code == 0, out
    assert target.is_file()


def test_an_unwritable_output_is_one_line(tmp_path: Path, chats: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, out, _ = _report(tmp_path, str(chats), "-o", str(tmp_path / "file" / "x.html"), "--tz", "UTC")
    assert code == 2
    errors = [line for line in out.splitlines() if "error" in line]
    assert len(errors) == 1 and "Traceback" not in out and str(tmp_path / "file" / "x.html") in errors[0]


def test_scorecards_next_to_the_report(tmp_path: Path, chats: Path) -> None:
    from openpyxl import load_workbook

    code, out, _ = _report(tmp_path, str(chats), "-o", str(tmp_path / "r.html"), "--tz", "UTC", "--scorecard")
    assert code == 0, out
    rows = list(csv.reader(io.StringIO((tmp_path / "r.scorecard.csv").read_text("utf-8-sig"))))
    assert rows[0][0] == "Оператор" and sorted(r[0] for r in rows[1:]) == ["Анна", "Борис"]
    anna = next(r for r in rows if r[0] == "Анна")
    assert anna[1:3] == ["2", "3"] and "taboo/dont-know (1)" in anna[-1]
    sheet = load_workbook(tmp_path / "r.scorecard.xlsx", read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "Оператор" and sorted(r[0] for r in cells[1:]) == ["Анна", "Борис"]
    assert next(r for r in cells if r[0] == "Анна")[7] == 30.0  # first response, median


def test_qa_weights_come_from_each_files_configuration(tmp_path: Path, chats: Path) -> None:
    _, _, default = _report(tmp_path, str(chats), "-o", str(tmp_path / "d.html"), "--tz", "UTC")
    folder = tmp_path / "weighted"
    folder.mkdir()
    chats.rename(folder / "chats.jsonl")
    (folder / "chatlint.toml").write_text("[qa.weights]\nsolution = 0\n", encoding="utf-8")
    _, out, weighted = _report(tmp_path, str(folder), "-o", str(tmp_path / "w.html"), "--tz", "UTC")
    a_default = next(r for r in default["records"] if r["id"] == "a")
    a_weighted = next(r for r in weighted["records"] if r["id"] == "a")
    assert a_weighted["qa"] > a_default["qa"], out  # «Я не знаю» (solution) no longer counts


def test_the_page_does_not_depend_on_jobs(tmp_path: Path) -> None:
    args = [str(FIX), "--tz", "UTC", "--operator", "Банк Поддержка"]
    _report(tmp_path, *args, "-o", str(tmp_path / "one.html"))
    _report(tmp_path, *args, "-o", str(tmp_path / "two.html"), "-j", "2")
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()
