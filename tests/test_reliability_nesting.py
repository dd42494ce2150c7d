"""Small inputs that once hung chatlint or ended in a traceback (issue 14, items 4 and 6):
aliases and deep nesting in every YAML and JSON it reads. Each runs in a subprocess with a
time limit, and must end in a one-line message (or findings) with the other files checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CHATLINT = str(Path(sys.executable).with_name("chatlint"))
TIMEOUT = 60  # each input here is read in about a second; before the fixes some never ended
GOOD = "Я не знаю!!!\n"  # a reply with an error finding, in a file beside each attack


def laughs(indent: str = "", first: str = "a") -> str:
    """A billion-laughs document: 9 levels of 9 aliases each (387 million «lol» expanded)."""
    lines = [f'{indent}{first}: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        name = chr(97 + i)
        lines.append(f"{indent}{name}: &{name} [{','.join(['*' + chr(96 + i)] * 9)}]")
    return "\n".join(lines) + "\n"


def check(folder: Path, *names: str) -> subprocess.CompletedProcess:
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return subprocess.run(
        [CHATLINT, "check", *names, "good.txt"], cwd=folder, capture_output=True, text=True, timeout=TIMEOUT
    )


def assert_one_line_and_rest_checked(result: subprocess.CompletedProcess, name: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2, result.stderr
    problem = [line for line in result.stderr.splitlines() if name in line]
    assert len(problem) == 1 and problem[0].startswith("chatlint: "), result.stderr
    assert "good.txt:1:1: error taboo/dont-know" in result.stdout


def test_a_recursive_alias_with_an_ignore_comment_in_a_template(tmp_path: Path) -> None:
    (tmp_path / "lib.yaml").write_text('a: &a [*a, "Я не знаю!!!"]\n# chatlint: ignore\nb: *a\n', encoding="utf-8")
    result = check(tmp_path, "lib.yaml")
    assert "lib.yaml:1:" in result.stdout  # the reply inside is read once
    assert "good.txt:1:1: error taboo/dont-know" in result.stdout


def test_a_billion_laughs_template_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "lib.yaml").write_text(laughs() + "# chatlint: ignore\n", encoding="utf-8")
    result = check(tmp_path, "lib.yaml")
    assert "Traceback" not in result.stderr
    assert "good.txt:1:1: error taboo/dont-know" in result.stdout


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        pytest.param(".chatlint.yaml", "options:\n  taboo/dont-know:\n" + laughs("    "), "aliases", id="laughs"),
        pytest.param(".chatlint.yaml", "options: &o {}\nseverity: *o\n", "aliases", id="alias"),
        pytest.param(".chatlint.yaml", "exclude: []\nexclude: ['*']\n", "duplicate key 'exclude'", id="duplicate"),
        pytest.param(".chatlint.yaml", "options: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested", id="deep"),
        pytest.param("chatlint.toml", "exclude = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested", id="deep-toml"),
        pytest.param(".chatlint.yaml", "exclude: ['" + "x" * 600_000 + "']\n", "512 KB", id="huge"),
    ],
)
def test_a_config_is_held_to_the_rule_files_limits(tmp_path: Path, name: str, text: str, says: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = check(tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"chatlint: config error: {tmp_path / name}") and says in line, line


DEEP = "[" * 100_000 + "]" * 100_000
REPLY = json.dumps({"conversation_id": "c1", "role": "operator", "author": "Оля", "text": "Я не знаю!!!"})


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("chats.json", DEEP + "\n", id="json"),
        pytest.param("chats.json", '{"a": ' + DEEP + "}\n", id="json-object"),
        pytest.param("lib.yaml", "a: " + DEEP + "\n", id="yaml"),
    ],
)
def test_deep_nesting_is_one_problem_and_the_rest_is_checked(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = check(tmp_path, name)
    assert_one_line_and_rest_checked(result, name)


def test_a_deep_jsonl_line_is_reported_and_its_other_lines_checked(tmp_path: Path) -> None:
    second = REPLY.replace("c1", "c2")
    (tmp_path / "chats.jsonl").write_text(REPLY + "\n" + '{"a": ' + DEEP + "}\n" + second + "\n", encoding="utf-8")
    result = check(tmp_path, "chats.jsonl")
    assert_one_line_and_rest_checked(result, "chats.jsonl")
    assert "chats.jsonl:2: invalid JSON: nested too deeply" in result.stderr
    assert (
        "chats.jsonl:1:88: error" in result.stdout and "chats.jsonl:3:88: error" in result.stdout
    )  # the text's column
