"""The text layer: token kinds, offsets into the original text, normalisation, sentences."""

from __future__ import annotations

import pytest

from chatlint.text import has_lookalikes, normalise, quoted_spans, sentence_spans, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


def test_offsets_point_into_the_original_text() -> None:
    text = "Здравствуйте,  Анна!\r\nЗаказ №123 — в пути 🚚."
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


@pytest.mark.parametrize("word", ["кто-то", "по-моему", "е-мейл", "из-за", "д’Артаньян"])
def test_hyphenated_and_apostrophe_words_are_one_token(word: str) -> None:
    assert kinds(f"Это {word} тут")[1] == ("word", word)


@pytest.mark.parametrize(
    "emoji",
    ["👨‍👩‍👧", "👍🏽", "🇷🇺", "1️⃣", "#️⃣", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👩🏽‍💻"],
)
def test_emoji_sequences_are_one_token(emoji: str) -> None:
    tokens = tokenize(f"Спасибо {emoji} вам")
    assert [t.kind for t in tokens] == ["word", "emoji", "word"]
    assert tokens[1].text == emoji


def test_special_tokens() -> None:
    text = (
        "Пишите на help@shop.ru или https://shop.ru/help?id=5, звоните +7 (999) 123-45-67, "
        "@anna_support, {{name}}, %NAME%, [ИМЯ], код SALE2024, 1500 руб."
    )
    found = {(t.kind, t.text) for t in tokenize(text)}
    assert ("email", "help@shop.ru") in found
    assert ("url", "https://shop.ru/help?id=5") in found
    assert ("phone", "+7 (999) 123-45-67") in found
    assert ("mention", "@anna_support") in found
    assert ("placeholder", "{{name}}") in found
    assert ("placeholder", "%NAME%") in found
    assert ("placeholder", "[ИМЯ]") in found
    assert ("code", "SALE2024") in found
    assert ("number", "1500") in found


def test_combining_marks_stay_inside_the_word() -> None:
    text = "Заме\u0301тно лучше"
    tokens = tokenize(text)
    assert tokens[0].text == "Заме\u0301тно"
    assert text[tokens[1].start : tokens[1].end] == "лучше"


def test_crlf_offsets_and_sentences() -> None:
    text = "Добрый день\r\nЯ проверю заказ"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["Добрый", "день", "Я", "проверю", "заказ"]
    assert tokens[2].start == text.index("Я")
    assert tokens[2].sentence == 1 and tokens[1].sentence == 0


def test_normalisation_is_for_matching_only() -> None:
    text = "Ещё нe знаю"  # «e» in «нe» is Latin
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["еще", "не", "знаю"]
    assert tokens[1].text == "нe"
    assert has_lookalikes("нe") and not has_lookalikes("не") and not has_lookalikes("ok")
    assert normalise("OK") == "ok"
    assert normalise("USB-кабель") == "usb-кабель"
    assert normalise("USB-кaбель") == "usb-кабель"  # Latin «a» inside the Cyrillic part


def test_sentence_boundaries() -> None:
    tokens = tokenize("Спасибо! Заказ 5 шт. уже в пути… Ждём вас, т.е. завтра.")
    sentences = [[t.text for t in tokens[a:b]] for a, b in sentence_spans(tokens)]
    assert sentences[0] == ["Спасибо", "!"]
    assert sentences[1][:2] == ["Заказ", "5"]
    assert "т" in sentences[-1]  # «т.е.» followed by lower case does not end a sentence
    assert sentences[-1][0] == "Ждём"


def test_quoted_spans() -> None:
    text = "Вы написали: «Я не знаю пароль». Сейчас помогу.\n> цитата"
    spans = [text[a:b] for a, b in quoted_spans(text)]
    assert "«Я не знаю пароль»" in spans
    assert any(s.startswith("> цитата") for s in spans)
