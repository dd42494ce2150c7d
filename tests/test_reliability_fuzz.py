"""Fuzzing by the input classes that found the defects of issue 14: aliases and deep nesting
in every YAML and JSON reader, pathological regexes in every user-supplied pattern, invalid
numbers in timestamps (control characters in output fields: tests/test_reliability_output.py).

Profiles (tests/conftest.py, docs/reliability.md): ``ci`` by default (a few dozen examples,
a quarter of that for the slow ones); ``HYPOTHESIS_PROFILE=long`` before a release. Time
limits are lowered here (0.02 s), so a regex that escaped them would show as a test that
exceeds its hypothesis deadline, not as a hang."""

from __future__ import annotations

import json
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatlint import pattern
from chatlint.cli import main
from chatlint.config import ConfigFileError, load_config
from chatlint.kinds import dialogue as dialogue_kinds
from chatlint.kinds import regex_rule
from chatlint.linter import Linter
from chatlint.rules import RuleLoadError
from chatlint.sources import InputError
from chatlint.templates.mapping import FileText
from chatlint.templates.yaml_reader import read_yaml

SLOW = settings(
    max_examples=max(5, settings.default.max_examples // 4),
    deadline=timedelta(seconds=30),  # far above the lowered limits: only a hang crosses it
    suppress_health_check=list(HealthCheck),
)


# --- YAML: anchors, aliases, nesting -------------------------------------------------------
@st.composite
def yaml_documents(draw) -> str:
    """A YAML mapping with anchors, aliases (forward, backward, recursive) and deep nesting."""
    lines, anchors = [], []
    for i in range(draw(st.integers(1, 8))):
        shape = draw(st.sampled_from(["plain", "anchor", "alias", "laughs", "deep", "flow-deep", "recursive"]))
        key = f"k{i}"
        if shape == "plain":
            lines.append(f"{key}: {draw(st.sampled_from(['Я не знаю!!!', 'Спасибо', '«да»']))}")
        elif shape == "anchor":
            lines.append(f"{key}: &a{i} [Я не знаю!!!, x]")
            anchors.append(f"a{i}")
        elif shape == "alias" and anchors:
            lines.append(f"{key}: [{', '.join('*' + draw(st.sampled_from(anchors)) for _ in range(9))}]")
        elif shape == "laughs" and anchors:
            lines.append(f"{key}: &a{i} [{', '.join(['*' + anchors[-1]] * 9)}]")
            anchors.append(f"a{i}")
        elif shape == "deep":
            depth = draw(st.integers(1, 60))
            lines.append(f"{key}:" + "".join(f"\n{'  ' * (d + 1)}- " for d in range(depth)).rstrip() + " x")
        elif shape == "flow-deep":
            depth = draw(st.integers(1, 5000))
            lines.append(f"{key}: " + "[" * depth + "]" * depth)
        elif shape == "recursive":
            lines.append(f"{key}: &r{i} [*r{i}, Я не знаю!!!]")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "# chatlint: ignore")
    return "\n".join(lines) + "\n"


@SLOW
@given(yaml_documents())
def test_any_template_yaml_is_read_or_refused(text: str) -> None:
    try:
        replies = list(read_yaml(FileText("lib.yaml", text, text.encode(), "utf-8", False)))
    except InputError:
        return
    assert all(isinstance(r.text, str) for r in replies)


