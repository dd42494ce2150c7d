"""The disguise normaliser, kind by kind: each kind's cases through tone/obscene (≥ 0.9 caught),
the innocent words that look like them silent, and invisible characters in the tokenizer."""

from __future__ import annotations

import pytest

from chatlint import disguise
from chatlint.linter import Linter
from chatlint.text import tokenize

RULE = "tone/obscene"

# Disguised mat by kind. Each list is held to 0.9 caught (every case should be; the margin
# keeps one awkward case from hiding the rest).
KINDS = {
    "separators": ["е..ный сервис", "ну и пи...ц", "х-у-й знает", "б.л.я", "п.и.з.д.е.ц", "на х у й",
                   "бл ять", "пи зда какая-то", "ху йня", "е_б_а_т_ь", "х|уйня", "ё…аный"],
    "symbols": ["х@йню прислали", "х*й", "п**дец", "х\"йня", "е#ать", "бл%дь", "с^ка", "п!зда", "ох*еть",
                "з@еб@ли", "$ука", "пи%дец"],
    "digits": ["пи3дец", "3аебали", "хуйн9", "6ля", "0хуели", "бл9ть", "пизд0с", "3@eбали"],
    "scripts": ["xyйня", "пiздец", "пі3дец", "οхуеть", "нαхуй", "ｈｕｉ", "ｂｌｙａｔ", "blyat", "pizdec",
                "ЗАЕБАЛИ", "сyка", "ёбaный"],
    "invisible": ["пи\u200bздец", "х\u00adуй", "бля\u2060ть", "за\u200dебали", "ху\u0301й", "\ufeffсука",
                  "пиз\ufe0fдец", "х\u200cуйня", "ебат\u0300ь"],
    "stretched": ["бляяять", "хуууйня", "пиииздец", "сууука", "заебааали", "ооохуеть"],
    "phonetic": ["заибало", "ибучий", "писдец", "пля буду", "ёбаный", "йобаный", "спиздетс", "заипали"],
    "glued": ["б%б.л.я", "ну б. л. я", "хх#х.у.й", "ё%х.у.й!"],  # letters spaced out after a symbol
}  # fmt: skip

INNOCENT = [
    "Иванова Е.Б. свяжется с вами.", "Договор подписал Пе***ов, данные скрыты.", "Спасибо!Ездить можно.",
    "Ебонитовая палочка в комплекте, ебонит не проводит ток.", "Сухие сучья убрали с участка.",
    "Манду можно заказать с доставкой.", "Вы из Херенвена? Доставка туда есть.", "Книга в формате eBook.",
    "Цвет Ebony, размер M.", "Hera Syndulla — фигурка в наличии.", "Suki — это кафе на Невском.",
    "Спасибо.Ездить можно с 10 утра.", "Ибо такова политика.", "Либо завтра, либо в пятницу.",
    "Пи равно 3,14.", "Хулиган в подъезде — это к участковому.", "Колебания курса бывают.",
    "Плюс один бонус.", "Т.е. вы получите скидку.", "Оплата Е.Б. Смирновой принята.",
    # the same kinds, other words (held-out text will differ again)
    "Эбонитовый и ебонитовый мундштук — одно и то же.", "Сучьев на участке много, пришлём бригаду.",
    "Рецепт: манду с говядиной.", "Матч Херенвена перенесли.", "Скачайте eBooks в личном кабинете.",
    "Ebonite — материал корпуса.", "Модель Hera 2 снята с продажи.", "Заказ для Suki Tanaka собран.",
    "Петрова Х.У. получила посылку.", "Договор подписала Бл***ова.", "Хорошо!Ехать лучше днём.",
    "Готово!Ебонитовые ручки уже в пути.",
]  # fmt: skip


@pytest.fixture(scope="module")
def lint() -> Linter:
    return Linter(select=[RULE])


def _fires(linter: Linter, text: str) -> bool:
    found = [d for d in linter.check(text) if d.rule == RULE]
    for d in found:
        assert text[d.start : d.end] == d.text
    return bool(found)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_is_caught(lint: Linter, kind: str) -> None:
    cases = KINDS[kind]
    missed = [c for c in cases if not _fires(lint, c)]
    assert (len(cases) - len(missed)) / len(cases) >= 0.9, missed


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_look_alikes_stay_silent(lint: Linter, text: str) -> None:
    assert not _fires(lint, text)


def test_strip_invisible_keeps_a_map_to_the_original() -> None:
    text = "не\u200bзна\u00adю"
    clean, where = disguise.strip_invisible(text)
    assert clean == "незнаю"
    assert [text[i] for i in where] == list(clean)
    assert disguise.strip_invisible("обычный текст") == ("обычный текст", None)


def test_emoji_joiners_and_variation_selectors_stay() -> None:
    for emoji in ("👨\u200d👩\u200d👧", "❤\ufe0f", "1\ufe0f\u20e3"):
        assert disguise.strip_invisible(f"ок {emoji} да") == (f"ок {emoji} да", None)


def test_breve_composes_into_short_i() -> None:
    assert disguise.strip_invisible("и\u0306ога")[0] == "йога"


def test_readings_fold_each_kind() -> None:
    assert "х*йню" in disguise.readings("х@йню")
    assert "е**ный" in disguise.readings("е..ный")
    assert "пиздец" in disguise.readings("пі3дец")
    assert "охуеть" in disguise.readings("οхуеть")  # Greek omicron
    assert "блять" in disguise.readings("бляяять")
    assert disguise.readings("привет") == {"привет"}
    assert disguise.phonetic("заибало") == "заебало"
    assert disguise.phonetic("писдец") == "пиздец"


def test_may_be_disguised_is_false_for_plain_words() -> None:
    assert not disguise.may_be_disguised("доставка")
    assert disguise.may_be_disguised("x@й")
    assert disguise.may_be_disguised("ооочень")


@pytest.mark.parametrize("mark", ["\u200b", "\u00ad", "\u200d", "\u2060", "\u0301", "\ufeff", "\ufe0f", "\u200c"])
def test_invisible_characters_do_not_split_a_word(mark: str) -> None:
    text = f"Я не зна{mark}ю, когда"
    words = [t for t in tokenize(text) if t.kind == "word"]
    assert [t.norm for t in words] == ["я", "не", "знаю", "когда"]
    assert words[2].text == text[words[2].start : words[2].end] == f"зна{mark}ю"


@pytest.mark.parametrize("mark", ["\u200b", "\u00ad", "\u2060", "\u0301", "\ufe0f"])
def test_invisible_characters_do_not_defeat_the_taboo_rules(mark: str) -> None:
    linter = Linter(select=["taboo/dont-know"])
    text = f"Я не зн{mark}аю, когда привезут."
    [d] = linter.check(text)
    assert text[d.start : d.end] == d.text and mark in d.text


def test_fullwidth_and_greek_look_alikes_are_read_as_cyrillic() -> None:
    assert [t.norm for t in tokenize("нο ｏｋ")] == ["но", "ok"]


def test_the_innocent_corpus_stays_silent() -> None:
    """corpus/innocent: 300+ operator sentences full of look-alike names, places, brands and
    technical words; neither tone rule nor style/coarse may fire on any of them."""
    from pathlib import Path

    from chatlint.evaluate import load_entries

    entries, _ = load_entries([Path(__file__).parent.parent / "corpus" / "innocent"])
    assert len(entries) >= 300
    linter = Linter(select=[RULE, "tone/rude", "style/coarse"])
    alarms = [(e.text, d.text) for e in entries for d in linter.check(e.text)]
    assert alarms == []
