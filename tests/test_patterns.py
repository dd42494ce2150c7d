"""The pattern language and the substitute kind, through rules written in a temporary YAML file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatlint.linter import Linter

ROOT = Path(__file__).resolve().parent.parent


def make(tmp_path: Path, body: str) -> Linter:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return Linter(rules=[path], builtin=False)


def spans(linter: Linter, text: str) -> list[str]:
    return [d.text for d in linter.check(text)]


RULE = """
- id: test/rule
  message: "m {{match}}"
  source: test
  patterns: [{patterns}]
"""


def rule(tmp_path: Path, *patterns: str) -> Linter:
    quoted = ", ".join(f"'{p}'" for p in patterns)
    return make(tmp_path, RULE.replace("{patterns}", quoted).replace("{{match}}", "{match}"))


@pytest.mark.parametrize("text", ["не знаю", "Не знаем", "не знала", "НЕ ЗНАЛИ", "не знаешь", "не знал"])
def test_lemma_matches_every_inflection(tmp_path: Path, text: str) -> None:
    assert spans(rule(tmp_path, "не знать"), f"Я {text}, простите.") == [text]


def test_exact_form_matches_only_that_form(tmp_path: Path) -> None:
    linter = rule(tmp_path, "не «знаю»")
    assert spans(linter, "Не знаю.") == ["Не знаю"]
    assert spans(linter, "Не знаем.") == []


def test_grammemes_and_lemma_with_grammemes(tmp_path: Path) -> None:
    linter = rule(tmp_path, "не знать{1per}")
    assert spans(linter, "Не знаю") == ["Не знаю"]
    assert spans(linter, "Не знаете") == []
    linter = rule(tmp_path, "вы {VERB,2per}")
    assert spans(linter, "Вы ошибаетесь") == ["Вы ошибаетесь"]
    assert spans(linter, "Вы правы") == []


def test_ambiguous_word_matches_any_dictionary_parse(tmp_path: Path) -> None:
    # «стекло» is both a noun and the past tense of «стечь»
    linter = rule(tmp_path, "стечь")
    assert spans(linter, "Всё стекло вниз") == ["стекло"]


def test_optional_alternatives_and_negation(tmp_path: Path) -> None:
    linter = rule(tmp_path, "(я|мы)? не знать")
    assert spans(linter, "Мы не знаем") == ["Мы не знаем"]
    assert spans(linter, "Он не знает") == ["не знает"]
    linter = rule(tmp_path, "!вы не знать")
    assert spans(linter, "Вы не знаете") == []
    assert spans(linter, "Я не знаю") == ["Я не знаю"]


def test_gap_allows_up_to_n_words(tmp_path: Path) -> None:
    linter = rule(tmp_path, "вы ...2 должный")
    assert spans(linter, "Вы должны") == ["Вы должны"]
    assert spans(linter, "Вы точно всё должны") == ["Вы точно всё должны"]
    assert spans(linter, "Вы точно всё это должны") == []


def test_commas_and_dashes_are_skipped_sentence_ends_are_not(tmp_path: Path) -> None:
    linter = rule(tmp_path, "нет проблема")
    assert spans(linter, "Нет, проблема в другом") == ["Нет, проблема"]
    assert spans(linter, "Нет — проблема в другом") == ["Нет — проблема"]
    assert spans(linter, "Нет. Проблема в другом") == []
    assert spans(linter, "Нет: проблема в другом") == []


def test_anchors(tmp_path: Path) -> None:
    linter = rule(tmp_path, "^ нет $")
    assert spans(linter, "Нет.") == ["Нет"]
    assert spans(linter, "Спасибо. Нет!") == ["Нет"]
    assert spans(linter, "Нет проблем") == []
    assert spans(linter, "Товара нет.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Извините, но это не так.",
        "Простите, это не так.",
        "Добрый день, это не так.",
        "Уважаемая Анна Петровна, это не так.",
        "Ой, ну, это не так.",
        "Мария, это не так.",  # a capitalised first name (pymorphy3's Name) is an address
        "Игорь Петрович, это не так.",
        "Анна, добрый день, это не так.",
    ],
)
def test_sentence_start_after_an_opener_and_its_comma(tmp_path: Path, text: str) -> None:
    assert spans(rule(tmp_path, "^ это не так"), text) == ["это не так"]


@pytest.mark.parametrize(
    "text",
    [
        "Хорошо, это не так важно.",  # «хорошо» is an answer, not an opener
        "мария, это не так.",  # a name in lower case may be a common noun
        "Москва, это не так.",  # not a first name
        "Извините это не так.",  # no comma after the opener
        "Мы думали, это не так.",
        "Извините, пожалуйста, это не так.",  # «пожалуйста» is not in the opener lexicon
    ],
)
def test_no_sentence_start_without_an_opener(tmp_path: Path, text: str) -> None:
    assert spans(rule(tmp_path, "^ это не так"), text) == []


def test_reply_start_anchor(tmp_path: Path) -> None:
    linter = rule(tmp_path, "^^ «доброго» «дня»")
    assert spans(linter, "Доброго дня! Заказ собран.") == ["Доброго дня"]
    assert spans(linter, "Заказ собран. Доброго дня!") == []  # a farewell, not the opening
    assert spans(linter, "Анна, доброго дня!") == []


def test_statement_anchor(tmp_path: Path) -> None:
    linter = rule(tmp_path, "!? вы сам {VERB,past}")
    assert spans(linter, "Вы сами указали этот адрес.") == ["Вы сами указали"]
    assert spans(linter, "Вы сами указали этот адрес? Тогда всё верно.") == []
    assert spans(linter, "Всё верно? Вы сами указали этот адрес.") == ["Вы сами указали"]


def test_regex_element_and_any_word(tmp_path: Path) -> None:
    linter = rule(tmp_path, "/^спс+$/", "очень * спасибо")
    assert spans(linter, "Спссс за заказ") == ["Спссс"]
    assert spans(linter, "очень большое спасибо") == ["очень большое спасибо"]


def test_lookalike_letters_still_match(tmp_path: Path) -> None:
    linter = rule(tmp_path, "не знать")
    text = "Я нe знаю"  # Latin «e»
    assert spans(linter, text) == ["нe знаю"]


def test_unless_cancels_in_the_same_sentence_only(tmp_path: Path) -> None:
    linter = make(
        tmp_path,
        """
        - id: test/rule
          message: m
          source: test
          patterns: ["не знать{1per}"]
          unless: ["уточнить{1per}"]
        """,
    )
    assert spans(linter, "Не знаю, сейчас уточню.") == []
    assert spans(linter, "Не знаю. Уточню позже.") == ["Не знаю"]


def test_suggestion_templates_reinflect_matched_words(tmp_path: Path) -> None:
    linter = make(
        tmp_path,
        """
        - id: test/rule
          message: m
          source: test
          patterns:
            - pattern: "вы должный {INFN}"
              suggest: ["Пожалуйста, {3:impr,plur}", "{1} {обязаться@2}"]
            - pattern: "(я|мы) не знать{1per}"
              suggest: ["{1} {уточнить@3}"]
        """,
    )
    assert linter.check("Вы должны оплатить заказ")[0].suggestions == ("Пожалуйста, оплатите", "Вы обязались")
    assert linter.check("Мы не знаем, когда")[0].suggestions == ("Мы уточним",)


def test_substitute_inflects_and_keeps_case(tmp_path: Path) -> None:
    linter = make(
        tmp_path,
        """
        - id: test/sub
          message: "«{match}» — разговорное"
          source: test
          substitute:
            - прога → программа
            - щас → сейчас
            - «спс», «спасиб» → спасибо
            - в данный момент → сейчас | в настоящее время
        """,
    )
    result = {d.text: d for d in linter.check("Щас скачайте прогу, спс. В данный момент всё работает, ПРОГОЙ довольны")}
    assert result["Щас"].suggestions == ("Сейчас",)
    assert result["прогу"].suggestions == ("программу",)
    assert result["ПРОГОЙ"].suggestions == ("ПРОГРАММОЙ",)
    assert result["спс"].fix.replacement == "спасибо" and result["спс"].fix.safe
    assert result["В данный момент"].suggestions == ("Сейчас", "В настоящее время")
    assert linter.check("спасибка") == []


def test_pattern_word_matches_one_slip_away_and_names_the_typo() -> None:
    from chatlint.linter import Linter

    linter = Linter(select=["taboo/you-must", "tone/calm-down"])
    found = linter.check("Вы обезаны предоставить чек.")
    assert [d.rule for d in found] == ["taboo/you-must"]
    assert "«обезаны» — опечатка, прочитано как «обязаны»" in found[0].message
    assert [d.rule for d in linter.check("Успокойтись, пожалуйста.")] == ["tone/calm-down"]


def test_known_words_get_no_typo_reading() -> None:
    from chatlint.pattern import typo_readings

    assert typo_readings("обязаны") == ()  # a dictionary word is never read as another
    assert typo_readings("должны") == ()
    assert typo_readings("обезаны")[0] == "обязаны"
    assert typo_readings("cool") == ()  # not Cyrillic
    assert typo_readings("знаи") == ()  # too short to guess safely


def test_slack_lets_light_words_stand_between_the_words_of_a_pattern(tmp_path) -> None:
    """``slack: true``: «мне», «же», «уже» … may stand between two matched words, never
    before the first one; without it they break the match."""
    from chatlint.linter import Linter

    rule = (
        "- id: test/slack\n  kind: pattern\n  severity: info\n  message: m\n  source: s\n"
        "  slack: {slack}\n  patterns: ['прекратить{{impr}} писать']\n"
    )
    texts = ["Прекратите мне писать.", "Прекратите уже мне писать.", "Мне прекратите писать."]
    found = {}
    for slack in ("true", "false"):
        path = tmp_path / f"{slack}.yaml"
        path.write_text(rule.format(slack=slack), encoding="utf-8")
        linter = Linter(rules=[path], builtin=False)
        found[slack] = [[d.text for d in linter.check(t)] for t in texts]
    assert found["true"] == [["Прекратите мне писать"], ["Прекратите уже мне писать"], ["прекратите писать"]]
    assert found["false"] == [[], [], ["прекратите писать"]]


def test_a_regex_atom_skips_only_words_it_cannot_match(all_rules_linter) -> None:
    """``required_literal``: every word a pack /regex/ atom matches contains the atom's literal,
    so the shortcut never changes an answer (the pack's atoms, over the corpus's words)."""
    import regex as re_

    from chatlint.pattern import required_literal
    from chatlint.text import tokenize

    assert required_literal("^[а-я]{2,}[оеи]жоп[а-я]{0,4}$") == "жоп"
    assert required_literal("^пасиб[оа]?$") == "пасиб"
    assert required_literal("^спс+$") == "сп"  # the repeated «с» is left out
    assert required_literal("ab|cd") == required_literal("^(хохл|кацап)о") == required_literal("^\\d") == ""
    words = {t[4] for path in ROOT.glob("corpus/**/*.yaml") for t in tokenize(path.read_text(encoding="utf-8"))}
    words |= {"голожопые", "хохлоперевертыш", "пиндостан", "спссс", "пасиба"}
    atoms = set()
    for rule in all_rules_linter.all_rules:
        for pattern, _ in getattr(rule.impl, "_patterns", []):
            atoms |= {a for e in pattern.elements for a in e.atoms if a.kind == "regex"}
    assert atoms
    for atom in atoms:
        if atom.literal:
            missed = [w for w in words if atom.literal not in w and re_.search(atom.value, w, re_.IGNORECASE)]
            assert not missed, (atom.value, missed[:5])
