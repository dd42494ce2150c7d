"""A pattern entry's own ``unless`` cancels only that pattern's matches."""

from __future__ import annotations

import textwrap

import pytest

from chatlint.linter import Linter
from chatlint.rules import RuleLoadError

RULE = """
- id: test/entry-unless
  kind: pattern
  severity: warning
  message: "«{{match}}»"
  source: test
  unless_scope: {scope}
  patterns:
    - pattern: "не наш ошибка"
    - pattern: "проблема на сторона банк|почта"
      unless: ["передать{{1per}}|отправить{{past}}"]
"""


def _linter(tmp_path, scope: str = "sentence") -> Linter:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(RULE.format(scope=scope)), encoding="utf-8")
    return Linter(rules=[path], builtin=False)


def _hits(linter: Linter, text: str) -> list[str]:
    return [d.text for d in linter.check(text)]


def test_entry_unless_cancels_its_own_pattern(tmp_path) -> None:
    linter = _linter(tmp_path)
    assert _hits(linter, "Проблема на стороне банка.") == ["Проблема на стороне банка"]
    assert _hits(linter, "Проблема на стороне банка, я передам им запрос.") == []
    assert _hits(linter, "Проблема на стороне почты, я уже отправила им запрос.") == []


def test_entry_unless_leaves_other_patterns_alone(tmp_path) -> None:
    linter = _linter(tmp_path)
    assert _hits(linter, "Это не наша ошибка, я передам запрос в банк.") == ["не наша ошибка"]


def test_entry_unless_uses_the_rule_scope(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sentence, reply = _linter(tmp_path / "a", "sentence"), _linter(tmp_path / "b", "reply")
    text = "Проблема на стороне банка. Я передам им запрос."
    assert _hits(sentence, text) == ["Проблема на стороне банка"]
    assert _hits(reply, text) == []


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ("- pattern: бред\n      unless: [1, 2]", "unless"),  # unless must be strings
        ("- {pattern: 'дурак', unless: ['мы'], unless_scope: word}", "unless_scope"),  # a scope it knows
    ],
)
def test_a_bad_entry_unless_is_a_rule_error(tmp_path, entry: str, named: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"- id: test/x\n  kind: pattern\n  severity: info\n  message: m\n  source: s\n  patterns:\n    {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleLoadError, match=named):
        Linter(rules=[path], builtin=False)


MATCH_RULE = """
- id: test/match-unless
  kind: pattern
  severity: warning
  message: "«{match}»"
  source: test
  patterns:
    - pattern: "дурак|шалава"
      unless: ["мы|я (же)? (не)? дурак"]
      unless_scope: match
"""


def test_entry_unless_scope_match_cancels_only_what_it_overlaps(tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(MATCH_RULE), encoding="utf-8")
    linter = Linter(rules=[path], builtin=False)
    assert _hits(linter, "Мы же не дураки.") == []
    assert _hits(linter, "Пока мы дураки, эта шалава смеётся.") == ["шалава"]
    assert _hits(linter, "Он дурак, а мы не дураки.") == ["дурак"]
