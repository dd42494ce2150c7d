"""spelling/typo: curated misspellings, context slips, unknown words, names and the vocabulary."""

from __future__ import annotations

import pytest

from chatlint.kinds import Vocabulary
from chatlint.linter import Linter
from chatlint.spell import Speller

RULE = "spelling/typo"


@pytest.fixture(scope="module")
def lint() -> Linter:
    return Linter(select=[RULE])


def found(linter: Linter, text: str) -> list:
    out = [d for d in linter.check(text) if d.rule == RULE]
    for d in out:
        assert text[d.start : d.end] == d.text
    return out


@pytest.mark.parametrize(
    ("text", "span", "fix"),
    [
        ("Здраствуйте! Чем помочь?", "Здраствуйте", "Здравствуйте"),
        ("ИЗВЕНИТЕ за ожидание", "ИЗВЕНИТЕ", "ИЗВИНИТЕ"),
        ("Уточните, пожалуста, адрес", "пожалуста", "пожалуйста"),
        ("Вообщем, всё готово", "Вообщем", "В общем"),
        ("Курьер прийдёт завтра", "прийдёт", "придёт"),  # a stem entry keeps the ending
        ("Мы расчитали сумму", "расчитали", "рассчитали"),
        ("Ответим в течении 15 минут", "в течении", "в течение"),
        ("Доставим в течении рабочего дня", "в течении", "в течение"),
        ("Выберете пункт выдачи", "Выберете", "Выберите"),
        ("Пожалуйста, напишете номер заказа", "напишете", "напишите"),
        ("Откройте профиль и выберете тариф", "выберете", "выберите"),
        ("Вам необходимо определится с тарифом", "определится", "определиться"),
        ("Вам нужно зарегистрироватся на сайте", "зарегистрироватся", "зарегистрироваться"),
        # «-ться» where the clause has a subject and nothing that takes an infinitive
        ("Оплата заказа производиться онлайн", "производиться", "производится"),
        ("Деньги вернуться на карту завтра", "вернуться", "вернутся"),
        ("Бронь отмениться автоматически", "отмениться", "отменится"),
        # «не» apart from a verb that exists only with it
        ("Мы не доумеваем, куда делся заказ", "не доумеваем", "недоумеваем"),
        ("Покупатели не годуют", "не годуют", "негодуют"),
        ("Не навижу ждать", "Не навижу", "Ненавижу"),
    ],
)
def test_curated_and_context_slips_get_a_safe_fix(lint: Linter, text: str, span: str, fix: str) -> None:
    [d] = found(lint, text)
    assert d.text == span
    assert d.severity == "warning"
    assert d.fix is not None and d.fix.safe and d.fix.replacement == fix


@pytest.mark.parametrize(
    "text",
    [
        "В течение дня курьер позвонит.",
        "В течении болезни бывают осложнения.",
        "Когда выберете тариф, напишите мне.",
        "Если напишете нам завтра, ответим сразу.",
        "Вы выберете пункт сами?",
        "Подождёте минутку? Я уточню.",
        "Как только выберете, дайте знать.",
        "Может, оплатится позже: банк задерживает платежи.",
        "Платёж необходимо провести сегодня, тогда заказ оплатится сразу.",
        "Курьер постарается связаться с вами до обеда.",
        "Ваша задача — просто расслабиться.",
        "Записаться на примерку можно по ссылке.",
        "Время регистрироваться: акция заканчивается.",
        "Мы рады стараться для вас.",
        "Курьер приедет, чтобы забрать посылку и расписаться.",
        "Мы не видим вашу заявку.",
        "Вы не доплатили 100 рублей.",
    ],
)
def test_correct_uses_are_not_flagged(lint: Linter, text: str) -> None:
    assert found(lint, text) == []


@pytest.mark.parametrize(
    ("text", "span", "first"),
    [
        ("Проверьте утсройство, пожалуйста.", "утсройство", "устройство"),
        ("Это запрешено правилами.", "запрешено", "запрещено"),
        ("Вы момжете назначить редактора.", "момжете", "можете"),
        ("Приложение имеет руссифицированную версию.", "руссифицированную", "русифицированную"),
        ("Проверьте настройки приложеня.", "приложеня", "приложения"),
        ("Все метариалы на сайте.", "метариалы", "материалы"),  # two slips
    ],
)
def test_unknown_words_get_suggestions_but_no_safe_fix(lint: Linter, text: str, span: str, first: str) -> None:
    [d] = found(lint, text)
    assert d.text == span
    assert d.severity == "info"
    assert d.suggestions[0] == first
    assert d.fix is not None and not d.fix.safe


