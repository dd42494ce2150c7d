"""--fix, --unsafe-fixes, --diff: in-place, formatting-preserving, idempotent, atomic fixes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from chatlint import fixer
from chatlint.cli import main
from chatlint.fixer import ChangedDuringRun, choose, fix_file, write
from chatlint.project import Project
from chatlint.templates.mapping import CSV_PLAIN, CSV_QUOTED, DOUBLE, JSON, PLAIN, RAW, SINGLE, FileText, SourceMap

YAML_LIB = """\
# Шаблоны (комментарий сохраняется)
plain: Здравствуйте! ВАШ ЗАКАЗ ОТПРАВЛЕН!!!
double: "Строка с \\"кавычками\\" и \\u0416: ВАШ ЗАКАЗ ОТПРАВЛЕН!!!"   # хвост
single: 'Это ''цитата'': ВАШ ЗАКАЗ ОТПРАВЛЕН!!!'
block: |
    Спасибо за ожидание.
      ВАШ ЗАКАЗ ОТПРАВЛЕН!!!
folded: >-
  Первая строка, ВАШ
  ЗАКАЗ ОТПРАВЛЕН!!!
"""


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_fix_yaml_keeps_quoting_comments_and_escapes(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text(YAML_LIB, encoding="utf-8")
    before = yaml.safe_load(YAML_LIB)
    result = invoke("check", "--fix", str(path))
    assert "fixed 9 finding(s) in 1 file(s)" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# Шаблоны (комментарий сохраняется)"
    assert text.splitlines()[2] == 'double: "Строка с \\"кавычками\\" и \\u0416: ваш заказ отправлен!"   # хвост'
    assert text.splitlines()[3] == "single: 'Это ''цитата'': ваш заказ отправлен!'"
    assert text.splitlines()[6] == "      Ваш заказ отправлен!"
    # the folded line break inside «ВАШ\n  ЗАКАЗ» cannot be rewritten in place: caps stays, "!!!" is fixed
    assert text.splitlines()[9] == "  ЗАКАЗ ОТПРАВЛЕН!"
    after = yaml.safe_load(text)
    assert after["double"] == before["double"].replace("ВАШ ЗАКАЗ ОТПРАВЛЕН!!!", "ваш заказ отправлен!")
    assert after["block"] == before["block"].replace("ВАШ ЗАКАЗ ОТПРАВЛЕН!!!", "Ваш заказ отправлен!")
    # idempotent: a second --fix changes nothing
    again = invoke("check", "--fix", str(path))
    assert "fixed 0 finding(s) in 0 file(s)" in again.stderr
    assert path.read_text(encoding="utf-8") == text


def test_fix_keeps_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_bytes(("\ufeff" + YAML_LIB).replace("\n", "\r\n").encode("utf-8"))
    invoke("check", "--fix", str(path))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == YAML_LIB.count("\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert "Ваш заказ отправлен!" in data.decode("utf-8-sig")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251"])
def test_fix_keeps_the_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "lib.md"
    path.write_bytes("- Спасибо!!!\r- Хорошо.\r".encode(encoding))  # old Mac line ends, too
    args = ["--encoding", "cp1251"] if encoding == "cp1251" else []
    invoke("check", "--fix", *args, str(path))
    assert path.read_bytes() == "- Спасибо!\r- Хорошо.\r".encode(encoding)


def test_fix_json_keeps_ascii_escapes_and_csv_quoting(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    data = [{"short_code": "a", "content": 'Скажите "да": ОЧЕНЬ ВАЖНО!!!'}]
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    invoke("check", "--fix", str(path))
    raw = path.read_text(encoding="utf-8")
    assert raw.isascii()  # still escaped the way the file was
    assert json.loads(raw)[0]["content"] == 'Скажите "да": очень важно!'
    csv_path = tmp_path / "lib.csv"
    csv_path.write_text('name,text\r\na,"Он сказал ""да"": ОЧЕНЬ ВАЖНО!!!"\r\nb,Просто ОЧЕНЬ ВАЖНО!!!\r\n', "utf-8")
    invoke("check", "--fix", str(csv_path))
    assert csv_path.read_bytes().decode() == (
        'name,text\r\na,"Он сказал ""да"": очень важно!"\r\nb,Просто очень важно!\r\n'
    )


@pytest.mark.parametrize(
    ("style", "replacement", "original", "expected"),
    [
        (RAW, "текст", "x", "текст"),
        (PLAIN, "мягче", "x", "мягче"),
        (PLAIN, "a: b", "x", None),  # would turn the value into a mapping
        (PLAIN, "a #b", "x", None),  # would start a comment
        (PLAIN, "- a", "x", None),  # would start a list at the start of the value
        (SINGLE, "it's", "x", "it''s"),
        (DOUBLE, 'say "hi"\\', "x", 'say \\"hi\\"\\\\'),
        (JSON, "Ж", "\\u0416", "\\u0416"),
        (JSON, "Ж", "Ж", "Ж"),
        (CSV_QUOTED, 'a "b"', "x", 'a ""b""'),
        (CSV_PLAIN, "a,b", "x", None),
        (RAW, "two\nlines", "x", None),
    ],
)
def test_encode_for_each_style(style: str, replacement: str, original: str, expected: str | None) -> None:
    source = SourceMap(FileText("x", ""), [], [], [], style)
    assert source.encode(replacement, original) == expected


def test_plain_scalar_blanks_only_inside() -> None:
    source = SourceMap(FileText("x", "a: один  два"), [3, 4, 5, 6, 7, 8, 9], [4, 5, 6, 7, 8, 9, 10], [False] * 7, PLAIN)
    assert source.encode(" ", "  ", 4, 6) == " "  # a doubled space inside the value
    assert source.encode(" x", "о", 0, 1) is None  # a blank at the start would be lost
    assert source.encode("x ", "а", 6, 7) is None  # and at the end
    assert source.encode("- x", "о", 2, 3) == "- x"  # an indicator is fine inside


def test_overlapping_fixes_are_applied_in_a_second_pass(tmp_path: Path) -> None:
    rules = tmp_path / "house.yaml"
    rules.write_text(
        "- id: house/sent\n  kind: regex\n  severity: warning\n  regex: 'заказ отправлен'\n"
        "  message: 'Скажите «передан»'\n  source: 'гайд'\n  suggest: ['заказ передан']\n  fix: safe\n",
        encoding="utf-8",
    )
    assert choose([(0, 10, "a", "r"), (5, 12, "b", "q"), (12, 14, "c", "r")]) == [(0, 10, "a", "r"), (12, 14, "c", "r")]
    path = tmp_path / "lib.yaml"
    path.write_text("a: ВАШ ЗАКАЗ ОТПРАВЛЕН сегодня.\n", encoding="utf-8")
    result = invoke("check", "--fix", "--rules", str(rules), str(path))
    assert path.read_text(encoding="utf-8") == "a: Ваш заказ передан сегодня.\n"
    assert "fixed 2 finding(s)" in result.stderr


def test_unsafe_fixes_only_when_asked(tmp_path: Path) -> None:
    rules = tmp_path / "house.yaml"
    rules.write_text(
        "- id: house/rude\n  kind: regex\n  severity: warning\n  regex: '\\bждите'\n"
        "  message: 'Грубо'\n  source: 'гайд'\n  suggest: ['подождите, пожалуйста']\n",
        encoding="utf-8",
    )
    path = tmp_path / "lib.yaml"
    path.write_text("a: Хорошо, ждите ответа.\n", encoding="utf-8")
    invoke("check", "--fix", "--rules", str(rules), str(path))
    assert path.read_text(encoding="utf-8") == "a: Хорошо, ждите ответа.\n"
    invoke("check", "--unsafe-fixes", "--rules", str(rules), str(path))
    assert path.read_text(encoding="utf-8") == "a: Хорошо, подождите, пожалуйста ответа.\n"


def test_a_fix_that_retriggers_its_own_rule_is_applied_once(tmp_path: Path) -> None:
    rules = tmp_path / "house.yaml"
    rules.write_text(
        "- id: house/rude\n  kind: regex\n  severity: warning\n  regex: 'ждите'\n"
        "  message: 'Грубо'\n  source: 'гайд'\n  suggest: ['подождите']\n  fix: safe\n",
        encoding="utf-8",
    )
    path = tmp_path / "lib.yaml"
    path.write_text("a: Хорошо, ждите ответа.\n", encoding="utf-8")
    invoke("check", "--fix", "--rules", str(rules), str(path))
    assert path.read_text(encoding="utf-8") == "a: Хорошо, подождите ответа.\n"


def test_diff_shows_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "lib.md"
    path.write_text("- Спасибо!!!\n", encoding="utf-8")
    result = invoke("check", "--diff", str(path))
    assert result.exit_code == 1
    assert f"--- {path}\n+++ {path}\n" in result.stdout
    assert "-- Спасибо!!!\n+- Спасибо!\n" in result.stdout
    assert path.read_text(encoding="utf-8") == "- Спасибо!!!\n"
    path.write_text("- Спасибо!\n", encoding="utf-8")
    assert invoke("check", "--diff", str(path)).exit_code == 0


def test_write_is_atomic_and_keeps_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text("a: Спасибо!!!\n", encoding="utf-8")
    os.chmod(path, 0o640)
    result = fix_file(Project(), path)
    assert result.after == "a: Спасибо!\n"

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fixer.os, "replace", crash)
    with pytest.raises(OSError):
        write(result)
    assert path.read_text(encoding="utf-8") == "a: Спасибо!!!\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.yaml"]  # no temporary file left
    monkeypatch.undo()
    write(result)
    assert path.read_text(encoding="utf-8") == "a: Спасибо!\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.yaml"]


def test_file_changed_during_the_run_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text("a: Спасибо!!!\n", encoding="utf-8")
    result = fix_file(Project(), path)
    path.write_text("a: Спасибо!!! (правка коллеги)\n", encoding="utf-8")
    with pytest.raises(ChangedDuringRun):
        write(result)
    assert path.read_text(encoding="utf-8") == "a: Спасибо!!! (правка коллеги)\n"

    real_fix_file = fixer.fix_file

    def fix_then_edit(project, p, unsafe=False):
        out = real_fix_file(project, p, unsafe)
        p.write_text("b: Другой текст!!!\n", encoding="utf-8")
        return out

    monkeypatch.setattr("chatlint.fixer.fix_file", fix_then_edit)  # run.py imports it when fixing
    cli = invoke("check", "--fix", str(path))
    assert "changed during the run; fixes not written" in cli.stderr
    assert path.read_text(encoding="utf-8") == "b: Другой текст!!!\n"


def test_stdin_filename_picks_the_format_and_fix_prints_fixed_text(tmp_path: Path) -> None:
    source = "a: Я не знаю!!!\n"
    result = invoke("check", "-", "--stdin-filename", str(tmp_path / "lib.yaml"), input=source)
    assert result.exit_code == 1
    assert f"{tmp_path / 'lib.yaml'}:1:4: error taboo/dont-know" in result.stdout
    fixed = invoke("check", "--fix", "-", "--stdin-filename", str(tmp_path / "lib.yaml"), input=source)
    assert fixed.stdout == "a: Я не знаю!\n"
    assert "taboo/dont-know" in fixed.stderr
