"""A regex rule that runs out of time says so instead of finding nothing silently.

The input must be one the ``regex`` module really backtracks on: it fails at once when a
required letter is missing from the text, so «(?:а|аа)+б» against «а…ав» is instant; with a
«б» before the run it doubles its work every two letters (0.45 s at 28, hours at 60)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import regex

from chatlint.kinds import regex_rule
from chatlint.linter import Linter

SLOW = "(?:а|аа)+б"
BACKTRACKS = "б " + "а" * 60 + "в"
SLOW_RULE = f"""
- id: house/slow
  kind: regex
  severity: warning
  message: "медленное правило"
  source: "tests"
  regex: '{SLOW}'
  examples:
    bad: ["аб"]
    good: ["ав"]
"""


def test_the_input_really_backtracks() -> None:
    with pytest.raises(TimeoutError):
        regex.compile(SLOW, regex.IGNORECASE | regex.VERSION0).search(BACKTRACKS, timeout=0.05)


def test_a_timeout_warns_with_the_rule_id_and_keeps_checking(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "slow.yaml").write_text(SLOW_RULE, encoding="utf-8")
    linter = Linter(rules=[tmp_path], builtin=False, cache=False)
    assert [d.rule for d in linter.check("аб")] == ["house/slow"]
    monkeypatch.setattr(regex_rule, "TIMEOUT_SECONDS", 0.05)
    with pytest.warns(regex_rule.RuleTimeoutWarning, match=r"rule house/slow: its regex took over 0\.05 s"):
        assert linter.check(BACKTRACKS) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [d.rule for d in linter.check("аб")] == ["house/slow"]  # a fast reply: no warning
