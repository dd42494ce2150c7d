"""Template-library readers: every finding points at the exact file line:col of the flagged text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.linter import Linter
from chatlint.sources import InputError, replies_from
from chatlint.templates import TemplateOptions, csv_replies, json_replies, text_replies, yaml_replies
from chatlint.templates.mapping import FileText
from chatlint.templates.yaml_scalar import decode_scalar


@pytest.fixture(scope="module")
def lint() -> Linter:
    return Linter()


def offset_of(text: str, line: int, col: int) -> int:
    """The offset of 1-based (line, col) in a text whose lines end in \\n, \\r\\n or \\r."""
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + col - 1


def findings(lint: Linter, replies) -> list[tuple[str, str, int, int]]:
    out = []
    for reply in replies:
        for d in lint.check(reply.text):
            line, col = reply.line_col(d.start)
            out.append((d.rule, d.text, line, col))
    return out


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> tuple[Path, str]:
    path = tmp_path / name
    text = text.replace("\n", newline)
    path.write_bytes(text.encode(encoding))
    return path, text.removeprefix("\ufeff")


def assert_points_at_itself(text: str, found: list[tuple[str, str, int, int]]) -> None:
    """Each flagged text (no escapes in it) starts exactly at its reported line:col."""
    for rule, flagged, line, col in found:
        at = offset_of(text, line, col)
        assert text[at : at + len(flagged)] == flagged, (rule, flagged, line, col, text[at : at + 20])


YAML_LIB = """\
# Быстрые ответы
greeting: Здравствуйте! ВАШ ЗАКАЗ уже в пути.
quoted: "Строка с \\"кавычками\\", \\u0416 и \\t табом: ВАШ ЗАКАЗ!!!"
single: 'Это ''цитата'' и ВАШ ЗАКАЗ'
literal: |
  Спасибо за ожидание.
    Отступ сохраняется: ВАШ ЗАКАЗ.

  Я не знаю, где курьер.
folded: >-
  Первая строка
  продолжается: ВАШ ЗАКАЗ
  отправлен!!!
nested:
  - text: "Перенос\\nстроки: Я не знаю."
    id: 7
  - content: ОЧЕНЬ ВАЖНО указать номер.
