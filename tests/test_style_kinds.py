"""Unit tests for the rule kinds added with the style/ rules: abbreviation, typography, vy-case."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatlint.linter import ConfigError, Linter
from chatlint.rules import RuleLoadError


def _linter(tmp_path: Path, body: str, **kwargs) -> Linter:
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    return Linter([path], builtin=False, **kwargs)


TYPO = """
- id: t/typo
  kind: typography
  severity: info
  message: "typo"
  source: test
"""


@pytest.fixture
def typo(tmp_path: Path) -> Linter:
    return _linter(tmp_path, TYPO)


def _fixed(linter: Linter, text: str) -> str:
    out = text
    for d in sorted(linter.check(text), key=lambda d: d.start, reverse=True):
        assert d.fix is not None, d
        out = out[: d.fix.start] + d.fix.replacement + out[d.fix.end :]
    return out


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("Здравствуйте ,Анна !", "Здравствуйте, Анна!"),
        ("Ваш  заказ", "Ваш заказ"),
        ("Заказ в пути)))", "Заказ в пути"),
        ("Спасибоооо!", "Спасибо!"),
        ("Ооочень рады", "Очень рады"),
        ("Как это???", "Как это?"),
        ("Правда?!?", "Правда?!"),
        ("Доставлен.Спасибо", "Доставлен. Спасибо"),
        ("Спасибо за зaказ", "Спасибо за заказ"),
        ("Подождите....", "Подождите..."),
    ],
)
def test_typography_fixes(typo: Linter, text: str, fixed: str) -> None:
    assert _fixed(typo, text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте, Анна!",
        "Пишите на help@shop.ru , ответим.",
        "Откройте shop.ru и войдите.",
        "Спасибо :)",
        "1,5 тысячи",
        "Правда?! Проверю.",
        "Заказ (номер (старый)) найден.",
        "Wi-Fi, iPhone, QR-код",
        "Готово.  Ждём вас.",
        "Счёт на ООО «Ромашка»",
    ],
)
def test_typography_leaves_clean_text(typo: Linter, text: str) -> None:
    assert typo.check(text) == [], [d.text for d in typo.check(text)]


def test_typography_offsets_point_into_the_text(typo: Linter) -> None:
    text = "Ок ,вот  так)))"
    for d in typo.check(text):
        assert text[d.start : d.end] == d.text


def test_typography_unknown_stretched_word_is_not_a_safe_fix(typo: Linter) -> None:
    (d,) = typo.check("Зыыыв")
    assert d.fix is not None and not d.fix.safe


def test_typography_exclamation_runs_are_left_to_the_exclamation_rule(typo: Linter) -> None:
    assert typo.check("Спасибо!!!") == []
    assert typo.check("Как?!!") == []


def test_typography_checks_can_be_narrowed(tmp_path: Path) -> None:
    linter = _linter(tmp_path, TYPO, options={"t/typo": {"checks": ["brackets"]}})
    assert [d.text for d in linter.check("Ваш  заказ в пути)))")] == [")))"]


def test_typography_rejects_unknown_check(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown typography check"):
        _linter(tmp_path, TYPO, options={"t/typo": {"checks": ["kerning"]}})


def test_typography_allow_list(tmp_path: Path) -> None:
    linter = _linter(tmp_path, TYPO + '  allow: ["зыыыв"]\n')
    assert linter.check("Зыыыв") == []


VY = """
- id: t/vy
  kind: vy-case
  severity: info
  message: "vy"
  source: test
"""


def test_vy_case_flags_the_minority(tmp_path: Path) -> None:
    linter = _linter(tmp_path, VY)
    text = "Мы отправили Вам чек на вашу почту и Вашу посылку."
    (d,) = linter.check(text)
    assert d.text == "вашу" and d.fix.replacement == "Вашу" and d.fix.safe


def test_vy_case_tie_follows_the_first(tmp_path: Path) -> None:
    linter = _linter(tmp_path, VY)
    (d,) = linter.check("Мы отправили вам чек на Вашу почту.")
    assert d.text == "Вашу" and d.fix.replacement == "вашу"


def test_vy_case_ignores_sentence_starts_and_caps(tmp_path: Path) -> None:
    linter = _linter(tmp_path, VY)
    assert linter.check("Вы правы! Мы отправим вам чек.") == []
    assert linter.check("Статус: Ваш заказ готов, ждём вас.") == []
    assert linter.check("Откройте ваш профиль; Вы попадёте в настройки.") == []
    assert linter.check("Команда ВЫ поздравляет вас.") == []


@pytest.mark.parametrize(
    ("require", "text", "flagged"), [("вы", "Мы ждём Вас и вас.", ["Вас"]), ("Вы", "Мы ждём вас.", ["вас"])]
)
def test_vy_case_require(tmp_path: Path, require: str, text: str, flagged: list[str]) -> None:
    linter = _linter(tmp_path, VY, options={"t/vy": {"require": require}})
    assert [d.text for d in linter.check(text)] == flagged


def test_vy_case_rejects_bad_require(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="require"):
        _linter(tmp_path, VY, options={"t/vy": {"require": "ВЫ"}})


ABBR = """
- id: t/abbr
  kind: abbreviation
  severity: warning
  message: "abbr"
  source: test
  words:
    спс: спасибо
    "т.к.": так как | потому что
    "в т.ч.": в том числе
    "мин.": минут
    ок: хорошо
  units: ["мин."]
  skip_upper: [ок]
"""


@pytest.fixture
def abbr(tmp_path: Path) -> Linter:
    return _linter(tmp_path, ABBR)


def test_abbreviation_expands_with_case(abbr: Linter) -> None:
    (d,) = abbr.check("Спс за ожидание")
    assert d.text == "Спс" and d.fix.replacement == "Спасибо" and d.fix.safe


def test_abbreviation_dotted_and_spaced(abbr: Linter) -> None:
    assert [d.text for d in abbr.check("Т. к. заказ оплачен, всё в т.ч. доставка")] == ["Т. к.", "в т.ч."]


def test_abbreviation_several_full_forms_is_not_a_safe_fix(abbr: Linter) -> None:
    (d,) = abbr.check("т.к. оплачено")
    assert d.suggestions == ("так как", "потому что") and not d.fix.safe


def test_abbreviation_units_next_to_numbers(abbr: Linter) -> None:
    assert abbr.check("Курьер будет через 10 мин.") == []
    assert [d.text for d in abbr.check("Подождите пару мин., уточню.")] == ["мин."]


def test_abbreviation_whole_words_only(abbr: Linter) -> None:
    assert abbr.check("Окно доставки, спсб, Ок-банк, (ОК)") == []
    assert abbr.check("https://shop.ru/ок") == []
    assert abbr.check("Дата в формате ок.мм, скорость 100 ок/с") == []


def test_abbreviation_needs_words(tmp_path: Path) -> None:
    with pytest.raises(RuleLoadError, match="words"):
        _linter(tmp_path, ABBR.replace("  words:", "  wordz:").split("  units")[0])


def test_ambiguous_substitution_is_not_a_safe_fix(tmp_path: Path) -> None:
    linter = _linter(
        tmp_path,
        """
- id: t/sub
  kind: substitute
  severity: warning
  message: "sub"
  source: test
  substitute: ["скинуть → прислать | отправить", "«щас» → сейчас"]
""",
    )
    one, two = linter.check("Щас скиньте фото.")
    assert one.fix.replacement == "Сейчас" and one.fix.safe
    assert two.suggestions == ("пришлите", "отправьте") and not two.fix.safe
