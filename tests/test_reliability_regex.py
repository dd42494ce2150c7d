"""Every regular expression a user supplies runs with a time limit (issue 14, item 5): a
``kind: regex`` rule's examples at load, dialogue phrases set from a repository's
``options``, and ``/…/`` atoms in patterns, whose limit is per reply, not per token.
Each attack runs in a subprocess with a time limit far below what it took before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHATLINT = str(Path(sys.executable).with_name("chatlint"))
SLOW = "(?:а|аа)+б"  # see tests/test_regex_timeout.py: exponential on «б ааа…ав» in ``regex`` and ``re``
BACKTRACKS = "б " + "а" * 60 + "в"
TIMEOUT = 60


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHATLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)


def test_a_regex_rule_that_backtracks_on_its_own_example_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "slow.yaml").write_text(
        f"""- id: house/slow
  kind: regex
  message: "медленное правило"
  source: tests
  regex: '{SLOW}'
  prefilter: ["б"]
  examples:
    bad: ["аб"]
    good: ["{BACKTRACKS}"]
""",
        encoding="utf-8",
    )
    result = run(["check", "--rules", "slow.yaml", "--text", "Добрый день"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "house/slow" in result.stderr and "took over 1 s on the example" in result.stderr


def test_dialogue_phrases_from_a_repository_config_have_a_time_limit(tmp_path: Path) -> None:
    (tmp_path / ".chatlint.yaml").write_text(
        f"options:\n  dialogue/greeting:\n    greetings: ['{SLOW}']\n", encoding="utf-8"
    )
    lines = [
        {"conversation_id": f"c{i}", "role": "operator", "author": "Оля", "text": BACKTRACKS + " Я не знаю!!!"}
        for i in range(3)
    ]
    (tmp_path / "chats.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    result = run(["check", "chats.jsonl"], tmp_path)
    assert "Traceback" not in result.stderr
    assert "dialogue phrases took over 1 s" in result.stderr
    for i in (1, 2, 3):
        assert f"chats.jsonl:{i}:" in result.stdout  # every conversation still checked


def test_a_regex_atom_has_one_time_limit_per_reply_not_per_token(tmp_path: Path) -> None:
    (tmp_path / "atom.yaml").write_text(
        """- id: house/atom
  kind: pattern
  message: "медленный шаблон"
  source: tests
  patterns: ["/(а|аа)+б/"]
  examples:
    bad: ["бааб"]
    good: ["Минуту"]
""",
        encoding="utf-8",
    )
    # 200 different words, each «б», 40-49 «а» and a tail: 0.25 s each with a per-token limit (50 s)
    words = ["б" + "а" * (40 + i % 10) + "в" * (1 + i // 10) for i in range(200)]
    (tmp_path / "reply.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    result = run(["check", "--rules", "atom.yaml", "--no-builtin", "reply.txt"], tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