"""


def test_yaml_positions_in_every_scalar_style(tmp_path: Path, lint: Linter) -> None:
    path, text = write(tmp_path, "lib.yaml", YAML_LIB)
    found = findings(lint, yaml_replies(path))
    assert ("style/caps", "ВАШ ЗАКАЗ", 2, 25) in found
    assert ("style/caps", "ВАШ ЗАКАЗ", 3, 53) in found  # after \" \u0416 \t escapes
    assert ("style/exclamation", "!!!", 3, 62) in found
    assert ("style/caps", "ВАШ ЗАКАЗ", 4, 27) in found  # after '' escapes
    assert ("style/caps", "ВАШ ЗАКАЗ", 7, 25) in found  # literal block, extra indentation kept
    assert ("taboo/dont-know", "Я не знаю", 9, 3) in found
    assert ("style/caps", "ВАШ ЗАКАЗ", 12, 17) in found  # folded block, second line
    assert ("style/exclamation", "!!!", 13, 12) in found
    assert ("taboo/dont-know", "Я не знаю", 15, 29) in found  # after \n escape
    assert ("style/caps", "ОЧЕНЬ ВАЖНО", 17, 14) in found
    assert_points_at_itself(text, found)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_yaml_crlf_and_bom_keep_columns(tmp_path: Path, lint: Linter, newline: str, bom: str) -> None:
    path, text = write(tmp_path, "lib.yaml", bom + YAML_LIB, newline=newline)
    found = findings(lint, yaml_replies(path))
    assert ("style/caps", "ВАШ ЗАКАЗ", 12, 17) in found
    assert ("taboo/dont-know", "Я не знаю", 9, 3) in found
    assert ("style/caps", "ВАШ ЗАКАЗ", 3, 53) in found
    assert_points_at_itself(text, found)


def test_yaml_shapes_list_of_texts_and_custom_fields(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "a.yaml", "- Первый ответ\n- Второй ответ\n")
    assert [r.text for r in yaml_replies(path)] == ["Первый ответ", "Второй ответ"]
    path, _ = write(tmp_path, "b.yaml", "- body: Первый\n  title: a\n- body: Второй\n")
    assert [r.text for r in yaml_replies(path)] == ["Первый", "a", "Второй"]  # no text field: every string
    options = TemplateOptions(fields=("body",))
    replies = list(yaml_replies(path, options=options))
    assert [r.text for r in replies] == ["Первый", "Второй"]
    assert replies[0].meta["template"] == "a"
    path, _ = write(tmp_path, "c.yaml", "version: 2\nreplies:\n  hello: Привет\n  bye: {answer: Пока, tags: [x]}\n")
    replies = list(yaml_replies(path))
    assert [(r.meta["template"], r.text) for r in replies] == [("replies.hello", "Привет"), ("replies.bye", "Пока")]


def test_bad_yaml_is_an_input_error_with_a_line(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "bad.yaml", "a: ok\nb: [unclosed\n")
    with pytest.raises(InputError) as info:
        list(yaml_replies(path))
    assert info.value.line >= 2 and "bad YAML" in info.value.message


_scalar_text = st.lists(
    st.sampled_from(list("абвгд ЖЗ!,.:-'\"\\#\t\nxyz{}ё😀") + ["  ", "\n\n", " \n", "\r\n"]), min_size=1, max_size=40
).map("".join)


_LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@settings(max_examples=400, deadline=None)
@given(
    _scalar_text,
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.integers(min_value=10, max_value=40),
    st.sampled_from(_LOADERS),
)
def test_yaml_scalar_map_agrees_with_pyyaml(value: str, style: str | None, width: int, loader) -> None:
    source = yaml.dump({"key": value}, default_style=style, allow_unicode=True, width=width)
    node = yaml.compose(source, Loader=loader)
    scalar = node.value[0][1]
    file = FileText("x.yaml", source)
    mapped = decode_scalar(file, scalar.start_mark.index, scalar.end_mark.index, scalar.style, scalar.value)
    assert mapped is not None, (source, scalar.style)
    for i, ch in enumerate(scalar.value):
        if not mapped.synthetic[i] and mapped.ends[i] - mapped.starts[i] == 1:
            assert source[mapped.starts[i]] == ch
        span = mapped.file_span(i, i + 1)
        if span is not None:
            raw = source[span[0] : span[1]]
            assert raw == ch or raw.startswith(("\\", "''")), (raw, ch)


def test_json_positions_with_escapes_and_chatwoot_shape(tmp_path: Path, lint: Linter) -> None:
    data = {
        "payload": [
            {"id": 1, "short_code": "hello", "content": "Здравствуйте! ВАШ ЗАКАЗ уже в пути."},
            {"id": 2, "short_code": "esc", "content": 'Строка "в кавычках"\nЯ не знаю, 😀 ОЧЕНЬ ВАЖНО.'},
        ]
    }
    path, text = write(tmp_path, "canned.json", json.dumps(data, ensure_ascii=False, indent=2))
    replies = list(json_replies(path))
    assert [r.meta["template"] for r in replies] == ["hello", "esc"]
    found = findings(lint, replies)
    assert_points_at_itself(text, found)
    assert {f[1] for f in found} >= {"ВАШ ЗАКАЗ", "Я не знаю", "ОЧЕНЬ ВАЖНО"}
    # the same file with every non-ASCII character escaped (\\uXXXX, surrogate pairs for emoji)
    path, text = write(tmp_path, "ascii.json", json.dumps(data, ensure_ascii=True))
    found = findings(lint, json_replies(path))
    caps = [f for f in found if f[1] == "ОЧЕНЬ ВАЖНО"][0]
    at = offset_of(text, caps[2], caps[3])
    assert text[at : at + 6] == "\\u041e"  # «О» written as an escape


def test_json_list_of_texts_and_name_map(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "a.json", '["Один", "Два"]')
    assert [r.text for r in json_replies(path)] == ["Один", "Два"]
    path, _ = write(tmp_path, "b.json", '{"hi": "Привет", "bye": "Пока", "n": 3}')
    assert [(r.meta["template"], r.text) for r in json_replies(path)] == [("hi", "Привет"), ("bye", "Пока")]


def test_bad_json_names_line(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "bad.json", '[\n  "ok",\n  "unterminated\n]')
    with pytest.raises(InputError) as info:
        list(json_replies(path))
    assert info.value.line == 3


def test_csv_quoting_crlf_and_column_by_name(tmp_path: Path, lint: Linter) -> None:
    source = 'id;title;answer\n1;hi;"Строка ""в кавычках""\nЯ не знаю; ВАШ ЗАКАЗ"\n2;bye;Просто ОЧЕНЬ ВАЖНО\n3;x;\n'
    for newline in ("\n", "\r\n"):
        path, text = write(tmp_path, "lib.csv", "\ufeff" + source, newline=newline)
        replies = list(csv_replies(path))
        assert [r.meta["template"] for r in replies] == ["hi", "bye", "x"]
        found = findings(lint, replies)
        assert ("taboo/dont-know", "Я не знаю", 3, 1) in found
        assert ("style/caps", "ВАШ ЗАКАЗ", 3, 12) in found
        assert ("style/caps", "ОЧЕНЬ ВАЖНО", 4, 14) in found
        assert_points_at_itself(text, found)
    path, _ = write(tmp_path, "cols.csv", "key,body\na,Текст\n")
    assert [r.text for r in csv_replies(path, options=TemplateOptions(csv_column="body"))] == ["Текст"]
    with pytest.raises(InputError) as info:
        list(csv_replies(path))
    assert "no column named" in info.value.message and "key, body" in info.value.message


MD = """\
---
title: Шаблоны
---
# Доставка ВАЖНО ЗНАТЬ

