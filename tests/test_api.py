"""The library API: Linter, check(), selection, overrides, thread safety."""

from __future__ import annotations

import threading

import pytest

import chatlint
from chatlint.linter import ConfigError, Linter


def test_check_returns_sorted_diagnostics_with_exact_spans(linter: Linter) -> None:
    text = "ЗДРАВСТВУЙТЕ!!! Я не знаю. Вы должны подождать 😡😡😡"
    result = linter.check(text)
    assert [d.rule for d in result] == [
        "style/caps", "style/exclamation", "taboo/dont-know", "taboo/you-must", "style/emoji"
    ]  # fmt: skip
    assert result == sorted(result, key=lambda d: (d.start, d.end, d.rule))
    for d in result:
        assert text[d.start : d.end] == d.text
        assert d.severity in ("error", "warning", "info")
        assert d.message and d.source


def test_module_level_check_uses_a_shared_default_linter() -> None:
    assert [d.rule for d in chatlint.check("Я не знаю!!!")] == ["taboo/dont-know", "style/exclamation"]
    assert chatlint.check("Здравствуйте! Сейчас проверю заказ.") == []


def test_diagnostic_is_immutable_and_serialisable(linter: Linter) -> None:
    (d,) = linter.check("Заказ отправлен!!")
    with pytest.raises(AttributeError):
        d.rule = "x"  # type: ignore[misc]
    data = d.to_dict()
    assert data["fix"] == {"start": 15, "end": 17, "replacement": "!", "safe": True}


def test_select_ignore_and_categories() -> None:
    text = "Я не знаю!!!"
    assert [d.rule for d in Linter(select=["taboo"]).check(text)] == ["taboo/dont-know"]
    assert [d.rule for d in Linter(select=["taboo/"]).check(text)] == ["taboo/dont-know"]
    assert [d.rule for d in Linter(ignore=["taboo/dont-know"]).check(text)] == ["style/exclamation"]
    assert Linter(select=["style/caps"]).check(text) == []


def test_unknown_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown rule or category 'taboo/nope'"):
        Linter(select=["taboo/nope"])
    with pytest.raises(ConfigError, match="severity override for unknown rule"):
        Linter(severity={"nope/x": "error"})
    with pytest.raises(ConfigError, match="must be one of"):
        Linter(severity={"style/caps": "fatal"})


def test_severity_and_option_overrides() -> None:
    linter = Linter(severity={"style/exclamation": "info"}, options={"style/exclamation": {"max_run": 3}})
    assert linter.check("Спасибо!!!") == []
    (d,) = linter.check("Спасибо!!!!")
    assert d.severity == "info"


def test_own_rules_only_and_added_rules(tmp_path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "- id: shop/no-cheap\n  message: m\n  source: s\n  patterns: ['дешёвый']\n",
        encoding="utf-8",
    )
    mine = Linter(rules=[path], builtin=False)
    assert [r.id for r in mine.rules] == ["shop/no-cheap"]
    assert [d.rule for d in mine.check("Дешёвые товары!!!")] == ["shop/no-cheap"]
    both = Linter(rules=[path])
    assert [d.rule for d in both.check("Дешёвые товары!!!")] == ["shop/no-cheap", "style/exclamation"]


def test_off_by_default_rules_need_their_full_id(tmp_path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "- id: shop/opt\n  message: m\n  source: s\n  enabled: false\n  patterns: ['дешёвый']\n",
        encoding="utf-8",
    )
    assert Linter(rules=[path], builtin=False).check("дешёвый") == []
    assert Linter(rules=[path], builtin=False, select=["shop"]).check("дешёвый") == []
    assert len(Linter(rules=[path], builtin=False, select=["shop/opt"]).check("дешёвый")) == 1
    assert len(Linter(rules=[path], builtin=False, extend_select=["shop/opt"]).check("дешёвый")) == 1


def test_check_rejects_non_text(linter: Linter) -> None:
    with pytest.raises(TypeError):
        linter.check(b"bytes")  # type: ignore[arg-type]


def test_quoted_client_text_is_skipped(linter: Linter) -> None:
    assert linter.check("Вы пишете: «Я не знаю пароль». Сейчас помогу его восстановить.") == []
    assert linter.check("> Я не знаю пароль\nСейчас помогу его восстановить.") == []


def test_one_linter_is_safe_from_many_threads(linter: Linter) -> None:
    texts = [f"Я не знаю, где заказ {i}!!! Вы должны ПОДОЖДАТЬ ЕЩЁ." for i in range(200)]
    expected = [linter.check(t) for t in texts]
    results: dict[int, list] = {}

    def work(k: int) -> None:
        results[k] = [linter.check(t) for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(8))
