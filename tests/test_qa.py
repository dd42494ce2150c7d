"""The QA score of chatlint.qa on real conversations checked by the built-in rules."""

from __future__ import annotations

import pytest

from chatlint.config import ConfigFileError, load_config
from chatlint.dialogue import parse_script
from chatlint.linter import Linter
from chatlint.pipeline import check_conversation
from chatlint.qa import CATEGORIES, QAConfig, QAConfigError, qa_config, score, score_conversation

GOOD = """\
0:00 client: Здравствуйте, заказ до сих пор не пришёл!
0:15 operator(Мария): Здравствуйте! Понимаю, как это неприятно. Сейчас проверю заказ. Подскажите, пожалуйста, как к вам обращаться?
0:40 client: Анна
0:55 operator(Мария): Анна, заказ у курьера, привезём сегодня до 18:00. Спасибо, что подождали.
1:30 client: Спасибо
1:45 operator(Мария): Если появятся вопросы — пишите. Хорошего дня!
"""
BAD = """\
0:00 client: Заказ до сих пор не пришёл, безобразие!
0:20 operator(Игорь): Номер заказа
0:40 client: 48213
0:55 operator(Игорь): Я не знаю, это не ко мне. Успокойтесь
1:10 client: И что мне делать?
1:25 operator(Игорь): Ок
"""


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def _score(script: str, linter: Linter, config: QAConfig | None = None):
    conv = parse_script(script)
    return score_conversation(conv, check_conversation(conv, linter), linter, config)


def test_a_model_conversation_scores_full_marks(linter):
    qa = _score(GOOD, linter)
    assert qa.score == 100.0
    assert set(qa.categories) == set(CATEGORIES)
    assert all(c.score == 100.0 and c.findings == 0 for c in qa.categories.values())


def test_a_bad_conversation_loses_points_in_the_categories_its_findings_feed(linter):
    qa = _score(BAD, linter)
    cats = qa.categories
    assert qa.score is not None and qa.score < 50
    # no greeting (warning) and no name asked (info): 1 - 0.5 - 0.25
    assert cats["greeting"].score == 25.0
    assert cats["greeting"].rules == {"dialogue/greeting": 1, "dialogue/ask-name": 1}
    # «Я не знаю» and «это не ко мне» are errors: no solution offered
    assert cats["solution"].score == 0.0
    assert set(cats["solution"].rules) == {"taboo/dont-know", "tone/passing-buck"}
    assert cats["empathy"].score == 0.0 and "tone/calm-down" in cats["empathy"].rules
    assert cats["closing"].score == 75.0  # the chat ends on «Ок» (info)
    assert cats["understanding"].score == 100.0
    # «Ок»: one of three replies has a spelling/tone warning
    assert cats["spelling_tone"].score == pytest.approx(66.7)


def test_spelling_and_tone_is_the_share_of_clean_replies(linter):
    script = """\
0:00 client: Где мой заказ?
0:10 operator: Здравствуйте! Подскажите, пожалуйста, как к вам обращаться?
0:30 client: Олег
0:40 operator: Олег, заказ передан курьеру, привезём сегодня.
2:00 operator: ВНИМАНИЕ! Оплата только картой.
3:30 operator: Если появятся вопросы — пишите. Хорошего дня!
"""
    qa = _score(script, linter)
    tone = qa.categories["spelling_tone"]
    assert tone.findings >= 1 and "style/caps" in tone.rules
    assert tone.score == 75.0  # one reply of four flagged


def test_weights_from_the_configuration_change_the_total(linter, tmp_path):
    path = tmp_path / "chatlint.toml"
    path.write_text(
        "[qa.weights]\nsolution = 100\ngreeting = 0\nunderstanding = 0\nempathy = 0\nspelling_tone = 0\nclosing = 0\n",
        encoding="utf-8",
    )
    config = load_config(path)
    only_solution = qa_config(config.qa)
    assert _score(BAD, linter, only_solution).score == 0.0
    assert _score(GOOD, linter, only_solution).score == 100.0


def test_the_rule_table_can_move_a_rule_or_take_it_out(linter):
    moved = qa_config({"categories": {"tone/calm-down": "solution", "dialogue/please-thanks": ""}})
    cats = _score(BAD, linter, moved).categories
    assert "tone/calm-down" in cats["solution"].rules
    assert "dialogue/please-thanks" not in cats["empathy"].rules
    assert moved.category_of("style/caps") == "spelling_tone"  # prefix
    assert moved.category_of("dialogue/first-response") is None  # speed is reported, not scored


def test_a_category_without_enabled_rules_is_not_applicable(linter):
    conv = parse_script(BAD)
    only_taboo = Linter(select=["taboo"])
    qa = score_conversation(conv, check_conversation(conv, only_taboo), only_taboo)
    assert qa.categories["closing"].score is None and qa.categories["greeting"].score is None
    # taboo/* feeds spelling_tone, empathy (in-your-place) and solution (dont-know): only those count
    assert qa.categories["solution"].score == 0.0
    assert qa.categories["empathy"].score == 100.0
    assert qa.score == pytest.approx(100 * 40 / 60, abs=0.05)


def test_no_operator_reply_means_no_score():
    qa = score([], replies=0)
    assert qa.score is None
    assert qa.to_dict()["categories"]["closing"]["weight"] == 10


@pytest.mark.parametrize(
    "data, key",
    [
        ({"weight": {}}, "weight"),
        ({"weights": {"closing": -1}}, "weights.closing"),
        ({"weights": {"closing": "high"}}, "weights.closing"),
        ({"categories": {"style/caps": "grammar"}}, "categories.style/caps"),
    ],
)
def test_bad_qa_values_are_errors_naming_the_key(data, key):
    with pytest.raises(QAConfigError) as info:
        qa_config(data)
    assert info.value.key == key


def test_a_bad_qa_table_in_a_config_file_names_file_and_key(tmp_path):
    path = tmp_path / "chatlint.toml"
    path.write_text('[qa.weights]\nclosing = "high"\n', encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"chatlint.toml.*qa\.weights\.closing: must be a number"):
        load_config(path)