Здравствуйте! ВАШ ЗАКАЗ
уже в пути.

- Я не знаю, где курьер.
- Второй пункт: ОЧЕНЬ ВАЖНО
  продолжение пункта.
1. Нумерованный: Я не знаю.

```
Я не знаю — это код, не ответ.
```

    Я не знаю — отступ, тоже код.

Последний абзац ОЧЕНЬ ВАЖНЫЙ.
"""


def test_markdown_paragraphs_and_items_skip_code(tmp_path: Path, lint: Linter) -> None:
    path, text = write(tmp_path, "lib.md", MD)
    replies = list(replies_from(path))
    assert [r.text.split()[0] for r in replies] == ["Здравствуйте!", "Я", "Второй", "Нумерованный:", "Последний"]
    found = findings(lint, replies)
    assert ("style/caps", "ВАШ ЗАКАЗ", 6, 15) in found
    assert ("taboo/dont-know", "Я не знаю", 9, 3) in found
    assert ("taboo/dont-know", "Я не знаю", 12, 18) in found
    assert all(line not in (4, 15, 18) for _, _, line, _ in found)  # heading and code blocks
    assert_points_at_itself(text, found)


def test_txt_whole_file_or_paragraphs(tmp_path: Path, lint: Linter) -> None:
    path, text = write(tmp_path, "a.txt", "Первый абзац.\r\n\r\nВторой: Я не знаю.\r\n", newline="\n")
    assert len(list(text_replies(path))) == 1
    replies = list(text_replies(path, options=TemplateOptions(txt_paragraphs=True)))
    assert [r.text for r in replies] == ["Первый абзац.", "Второй: Я не знаю."]
    found = findings(lint, replies)
    assert found == [("taboo/dont-know", "Я не знаю", 3, 9)]


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте, [ИМЯ КЛИЕНТА]! Заказ готов.",
        "Заказ {{ORDER_ID}} готов.",
        "Здравствуйте, %CLIENT_NAME%!",
        "{NAME}, заказ готов.",
    ],
)
def test_placeholders_are_not_words(lint: Linter, text: str) -> None:
    from chatlint.text import tokenize

    spans = [(t.start, t.end) for t in tokenize(text) if t.kind == "placeholder"]
    assert spans
    found = lint.check(text)
    assert not [d for d in found if any(d.start < e and s < d.end for s, e in spans)]
    assert not [d for d in found if d.rule.startswith(("style/caps", "spelling/"))]


def test_a_control_character_in_yaml_is_a_one_line_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_bytes(b"a: ok\nb: x\x01y\n")
    with pytest.raises(InputError) as exc:
        list(yaml_replies(path))
    assert "\n" not in str(exc.value) and "U+0001" in str(exc.value)
    assert ":2:" in str(exc.value)
