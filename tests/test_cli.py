"""The command line: exit codes, the JSON schema, stdin, rules listing and explanation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "samples" / "replies.txt"
JSON_FIELDS = {"rule", "severity", "message", "start", "end", "text", "suggestions", "path", "line", "column"}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_error_finding_exits_1_and_prints_file_line_col() -> None:
    result = run("check", str(SAMPLE))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{SAMPLE}:1:15: error taboo/dont-know «Я не знаю»")


def test_clean_or_warning_only_exits_0() -> None:
    assert run("check", "--text", "Здравствуйте! Сейчас проверю заказ.").exit_code == 0
    result = run("check", "--text", "Спасибо!!!")
    assert result.exit_code == 0 and "style/exclamation" in result.output


def test_json_output_schema() -> None:
    result = run("check", "--format", "json", "--text", "Я не знаю!!!")
    items = json.loads(result.output)
    assert [i["rule"] for i in items] == ["taboo/dont-know", "style/exclamation"]
    for item in items:
        assert JSON_FIELDS <= set(item)
        assert isinstance(item["suggestions"], list)
        assert item["path"] == "<text>" and item["line"] == 1
    assert items[0]["text"] == "Я не знаю" and (items[0]["start"], items[0]["end"]) == (0, 9)
    assert items[1]["column"] == 10


def test_json_positions_in_a_multiline_file(tmp_path: Path) -> None:
    path = tmp_path / "reply.txt"
    path.write_bytes("Добрый день.\r\nМы не знаем, где курьер.".encode())
    items = json.loads(run("check", "--format", "json", str(path)).output)
    assert (items[0]["line"], items[0]["column"]) == (2, 1)
    assert items[0]["path"] == str(path)


def test_stdin_is_one_reply() -> None:
    result = run("check", "-", input="Вы должны оплатить.")
    assert result.exit_code == 0 and "<stdin>:1:1: warning taboo/you-must" in result.output


def test_select_and_ignore_options() -> None:
    assert "style/exclamation" not in run("check", "--select", "taboo", "--text", "Я не знаю!!!").output
    result = run("check", "--ignore", "taboo/dont-know,style", "--text", "Я не знаю!!!")
    assert result.exit_code == 0 and result.output == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "nothing to check"),
        (["check", "--select", "nope/x", "--text", "a"], "unknown rule or category 'nope/x'"),
        (["check", "--format", "xml", "--text", "a"], "Invalid value for '--format'"),
        (["rule", "taboo/nope"], "no rule 'taboo/nope'"),
        (["check", "no/such/file.txt"], "no/such/file.txt"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_broken_rule_file_exits_2_naming_file_line_and_rule(tmp_path: Path) -> None:
    rules = tmp_path / "mine.yaml"
    rules.write_text("- id: my/rule\n  message: m\n  source: s\n  patterns: ['вы должна']\n", encoding="utf-8")
    result = run("check", "--rules", str(rules), "--text", "Вы должны")
    assert result.exit_code == 2
    assert f"chatlint: rule error: {rules}:4: my/rule: «должна» is not a dictionary lemma" in result.output


def test_rules_lists_ids_and_rule_explains_one() -> None:
    listing = run("rules").output
    assert "taboo/dont-know" in listing and "style/one-word" in listing
    explained = run("rule", "taboo/dont-know")
    assert explained.exit_code == 0
    for part in (
        "Message:",
        "Why:",
        "Source:",
        "000_d2cc366c06261e2a.txt",
        "Bad:",
        "Good:",
        "Не знаю, как вас благодарить!",
    ):
        assert part in explained.output
    assert "→ Мы уточним" in explained.output


def test_real_process_has_no_traceback_on_errors() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "chatlint.cli", "check", "--select", "nope", "--text", "Да"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["chatlint: error: unknown rule or category 'nope'"]


def test_rules_and_rule_show_the_configuration_of_the_current_folder(tmp_path, monkeypatch) -> None:
    (tmp_path / "chatlint.toml").write_text(
        'ignore = ["taboo/bare-no"]\nextend-select = ["tone/hedging"]\n[severity]\n"taboo/you-must" = "error"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    listing = {line.split()[0]: line.split()[1:] for line in run("rules", "--all").output.splitlines()}
    assert listing["taboo/you-must"][0] == "error"
    assert listing["taboo/bare-no"][-1] == "(off)"
    assert listing["tone/hedging"][-1] != "(off)"
    assert "taboo/bare-no" not in run("rules").output
    explained = run("rule", "taboo/bare-no")
    assert explained.exit_code == 0
    assert explained.output.splitlines()[0] == "taboo/bare-no (warning, regex, off in this configuration)"
    assert "→ " in explained.output  # its examples still show suggestions
    assert run("rule", "taboo/you-must").output.splitlines()[0] == "taboo/you-must (error, pattern, on)"
    isolated = run("rule", "--isolated", "taboo/you-must").output.splitlines()[0]
    assert isolated == "taboo/you-must (warning, pattern, on)"
    assert "taboo/bare-no" in run("rules", "--isolated").output


def test_rules_reports_a_broken_configuration_in_one_line(tmp_path, monkeypatch) -> None:
    (tmp_path / "chatlint.toml").write_text('ignore = ["no/such-rule"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("rules")
    assert result.exit_code == 2
    assert "no/such-rule" in result.output
