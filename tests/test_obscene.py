"""tone/obscene: roots through disguises, the exception list, offsets into the original text."""

from __future__ import annotations

import pytest

from chatlint.kinds import Vocabulary
from chatlint.linter import Linter

RULE = "tone/obscene"


@pytest.fixture(scope="module")
def lint() -> Linter:
    return Linter(select=[RULE])


def spans(linter: Linter, text: str) -> list[str]:
    found = [d for d in linter.check(text) if d.rule == RULE]
    for d in found:
        assert text[d.start : d.end] == d.text
        assert d.severity == "error"
    return [d.text for d in found]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Да х*й его знает", "х*й"),  # a star for a letter
        ("Ну и п**дец", "п**дец"),  # two stars
        ("Б.л.я, опять сбой", "Б.л.я"),  # dots between letters
        ("это п-и-з-д-е-ц", "п-и-з-д-е-ц"),  # hyphens between letters
        ("опять х у й знает что", "х у й"),  # letters spaced out
        ("Опять xyйня с оплатой", "xyйня"),  # Latin look-alikes
        ("Ну и пи3дец", "пи3дец"),  # a digit for a letter
        ("Бляяяять, ну сколько можно", "Бляяяять"),  # stretched letters
        ("это blyat какой-то", "blyat"),  # transliteration
        ("Ашот сука!за что", "сука"),  # a missing space after «!»
        ("ЗАЕБАЛИ уже", "ЗАЕБАЛИ"),  # capitals
        ("Какой же ты долбоёб", "долбоёб"),
        ("Мне по**ую, говорит", "по**ую"),  # prefix + stars
        ("Оценка: Х** из 10", None),  # one letter and stars say nothing
        ("ну х......й с ним", "х......й"),  # a long run of dots for the hidden letters
        ("да бл....ь, опять", "бл....ь"),
        ("сцуко, не грузится", "сцуко"),  # «сц» for «с», «о» for «а»
        ("блдь, снова", "блдь"),  # the vowel dropped
        ("этот пидобол опять", "пидобол"),
        ("Ну.....посмотрим завтра", None),  # dots before a whole word: punctuation
        ("Спасибо.....Ждём ответа", None),
        ("ну б%б.л.я, опять", "б.л.я"),  # a disguised word glued after a symbol
        ("ну б. л. я, опять", "б. л. я"),  # letters spaced out by a dot and a blank
    ],
)
def test_disguises(lint: Linter, text: str, flagged: str | None) -> None:
    assert spans(lint, text) == ([flagged] if flagged else [])


def test_offsets_point_into_the_original_text(lint: Linter) -> None:
    text = "Здравствуйте! Курьер сказал: «да пошли вы нах*й». Мы разберёмся."
    [d] = lint.check(text)
    assert (d.start, d.end) == (text.index("нах*й"), text.index("нах*й") + len("нах*й"))


def test_quoted_obscenity_is_still_flagged(lint: Linter) -> None:
    assert spans(lint, "Вы написали «это пиздец», понимаю ваше возмущение.") == ["пиздец"]


@pytest.mark.parametrize(
    "text",
    [
        "Команда поддержки на связи.",
        "Мандарины в наличии.",
        "Прибор потребляет 5 Вт.",
        "Курс может колебаться.",
        "Страховка оформлена, застрахуйте и вторую посылку.",
        "Скипидар 0,5 л.",
        "Не стоит оскорблять сотрудников.",
        "Корабля не будет до пятницы.",
        "Сабля декоративная, 300 рублей.",
        "Хлеб привезём утром, Глеб.",
        "Не рекомендуем употреблять после срока годности.",
        "Ребёнок может оформить заказ.",
        "Учебный центр, требуется паспорт.",
        "Вебинар начнётся в 19:00.",
        "Мандат подписан, мудрое решение.",
        "Всё прошло без сучка и задоринки.",
        "Хуан, здравствуйте! Херес и херувимы в наличии.",
        "Hue и saturation настраиваются в редакторе.",
        "Психуй не психуй, а курьер приедет в 10.",
        "Себестоимость указана в накладной.",
        "Лапидарный ответ: всё готово.",
        "Спасибо!Хорошего дня",
        "Хорошо!!!!!Оформляю",
        "Ссылка: https://example.ru/xуй-page",
        "Письмо от Педерсена пришло вчера.",
    ],
)
def test_ordinary_words_never_fire(lint: Linter, text: str) -> None:
    assert spans(lint, text) == []


def test_vocabulary_accept_silences_a_word() -> None:
    linter = Linter(select=[RULE], vocabulary=Vocabulary(accept=frozenset({"Сука"})))
    assert spans(linter, "Река Сука впадает в озеро.") == []


def test_a_root_that_can_take_exponential_time_is_refused(tmp_path) -> None:
    from chatlint.rules import RuleLoadError

    (tmp_path / "slow.yaml").write_text(
        """
- id: house/slow-obscene
  kind: obscene
  severity: error
  message: "м"
  source: "tests"
  roots: ["(а+)+б"]
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleLoadError, match="repeated group"):
        Linter(rules=[tmp_path], builtin=False, cache=False)


def test_a_slow_root_gives_up_with_a_warning(tmp_path, monkeypatch) -> None:
    from chatlint.kinds import obscene
    from chatlint.kinds.regex_rule import RuleTimeoutWarning

    (tmp_path / "slow.yaml").write_text(
        """
- id: house/slow-obscene
  kind: obscene
  severity: error
  message: "м"
  source: "tests"
  roots: ["^(?:а|аа)+б"]
""",
        encoding="utf-8",
    )
    linter = Linter(rules=[tmp_path], builtin=False, cache=False)
    monkeypatch.setattr(obscene, "ROOT_TIMEOUT", 0.000001)
    with pytest.warns(RuleTimeoutWarning, match="house/slow-obscene"):
        linter.check("а" * 40 + "в")
