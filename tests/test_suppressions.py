"""Inline suppressions in YAML, Markdown, JSON and CSV, and reports of unused ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from chatlint.cli import main


def check(path: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args, str(path)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def brief(items: list[dict]) -> list[tuple[str, int, int]]:
    return [(i["rule"], i["line"], i["column"]) for i in items]


def test_yaml_same_line_line_above_and_unused(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text(
        "a: Спасибо!!!  # chatlint: ignore[style/exclamation] так в брендбуке\n"
        "# chatlint: ignore[taboo/dont-know] цитата клиента\n"
        "b: Я не знаю!!!\n"
        "c: Я не знаю.  # chatlint: ignore[style/caps]\n"
        "d: |\n"
        "  Первая строка.\n"
        "  Ура!!!  # chatlint: ignore[style] is text of the block scalar, not a comment\n",
        encoding="utf-8",
    )
    items = check(path)
    got = brief(items)
    assert ("style/exclamation", 1, 11) not in got  # silenced on its own line
    assert ("taboo/dont-know", 3, 4) not in got  # silenced by the comment line above
    assert ("style/exclamation", 3, 13) in got  # another rule on that reply is still reported
    assert ("taboo/dont-know", 4, 4) in got
    assert ("style/exclamation", 7, 6) in got  # a marker inside a block scalar is text, not a comment
    unused = [i for i in items if i["rule"] == "chatlint/unused-ignore"]
    assert [(i["line"], i["column"]) for i in unused] == [(4, 18)]
    assert "style/caps" in unused[0]["message"]
    assert unused[0]["text"] == "chatlint: ignore[style/caps]"


def test_comment_on_a_previous_reply_line_does_not_leak(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text("a: Хорошо, спасибо.  # chatlint: ignore[taboo]\nb: Я не знаю.\n", encoding="utf-8")
    got = brief(check(path))
    assert ("taboo/dont-know", 2, 4) in got
    assert ("chatlint/unused-ignore", 1, 24) in got


def test_ignore_file_blanket_and_unknown_ids(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text(
        "# chatlint: ignore-file[style/exclamation, taboo/no-such-rule]\n"
        "a: Спасибо!!!\n"
        "b: Я не знаю.  # chatlint: ignore\n"
        "c: Хорошо, оформляю.  # chatlint: ignore\n",
        encoding="utf-8",
    )
    items = check(path)
    got = brief(items)
    assert ("style/exclamation", 2, 11) not in got
    assert ("taboo/dont-know", 3, 4) not in got  # a bare ignore silences every rule
    unused = [i for i in items if i["rule"] == "chatlint/unused-ignore"]
    assert [(i["line"], i["column"]) for i in unused] == [(1, 3), (4, 25)]
    assert "taboo/no-such-rule" in unused[0]["message"] and "нет правила" in unused[0]["message"]


def test_markdown_html_comments(tmp_path: Path) -> None:
    path = tmp_path / "lib.md"
    path.write_text(
        "<!-- chatlint: ignore[taboo/dont-know] пример плохого ответа -->\n"
        "- Я не знаю.\n"
        "- Мы не знаем, когда будет доставка. <!-- chatlint: ignore[style/caps] -->\n",
        encoding="utf-8",
    )
    got = brief(check(path))
    assert ("taboo/dont-know", 2, 3) not in got
    assert ("taboo/dont-know", 3, 3) in got
    assert ("chatlint/unused-ignore", 3, 43) in got


def test_json_and_csv_rows_carry_an_ignore_field(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    data = [
        {"short_code": "a", "content": "Я не знаю!!!", "chatlint_ignore": "taboo/dont-know"},
        {"short_code": "b", "content": "Хорошо, оформляю.", "chatlint_ignore": "style/caps"},
    ]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    items = check(path)
    assert [i["rule"] for i in items] == ["style/exclamation", "chatlint/unused-ignore"]
    csv_path = tmp_path / "lib.csv"
    csv_path.write_text(
        'name,text,chatlint_ignore\na,Я не знаю!!!,"taboo/dont-know, style/exclamation"\nb,Я не знаю.,\n',
        encoding="utf-8",
    )
    got = brief(check(csv_path))
    assert got == [("taboo/dont-know", 3, 3)]


def test_unused_ignore_can_be_ignored_and_has_severity(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text("a: Хорошо, оформляю.  # chatlint: ignore[taboo]\n", encoding="utf-8")
    assert check(path, "--ignore", "chatlint/unused-ignore") == []
    (tmp_path / "chatlint.toml").write_text('[severity]\n"chatlint/unused-ignore" = "error"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "lib.yaml:1:25: error chatlint/unused-ignore" in result.stdout