@SLOW
@given(yaml_documents())
def test_any_config_yaml_is_loaded_or_refused(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / ".chatlint.yaml"
    path.write_text(text.replace("k0:", "exclude:", 1), encoding="utf-8")
    try:
        load_config(path)
    except ConfigFileError as exc:
        assert "\n" not in str(exc)


@SLOW
@given(yaml_documents())
def test_any_rule_yaml_is_loaded_or_refused(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("rules") / "r.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        Linter(rules=[path], builtin=False, cache=False)
    except RuleLoadError:
        pass


# --- JSON: depth in every reader --------------------------------------------------------------
@st.composite
def deep_json(draw) -> str:
    depth = draw(st.integers(1, 100_000))
    opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    return opening * depth + ("1" if opening == "[" else "1") + closing * depth


@SLOW
@given(deep_json(), st.sampled_from(["lib.json", "chats.json", "chats.jsonl"]), st.booleans())
def test_any_nesting_in_a_json_file_is_one_problem_at_most(tmp_path_factory, deep: str, name: str, with_good) -> None:
    folder = tmp_path_factory.mktemp("json")
    good = json.dumps({"conversation_id": "c1", "role": "operator", "author": "Оля", "text": "Я не знаю!!!"})
    text = (good + "\n" + deep + "\n") if name.endswith("jsonl") and with_good else deep
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "good.txt").write_text("Я не знаю!!!\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(folder / name), str(folder / "good.txt")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (1, 2)
    assert "internal error" not in result.stderr
    assert "good.txt:1:1: error taboo/dont-know" in result.stdout


# --- pathological regexes in every user-supplied pattern ---------------------------------------
SHAPES = ["({x}|{x}{x})+{y}", "({x}+)+{y}", "({x}*)*{y}", "({x}|{x}?)+{y}", "(?:{x}{x}?)+{y}", "({x}+{x}+)+{y}"]


@st.composite
def evil(draw) -> tuple[str, str]:
    """A regex that backtracks exponentially, and a text it backtracks on (the required «y» present)."""
    x, y = draw(st.sampled_from([("а", "б"), ("о", "в"), ("к", "ш")]))
    source = draw(st.sampled_from(SHAPES)).format(x=x, y=y)
    text = y + " " + x * draw(st.integers(30, 60)) + "ё"
    return source, text


@pytest.fixture()
def short_limits(monkeypatch):
    monkeypatch.setattr(regex_rule, "TIMEOUT_SECONDS", 0.02)
    monkeypatch.setattr(pattern, "REGEX_TIMEOUT", 0.02)
    monkeypatch.setattr(dialogue_kinds, "PHRASE_TIMEOUT", 0.02)


def _rule_file(folder: Path, body: str) -> Path:
    path = folder / "r.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@SLOW
@given(evil())
def test_a_pathological_regex_rule_is_cut_off(tmp_path_factory, short_limits, case) -> None:
    source, text = case
    y = source[-1]
    path = _rule_file(
        tmp_path_factory.mktemp("re"),
        f"- id: house/evil\n  kind: regex\n  message: m\n  source: s\n  regex: '{source}'\n"
        f"  examples:\n    bad: ['{source[1]}{y}']\n    good: ['где']\n",
    )
    linter = Linter(rules=[path], builtin=False, cache=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", regex_rule.RuleTimeoutWarning)
        linter.check(text * 3)


@SLOW
@given(evil())
def test_a_pathological_regex_atom_is_cut_off(tmp_path_factory, short_limits, case) -> None:
    source, text = case
    if "?" in source:
        return  # «?» ends a pattern element: the shapes without it cover atoms
    y = source[-1]
    path = _rule_file(
        tmp_path_factory.mktemp("atom"),
        f"- id: house/evil\n  kind: pattern\n  message: m\n  source: s\n  patterns: ['/{source}/']\n"
        f"  examples:\n    bad: ['{source[1]}{y}']\n    good: ['где']\n",
    )
    linter = Linter(rules=[path], builtin=False, cache=False)
    words = " ".join(text.split()[1][: 30 + i] + y + "ё" * i for i in range(20))  # different words
    linter.check(words)


@SLOW
@given(evil())
def test_pathological_dialogue_phrases_are_cut_off(tmp_path_factory, short_limits, case) -> None:
    source, text = case
    folder = tmp_path_factory.mktemp("dlg")
    (folder / ".chatlint.yaml").write_text(
        f"options:\n  dialogue/greeting:\n    greetings: ['{source}']\n", encoding="utf-8"
    )
    line = {"conversation_id": "c1", "role": "operator", "author": "Оля", "text": text}
    (folder / "chats.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", regex_rule.RuleTimeoutWarning)
        result = CliRunner().invoke(main, ["check", str(folder / "chats.jsonl")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1)


# --- invalid numbers in timestamps ---------------------------------------------------------------
BAD_NUMBERS = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e300", "1e20", "-1e20", "99999999999999999999"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(max_examples=max(5, settings.default.max_examples // 4), deadline=None)
@given(BAD_NUMBERS)
def test_an_invalid_timestamp_loses_only_its_record(tmp_path_factory, number: str) -> None:
    folder = tmp_path_factory.mktemp("ts")
    bad = '{"conversation_id": "c1", "role": "operator", "author": "Оля", "text": "Я не знаю!!!", "timestamp": %s}'
    good = '{"conversation_id": "c2", "role": "operator", "author": "Оля", "text": "Я не знаю!!!", "timestamp": 1700000000}'
    (folder / "chats.jsonl").write_text(bad % number + "\n" + good + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(folder / "chats.jsonl")])
    assert "internal error" not in result.stderr
    assert result.exit_code in (1, 2)
    assert any(
        line.startswith(f"{folder / 'chats.jsonl'}:2:") and "error taboo/dont-know" in line
        for line in result.stdout.splitlines()
    )
