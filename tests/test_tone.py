"""tone/* rules: one lemma catches every inflection; quoted client text is not the operator's."""

from __future__ import annotations

import pytest

from chatlint.linter import Linter


def _fired(linter: Linter, text: str, rule: str) -> list[str]:
    return [d.text for d in linter.check(text) if d.rule == rule]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("style/coarse", "Это бред."),  # about nothing in particular: coarse, not aimed at the client
        ("tone/rude", "Хватит нести бреда."),
        ("tone/rude", "Не пишите чушь."),
        ("tone/rude", "Вы идиоты."),
        ("tone/rude", "Отстань уже."),
        ("tone/rude", "Отстаньте уже."),
        ("tone/calm-down", "Успокойся."),
        ("tone/calm-down", "Успокойтесь."),
        ("tone/wait-command", "Жди."),
        ("tone/wait-command", "Ждите."),
        ("tone/wait-command", "Ожидай."),
        ("tone/wait-command", "Ожидайте ответа."),
        ("tone/overpromise", "Гарантирую."),
        ("tone/overpromise", "Гарантируем."),
        ("tone/overpromise", "Обещаю."),
        ("tone/overpromise", "Обещаем."),
        ("tone/condescending", "Как я уже писал, доставка платная."),
        ("tone/condescending", "Как я уже писала, доставка платная."),
        ("tone/condescending", "Как я вам уже говорил, доставка платная."),
        ("tone/empty-apology", "Приношу извинения."),
        ("tone/empty-apology", "Приносим извинения."),
        ("tone/passing-buck", "Я этим не занимаюсь."),
        ("tone/passing-buck", "Мы этим не занимаемся."),
    ],
)
def test_inflections_are_caught(linter: Linter, rule: str, text: str) -> None:
    assert _fired(linter, text, rule), f"{rule} missed {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "Вы написали: «это бред, а не сервис». Понимаю ваше недовольство, сейчас проверю заказ.",
        "> отстаньте от меня со своими опросами\nХорошо, отключила рассылку опросов.",
        "Клиент пишет «успокойтесь все», но это цитата из отзыва.",
    ],
)
def test_quoted_client_text_is_skipped(linter: Linter, text: str) -> None:
    tone = [d for d in linter.check(text) if d.rule.startswith("tone/")]
    assert tone == []


def test_hedging_is_off_by_default(linter: Linter, all_rules_linter: Linter) -> None:
    text = "Постараюсь узнать и вернусь."
    assert _fired(linter, text, "tone/hedging") == []
    assert _fired(all_rules_linter, text, "tone/hedging") == ["Постараюсь"]


def test_unexplained_request_is_cancelled_by_a_reason_anywhere_in_the_reply(linter: Linter) -> None:
    rule = "tone/unexplained-request"
    assert _fired(linter, "Пришлите фото паспорта.", rule) == ["Пришлите фото паспорта"]
    assert _fired(linter, "Пришлите фото паспорта. Это нужно, чтобы банк подтвердил перевод.", rule) == []


def test_severities_are_deliberate(linter: Linter) -> None:
    severity = {r.id: r.severity for r in linter.all_rules if r.id.startswith("tone/")}
    errors = {"tone/rude", "tone/passing-buck", "tone/calm-down", "tone/condescending", "tone/blame-shift"}
    assert {k for k, v in severity.items() if v == "error"} >= errors
    assert severity["tone/hedging"] == "info"
    assert severity["tone/unexplained-request"] == "info"


def test_hedging_meets_the_corpus_thresholds_when_selected() -> None:
    """tone/hedging is off by default, so tests/test_corpus.py does not score it: do it here."""
    from pathlib import Path

    from chatlint.evaluate import evaluate, load_entries

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    entries, files = load_entries([corpus / "labelled", corpus / "clean"])
    score = evaluate(Linter(select=["tone/hedging"]), entries, files).scores["tone/hedging"]
    assert score.tp >= 20
    assert score.tp / (score.tp + score.fp) >= 0.95
    assert score.tp / (score.tp + score.fn) >= 0.90


@pytest.fixture(scope="module")
def rude() -> Linter:
    return Linter(select=["tone/rude"])


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Опять этот осёл из бухгалтерии всё напутал.", True),  # an animal insult with a demonstrative
        ("Этот осёл — плюшевая игрушка, 30 см.", False),  # the same word, the literal sense
        ("Да вы как свора шакалов, честное слово.", True),  # a simile at the reader
        ("Стадо коров пасётся у фермы, сыр оттуда.", False),
        ("Продавец тупой попался, извините за него.", True),  # a person called stupid
        ("Карандаш тупой? Заточилка в комплекте.", False),  # a thing
        ("Руки бы поотрывать тем, кто так упаковал.", True),  # a wish of violence
        ("Уберите руки от экрана и подождите минуту.", False),
        ("Что за клоун принимал ваш заказ?", True),
        ("Что за шарики привезут к празднику?", False),
        # the target decides: the reader, a third person, oneself, a thing
        ("Мне плевать на ваш возврат.", True),  # a brush-off aimed at the reader
        ("Мне всё равно, какой склад отправит заказ: срок одинаковый.", False),  # about a thing
        ("Хватит умничать, нажмите кнопку.", True),
        ("Коллеги любят умничать на планёрках.", False),  # others, not the reader
        ("Не морочьте мне голову с этим чеком.", True),
        ("Поставщики морочат голову всем магазинам.", False),
        ("Таких клиентов я бы лично придушила.", True),  # a wish in the subjunctive
        ("В детективе сыщик застрелил преступника на последней странице.", False),  # a deed reported
        ("Ты негодяй, раз так пишешь.", True),  # a judgement aimed at the reader
        ("В сказке негодяй наказан, книга в наличии.", False),  # of a character
        ("Простите, у меня каша в голове с утра: перепроверю номер.", False),  # oneself
        ("У вас каша в голове, перечитайте договор.", True),
        ("Простите, я сегодня полный растяпа и лузер.", False),
        ("Девочка на принте строит рожицы.", False),  # making faces
        ("Безголовый манекен продаётся отдельно.", False),  # a thing
        ("Почему вы называете курьера наркоманом?", False),  # a name reported
    ],
)
def test_rude_by_target(rude: Linter, text: str, fires: bool) -> None:
    assert bool(_fired(rude, text, "tone/rude")) is fires
