"""``chatlint check`` over transcripts: which messages are checked, the finding fields, every
output format (SARIF against the official 2.1.0 schema), -j N order, bad records, statistics."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from transcript_gen import write_jsonl

from chatlint.cli import main
from chatlint.dialogue import ConversationChecker, parse_script
from chatlint.linter import ConfigError, Linter

FIX = Path(__file__).parent / "fixtures" / "transcripts"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def run(*args: str):
    result = CliRunner().invoke(main, ["check", "--tz", "Europe/Moscow", *args])
    return result


@pytest.fixture(scope="module")
def clean_jsonl(tmp_path_factory) -> Path:
    """The JSONL fixture without its two bad lines."""
    path = tmp_path_factory.mktemp("t") / "clean.jsonl"
    lines = (FIX / "chats.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for i, line in enumerate(lines, 1) if i not in (4, 6)), encoding="utf-8")
    return path


def test_only_operator_messages_get_reply_rules(clean_jsonl: Path) -> None:
    result = run(str(clean_jsonl), "--format", "json")
    assert result.exit_code == 1, result.stdout  # taboo/dont-know is an error
    items = json.loads(result.stdout)
    reply_rules = [i for i in items if not i["rule"].startswith("dialogue/")]
    assert {(i["message_id"], i["rule"]) for i in reply_rules} == {
        ("a3", "taboo/dont-know"),
        ("a3", "style/exclamation"),
    }
    dont_know = next(i for i in items if i["rule"] == "taboo/dont-know")
    assert dont_know["conversation_id"] == "A-1" and dont_know["author"] == "Светлана Ким"
    assert (dont_know["start"], dont_know["end"], dont_know["text"]) == (0, 9, "Я не знаю")
    line = clean_jsonl.read_text(encoding="utf-8").splitlines()[3]
    assert (dont_know["line"], dont_know["column"]) == (4, line.index('"Я не знаю') + 2)  # the flagged characters
    assert not any(i["message_id"] in ("a1", "a2", "a4") for i in items)  # client, bot, note


def test_text_output_names_conversation_message_operator(clean_jsonl: Path) -> None:
    result = run(str(clean_jsonl), "--select", "taboo")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{clean_jsonl}:4:137: error taboo/dont-know «Я не знаю» звучит как отказ помочь: пообещайте уточнить "
        "и вернуться с ответом. [conversation A-1, message a3, operator Светлана Ким]"
    )


def test_jsonl_equals_json(clean_jsonl: Path) -> None:
    as_json = json.loads(run(str(clean_jsonl), "--format", "json").stdout)
    as_jsonl = [json.loads(line) for line in run(str(clean_jsonl), "--format", "jsonl").stdout.splitlines()]
    assert as_json == as_jsonl and len(as_json) >= 3


def test_sarif_is_valid_against_the_schema() -> None:
    result = run(str(FIX), "--format", "sarif", "--operator", "Банк Поддержка")
    log = json.loads(result.stdout)
    jsonschema.validate(log, SCHEMA)
    results = log["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    transcript = next(r for r in results if "conversation_id" in r["properties"])
    assert {"message_id", "author", "start", "end"} <= set(transcript["properties"])


def test_sarif_empty_run_is_valid(tmp_path: Path) -> None:
    result = run("--text", "Здравствуйте! Заказ привезут завтра.", "--format", "sarif")
    log = json.loads(result.stdout)
    jsonschema.validate(log, SCHEMA)
    assert log["runs"][0]["results"] == []


def test_github_annotations(clean_jsonl: Path) -> None:
    lines = run(str(clean_jsonl), "--format", "github", "--select", "taboo,dialogue/closing").stdout.splitlines()
    assert lines[0].startswith(f"::error file={clean_jsonl},line=4,col=137,endColumn=146,title=taboo/dont-know::")
    assert "[conversation A-1, message a3, operator Светлана Ким]" in lines[0]
    assert all(line.startswith(("::warning ", "::notice ", "::error ")) for line in lines)


def test_bad_records_reported_and_rest_checked() -> None:
    result = CliRunner().invoke(main, ["check", str(FIX / "chats.jsonl"), "--format", "jsonl"])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if "input error" in line]
    assert [e.split(": ", 2)[2].split(": ")[0] for e in errors] == [
        f"{FIX / 'chats.jsonl'}:4",
        f"{FIX / 'chats.jsonl'}:6",
    ]
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert ("A-1", "a3", 5) in {(f["conversation_id"], f["message_id"], f["line"]) for f in found}
    stats = CliRunner().invoke(main, ["check", str(FIX / "chats.jsonl"), "--statistics"]).stdout
    assert "in 2 conversations, 3 operator replies" in stats


def test_naive_times_warn_with_zone() -> None:
    result = CliRunner().invoke(main, ["check", str(FIX / "excel_ru.csv"), "--tz", "Asia/Yekaterinburg"])
    assert "4 timestamps without a time zone read as Asia/Yekaterinburg (from --tz)" in result.stderr
    guessed = CliRunner().invoke(main, ["check", str(FIX / "excel_ru.csv")])
    assert "4 timestamps without a time zone read as this machine's zone" in guessed.stderr
    assert guessed.stderr.count("(set --tz)") == 1
    bad = CliRunner().invoke(main, ["check", str(FIX / "excel_ru.csv"), "--tz", "Mars/Olympus"])
    assert (
        bad.exit_code == 2
        and bad.stderr.strip() == "chatlint: error: unknown time zone 'Mars/Olympus' (e.g. Europe/Moscow)"
    )


def test_map_option_and_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text('{"chat": "7", "who": "оператор", "msg": "Я не знаю!!!"}\n', encoding="utf-8")
    result = run(str(path), "--input-format", "jsonl", "--map", "conversation_id=chat", "--map", "role=who",
                 "--map", "text=msg", "--format", "jsonl", "--select", "taboo")  # fmt: skip
    [finding] = [json.loads(line) for line in result.stdout.splitlines()]
    assert finding["conversation_id"] == "7" and finding["rule"] == "taboo/dont-know"
    bad = run(str(path), "--map", "colour=who")
    assert bad.exit_code == 2 and "--map takes FIELD=NAME" in bad.stderr


def test_plain_reply_files_still_work() -> None:
    result = run(str(FIX / "reply.txt"), "--select", "taboo")
    assert result.stdout.startswith(f"{FIX / 'reply.txt'}:1:1: error taboo/dont-know")


def test_statistics_by_rule_and_operator(clean_jsonl: Path) -> None:
    text = run(str(clean_jsonl), "--statistics").stdout
    assert text.splitlines()[0].endswith("in 2 conversations, 3 operator replies")
    assert "       1  taboo/dont-know" in text and "Светлана Ким" in text
    data = json.loads(run(str(clean_jsonl), "--statistics", "--format", "json").stdout)
    assert data["by_rule"]["taboo/dont-know"] == 1 and data["conversations"] == 2
    sveta = next(o for o in data["by_operator"] if o["operator"] == "Светлана Ким")
    assert (sveta["replies"], sveta["flagged_replies"], sveta["score"]) == (1, 1, 0.0)


def test_jobs_give_identical_output(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "big.jsonl", 3000, seed=5)
    shutil.copy(FIX / "chats.csv", tmp_path / "chats.csv")
    shutil.copy(FIX / "reply.txt", tmp_path / "reply.txt")
    one = run(str(tmp_path), "-j", "1", "--format", "jsonl")
    two = run(str(tmp_path), "-j", "2", "--format", "jsonl")
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout and one.stdout.count("\n") > 1000


def test_progress_only_when_asked_or_on_a_terminal(clean_jsonl: Path) -> None:
    quiet = run(str(clean_jsonl))
    assert "%" not in quiet.stderr  # CliRunner's stderr is not a terminal
    loud = run(str(clean_jsonl), "--progress")
    assert "100%" in loud.stderr and "2 conversations" in loud.stderr


def test_dialogue_thresholds_are_options() -> None:
    conv = parse_script("0:00 client: Где заказ?\n0:45 operator: Здравствуйте! Сейчас проверю.")
    default = ConversationChecker(Linter(select=["dialogue/first-response"]))
    relaxed = ConversationChecker(
        Linter(select=["dialogue/first-response"], options={"dialogue/first-response": {"max_seconds": 60}})
    )
    [(reply, d)] = default.check(conv)
    assert d.message.startswith("Первый ответ оператора пришёл через 45 с") and d.extra["seconds"] == 45
    assert relaxed.check(conv) == []
    with pytest.raises(ConfigError):
        Linter(options={"dialogue/burst": {"max_seconds": 1}})
