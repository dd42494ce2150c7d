"""A regex rule that runs out of time says so instead of finding nothing silently."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from chatlint.kinds import regex_rule
from chatlint.linter import Linter

SLOW_RULE = """
- id: house/slow
  kind: regex
  severity: warning
  message: "медленное правило"
  source: "tests"
  regex: '(?:а|аа)+б'
  examples:
    bad: ["аб"]
    good: ["ав"]
"""


def test_a_timeout_warns_with_the_rule_id_and_keeps_checking(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "slow.yaml").write_text(SLOW_RULE, encoding="utf-8")
    linter = Linter(rules=[tmp_path], builtin=False, cache=False)
    assert [d.rule for d in linter.check("аб")] == ["house/slow"]
    monkeypatch.setattr(regex_rule, "TIMEOUT_SECONDS", 0.001)
    text = "а" * 5000 + "в"
    with pytest.warns(regex_rule.RuleTimeoutWarning, match=r"rule house/slow: its regex took over 0\.001 s"):
        assert linter.check(text) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [d.rule for d in linter.check("аб")] == ["house/slow"]  # a fast reply: no warning