@pytest.mark.parametrize(
    "text",
    [
        "Ваш менеджер Кристина Айвазовская, курьер Лёха Миранчук.",  # names inside a sentence
        "Заказ доставит СДЭК, код ПВЗ в СМС.",  # acronyms
        "Скачайте Telegram или WhatsApp.",  # Latin words
        "Пишите на help@example.ru или https://example.ru/podderzhka",
        "Промокод SPRING25, заказ №A12345, {{client_name}}.",
        "Видеоредактор и аудиопоток, автовоспроизведение и предпросмотр.",  # prefix compounds
        "Переподключитесь и перезайдите в аккаунт.",
        "Сделайте скрин и пришлите в чат.",  # accepted jargon
        "Какой-нибудь вариант подойдёт, кто-то из коллег ответит.",
        "Неоплаченный заказ отменится.",
    ],
)
def test_names_codes_and_jargon_are_not_flagged(lint: Linter, text: str) -> None:
    assert found(lint, text) == []


@pytest.mark.parametrize(
    ("text", "span", "first"),
    [
        ("Вы увидете письмо через минуту.", "увидете", "увидите"),
        ("Курьер видет ваш адрес?", "видет", "видит"),  # not «в» + «идет»
        ("Они платют картой.", "платют", "платят"),
    ],
)
def test_the_other_conjugations_ending_is_suggested_first(lint: Linter, text: str, span: str, first: str) -> None:
    [d] = found(lint, text)
    assert d.text == span
    assert d.suggestions[0] == first


def test_a_missing_space_is_suggested(lint: Linter) -> None:
    [d] = found(lint, "Сейчас неработает оплата.")
    assert "не работает" in d.suggestions


def test_vocabulary_accept_and_reject() -> None:
    text = "Откройте Рутубчик и проверьте утсройство."
    plain = Linter(select=[RULE])
    assert [d.text for d in found(plain, text)] == ["утсройство"]
    linter = Linter(
        select=[RULE], vocabulary=Vocabulary(accept=frozenset({"утсройство"}), reject=frozenset({"откройте"}))
    )
    assert [d.text for d in found(linter, text)] == ["Откройте"]


def test_user_severity_override_wins_over_the_unknown_word_severity() -> None:
    linter = Linter(select=[RULE], severity={RULE: "error"})
    assert {d.severity for d in found(linter, "Проверьте утсройство. Извените.")} == {"error"}


def test_speller_dictionary_and_candidates() -> None:
    sp = Speller()
    assert sp.known("ещё") and sp.known("еще") and not sp.known("извените")
    assert sp.candidates("пожалуста")[0].word == "пожалуйста"
    assert sp.candidates("извените")[0].word == "извините"  # a vowel slip beats a keyboard slip
    assert "максимальное" not in [c.word for c in sp.candidates("максимальное")]  # never its own candidate


def test_both_dawg_backends_find_the_same_candidates() -> None:
    """pymorphy3 loads the C ``dawg`` module when it is installed, else ``dawg_python``."""
    import os

    dawg_python = pytest.importorskip("dawg_python")
    from chatlint.morph import analyzer

    path = os.path.join(analyzer().dictionary.path, "words.dawg")
    pure = Speller(words=dawg_python.RecordDAWG(">HH").load(path))
    default = Speller()
    assert pure._by_index
    for word in ("утсройство", "пожалуста", "метариалы", "аксимальное"):
        assert pure.candidates(word) == default.candidates(word)
    assert pure.known("ещё") and pure.known("еще") and not pure.known("извените")


def test_an_unknown_word_guess_yields_to_a_more_precise_rule() -> None:
    linter = Linter()
    rules = {d.rule for d in linter.check("Курьер сказал, что ему похуй.")}
    assert "tone/obscene" in rules and RULE not in rules
    assert [d.rule for d in linter.check("Проверьте, пожалуйста, утсройство.")] == [RULE]


def test_a_typo_inside_an_info_level_sentence_finding_is_still_reported() -> None:
    """A request without «пожалуйста» is advice on the sentence; it says nothing about the word."""
    found = [(d.rule, d.start) for d in Linter().check("Проверьте утсройство.")]
    assert found == [("style/bare-imperative", 0), (RULE, 10)]
