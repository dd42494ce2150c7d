"""A broken rule file fails to load with an error naming the file, the line and the rule id."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatlint.linter import Linter
from chatlint.rules import RuleLoadError

GOOD = """\
- id: test/ok
  message: m
  source: s
  patterns: ["не знать"]
"""


def problems(tmp_path: Path, body: str, name: str = "bad.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        Linter(rules=[path], builtin=False)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("- id: test/a\n  message: m\n  source: s\n  patern: ['x']\n", ":4: test/a: unknown key 'patern'"),
        (
            "- id: test/a\n  message: m\n  source: s\n  kind: paternn\n",
            ":4: test/a: unknown kind 'paternn' (did you mean 'pattern'?)",
        ),
        (
            "- id: test/a\n  message: m\n  source: s\n  patterns: ['вы должна']\n",
            "«должна» is not a dictionary lemma; it is a form of «должный»",
        ),
        ("- id: test/a\n  message: m\n  source: s\n  patterns: ['не? вы?']\n", "has only optional elements"),
        ("- id: test/a\n  message: m\n  source: s\n  patterns: ['* *']\n", "matches every word"),
        ("- id: test/a\n  message: m\n  source: s\n  patterns: ['знать{NOSUCH}']\n", "unknown grammeme(s) NOSUCH"),
        (
            "- id: test/a\n  message: m\n  source: s\n  patterns: ['знать{ADJF}']\n",
            "«знать» has no form with grammemes {ADJF}",
        ),
        ("- id: test/a\n  message: m\n  source: s\n  patterns: ['(не|']\n", "test/a:"),
        ("- id: test/a\n  message: m\n  source: s\n  regex: '(unclosed'\n", ":4: test/a: bad regular expression"),
        ("- id: test/a\n  message: m\n  source: s\n  regex: 'x*'\n", "matches the empty string"),
        (
            "- id: test/a\n  severity: fatal\n  message: m\n  source: s\n  regex: 'x'\n",
            ":2: test/a: severity must be one of",
        ),
        ("- id: test/a\n  source: s\n  regex: 'x'\n", "test/a: missing 'message'"),
        ("- id: test/a\n  message: m\n  regex: 'x'\n", "test/a: missing 'source'"),
        ("- id: Bad Id\n  message: m\n  source: s\n  regex: 'x'\n", ":1: Bad Id: id 'Bad Id' must look like"),
        ("- message: m\n  source: s\n  regex: 'x'\n", "missing 'id'"),
        (
            "- id: test/a\n  message: m\n  source: s\n  regex: 'x'\n  examples: [a, b]\n",
            ":5: test/a: examples must be a mapping",
        ),
        (
            "- id: test/a\n  message: m\n  source: s\n  kind: caps\n  min_words: many\n",
            ":5: test/a: 'min_words' must be a int",
        ),
        ("- id: test/a\n  message: m\n  source: s\n  kind: emoji\n  max_run: true\n", "'max_run' must be a"),
        ("- id: test/a\n  message: m\n  source: s\n  substitute: ['нет стрелки']\n", "must look like 'wrong → right'"),
        ("- id: test/a\n  message: m\n  source: s\n  patterns: ['x']\n  unless: ['вы должна']\n", "in 'unless'"),
        ("- id: test/a\n  message: [m\n  source: s\n", "bad.yaml:3: invalid YAML"),
        ("id: test/a\nmessage: m\n", "a rule file is a list of rules"),
        ("- &a id: test/a\n- *a\n", "aliases"),
        ("- just a string\n", ":1: each rule is a mapping"),
    ],
)
def test_each_kind_of_error_names_file_line_and_rule(tmp_path: Path, body: str, expected: str) -> None:
    found = problems(tmp_path, body)
    assert found, "no problem reported"
    assert all(p.startswith(str(tmp_path / "bad.yaml")) for p in found)
    assert any(expected in p for p in found), found


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("\n" + GOOD, encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        Linter(rules=[tmp_path], builtin=False)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{tmp_path / 'b.yaml'}:2: test/ok: duplicate id: already defined at ")
    assert f"{tmp_path / 'a.yaml'}:1" in str(problem)


def test_duplicate_of_a_builtin_rule(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD.replace("test/ok", "taboo/dont-know"), encoding="utf-8")
    with pytest.raises(RuleLoadError, match="duplicate id"):
        Linter(rules=[path])


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "- id: test/a\n  message: m\n  source: s\n  patterns: ['вы должна']\n"
        "- id: test/b\n  message: m\n  source: s\n  regex: '('\n",
    )
    assert len(found) == 2
    assert ":4: test/a:" in found[0] and ":8: test/b:" in found[1]


def test_missing_rule_path(tmp_path: Path) -> None:
    with pytest.raises(RuleLoadError, match="no such rule file or folder"):
        Linter(rules=[tmp_path / "nope"], builtin=False)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(GOOD.encode("utf-8") + "# комментарий\n".encode("cp1251"))
    with pytest.raises(RuleLoadError, match=r"bad.yaml:5: not valid UTF-8"):
        Linter(rules=[path], builtin=False)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD, encoding="utf-8")
    linter = Linter(rules=[path], builtin=False)
    assert [d.rule for d in linter.check("Не знаю")] == ["test/ok"]
