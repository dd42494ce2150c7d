"""The platform readers added for issue 15 on fixtures written after each platform's documented
format (tests/fixtures/transcripts/platforms), detection that is never silent, exact positions,
CSV and Excel as people export them, and bad records that do not drop a file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from chatlint import formats
from chatlint.cli import main
from chatlint.transcripts import FORMATS, ReadOptions, read

FIX = Path(__file__).parent / "fixtures" / "transcripts"
PLAT = FIX / "platforms"
MSK = ZoneInfo("Europe/Moscow")


def load(path: Path, **kw):
    problems, warnings = [], []
    opts = ReadOptions(tz=MSK, tz_name="Europe/Moscow", problem=lambda p, n, m: problems.append((n, m)),
                       warn=lambda p, n, m: warnings.append((n, m)), **kw)  # fmt: skip
    fmt = formats.detect(path, opts)
    convs = list(read(path, fmt, opts)) if fmt in FORMATS else []
    return fmt, convs, problems, warnings


def kinds(conv) -> list[tuple[str, str]]:
    return [(e.role, e.event_type) for e in conv.events]


EXPECTED = {
    "zendesk_chat.json": ("zendesk_chat", [("client", "message"), ("bot", "message"), ("operator", "join"),
                                           ("operator", "message"), ("operator", "transfer")]),
    "zendesk_ticket.json": ("zendesk_ticket", [("client", "message"), ("operator", "note"), ("operator", "message")]),
    "intercom.json": ("intercom", [("client", "message"), ("bot", "message"), ("operator", "message"),
                                   ("system", "system"), ("operator", "message"), ("system", "transfer")]),
    "freshchat.json": ("freshchat", [("client", "media"), ("operator", "note"), ("operator", "message")]),
    "livechat.json": ("livechat", [("client", "message"), ("operator", "note"), ("operator", "message"),
                                   ("system", "transfer")]),
    "talkme.json": ("talkme", [("client", "message"), ("bot", "message"), ("operator", "note"),
                               ("operator", "message")]),
    "carrotquest.json": ("carrotquest", [("client", "message"), ("bot", "message"), ("operator", "system"),
                                         ("operator", "message"), ("system", "transfer")]),
    "botpress.json": ("botpress", [("client", "message"), ("bot", "message"), ("client", "media")]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_platform_roles_and_kinds(name: str) -> None:
    fmt, convs, problems, _ = load(PLAT / name)
    assert fmt == EXPECTED[name][0] and not problems
    [conv] = convs
    assert kinds(conv) == EXPECTED[name][1]
    assert all(e.timestamp is not None and e.timestamp.tzinfo is not None for e in conv.events)


def test_intercom_html_and_assignment_with_a_reply() -> None:
    _, [conv], _, _ = load(PLAT / "intercom.json")
    assert conv.events[2].text == "Ира, здравствуйте!\nЯ не знаю, где он."
    assert conv.events[4].text == "Передаю коллеге." and conv.events[5].transfer_to == "a2"


def test_rasa_sessions_and_hand_off() -> None:
    fmt, convs, _, _ = load(PLAT / "rasa.json")
    assert fmt == "rasa" and [c.conversation_id for c in convs] == ["web-42", "web-42/2"]
    assert kinds(convs[1]) == [("client", "message"), ("system", "transfer")]


def test_talkme_naive_times_take_the_zone() -> None:
    _, [conv], _, warnings = load(PLAT / "talkme.json")
    assert conv.events[0].timestamp.utcoffset().total_seconds() == 3 * 3600
    assert any("without a time zone" in m for _, m in warnings)


# --- never silent --------------------------------------------------------------------------------
def test_a_folder_of_every_platform_and_an_unknown_one(tmp_path: Path) -> None:
    for path in [*PLAT.iterdir(), *FIX.iterdir()]:
        if path.is_file() and path.name not in ("reply.txt", "templates.json"):
            shutil.copy(path, tmp_path / f"{path.parent.name}-{path.name}")
    (tmp_path / "unknown.json").write_text(
        json.dumps([{"uid": 1, "created": 5, "body": "Я не знаю"}], ensure_ascii=False), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--tz", "Europe/Moscow", "--format", "json",
                                       "--select", "taboo"])  # fmt: skip
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if "not recognised" in line]
    assert (
        len(errors) == 1 and "unknown.json: not recognised: a JSON list of objects with keys body, created" in errors[0]
    )
    assert "--input-format jsonl" in errors[0] and "--map text=KEY" in errors[0]
    found = {(Path(i["path"]).name, i["conversation_id"]) for i in json.loads(result.stdout)}
    for name in set(EXPECTED) - {"botpress.json"}:  # Botpress: the bot and the client only
        assert any(f == f"platforms-{name}" for f, _ in found), name  # every platform's «я не знаю» found
    assert not any(f == "unknown.json" for f, _ in found)


def test_message_like_json_is_never_a_reply_library(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"items": [{"sender": "agent", "text": "Ок"}]}), encoding="utf-8")
    assert formats.detect(path) is None
    library = tmp_path / "canned.json"
    library.write_text(json.dumps([{"short_code": "hi", "content": "Здравствуйте!"}]), encoding="utf-8")
    assert formats.detect(library) == "json-replies"


def test_an_empty_selection_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["check", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no files to check" in result.stderr


def test_registry_names_every_reader() -> None:
    assert set(formats.TRANSCRIPT_FORMATS) == set(FORMATS)
    assert all(callable(f.load()) for f in formats.FORMATS.values())


# --- positions --------------------------------------------------------------------------------------
def _at(path: Path, line: int, column: int, length: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[line - 1][column - 1 : column - 1 + length]


def test_positions_through_json_escapes_and_html(tmp_path: Path) -> None:
    for name, flagged in [("zendesk_chat.json", "Я не знаю"), ("intercom.json", "Я не&nbsp;знаю")]:
        fmt, [conv], _, _ = load(PLAT / name)
        event = next(e for e in conv.events if "не знаю" in e.text or "не\u00a0знаю" in e.text)
        start = event.text.index("Я не")
        line, column = event.position(start)
        assert _at(PLAT / name, line, column, len(flagged)) == flagged, name
    path = tmp_path / "esc.jsonl"
    path.write_text('{"conversation_id": 1, "role": "operator", "text": "\\u041e\\u043a\\n\\"Я не знаю\\""}\n')
    _, [conv], _, _ = load(path)
    line, column = conv.events[0].position(conv.events[0].text.index("Я"))
    assert _at(path, line, column, 9) == "Я не знаю"


def test_sarif_region_lands_on_the_flagged_characters(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    path.write_text('conversation_id,role,text\n1,operator,"Добрый день!\n""Ок"". Я не знаю."\n',
                    encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["check", str(path), "--format", "sarif", "--select", "taboo/dont-know"])
    [hit] = json.loads(result.stdout)["runs"][0]["results"]
    region = hit["locations"][0]["physicalLocation"]["region"]
    assert _at(path, region["startLine"], region["startColumn"], 9) == "Я не знаю"


def test_whatsapp_multiline_positions(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("20.05.2024, 09:00 - Ольга: Привет\n20.05.2024, 09:01 - Банк: Добрый день!\nЯ не знаю.\n",
                    encoding="utf-8")  # fmt: skip
    _, [conv], _, _ = load(path, operators=frozenset({"Банк"}))
    event = conv.events[1]
    assert event.message_id == "2"  # the line it starts on
    assert event.position(0) == (2, 27) and event.position(event.text.index("Я")) == (3, 1)


# --- WhatsApp markers ---------------------------------------------------------------------------------
def test_whatsapp_markers_only_as_whole_messages(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(
        "20.05.2024, 09:00 - Ольга: Данное сообщение удалено\n"
        "20.05.2024, 09:00 - Ольга: This message was deleted\n"
        "20.05.2024, 09:01 - Банк: Карты в наличии нет, доставка отсутствует\n"
        "20.05.2024, 09:02 - Банк: Ваш код безопасности — это пароль из СМС, сообщение удалено не будет\n"
        "20.05.2024, 09:03 - Банк: Ок <Это сообщение было изменено>\n"
        "20.05.2024, 09:04 - Ольга: изображение отсутствует\n",
        encoding="utf-8",
    )
    _, [conv], _, _ = load(path, operators=frozenset({"Банк"}))
    assert kinds(conv) == [("client", "system"), ("client", "system"), ("operator", "message"),
                           ("operator", "message"), ("operator", "message"), ("client", "media")]  # fmt: skip
    assert conv.events[2].text.endswith("отсутствует") and conv.events[4].text == "Ок"


# --- CSV and Excel as people export them ---------------------------------------------------------------
RU_CSV = (
    "Номер обращения;Дата;Время;Кто написал;Сотрудник;Текст сообщения\n"
    "12;20.05.2024;09:00;Посетитель;;Здравствуйте\n"
    "12;20.05.2024;09:02;Менеджер;Анна;Добрый день!\n"
    "12;20.05.2024;;Сотрудник;Анна;Ещё вопросы?\n"
)


def test_russian_headers_split_date_and_time_and_a_date_only_value(tmp_path: Path) -> None:
    path = tmp_path / "выгрузка.csv"
    path.write_bytes(RU_CSV.encode("cp1251"))
    fmt, [conv], problems, warnings = load(path)
    assert fmt == "csv" and not problems
    assert [e.role for e in conv.events] == ["client", "operator", "operator"]
    assert (conv.events[1].timestamp.hour, conv.events[1].timestamp.minute) == (9, 2)
    assert conv.events[1].author == "Анна"
    assert any("1 timestamps have a date only" in m for _, m in warnings)


def test_unmapped_header_gets_the_map_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Диалог,Реплика автора,Чья\n1,Здравствуйте! Чем помочь?,оператор\n1,Привет,клиент\n",
                    encoding="utf-8")  # fmt: skip
    assert formats.detect(path) is None
    message = formats.not_recognised(path)
    assert "--map role=Чья" in message and "--map text='Реплика автора'" in message
    assert "templates" not in message


def test_xlsx_is_read(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер обращения", "Дата и время", "Кто написал", "Текст сообщения"])
    sheet.append([7, datetime(2024, 5, 20, 9, 0), "Клиент", "Здравствуйте"])
    sheet.append([7, datetime(2024, 5, 20, 9, 1), "Оператор", "Я не знаю"])
    path = tmp_path / "chats.xlsx"
    book.save(path)
    fmt, [conv], problems, _ = load(path)
    assert fmt == "xlsx" and not problems
    assert [(e.role, e.text, e.line) for e in conv.events] == [
        ("client", "Здравствуйте", 2),
        ("operator", "Я не знаю", 3),
    ]


# --- bad records -------------------------------------------------------------------------------------
def test_bad_timestamps_and_a_cp1251_line_do_not_drop_the_file(tmp_path: Path) -> None:
    lines = [json.dumps({"conversation_id": 1, "role": "operator", "text": f"Ответ {i}", "timestamp": t})
             for i, t in enumerate([1716184800, "NaN", 1e300, 1e20, 1716184900])]  # fmt: skip
    lines[2] = lines[2].replace("1e+300", "1e300")
    data = (
        "\n".join(lines).encode("utf-8")
        + b"\n"
        + '{"conversation_id": 1, "role": "client", "text": "Привет"}\n'.encode("cp1251")
    )
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    _, [conv], problems, _ = load(path)
    assert [e.text for e in conv.events] == ["Ответ 0", "Ответ 4", "Привет"]
    assert [n for n, _ in problems] == [2, 3, 4]


def test_a_long_csv_field_does_not_end_the_file(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("conversation_id,role,text\n1,client," + "а" * 200_000 + "\n1,operator,Ок\n", encoding="utf-8")
    _, [conv], problems, _ = load(path)
    assert not problems and [e.role for e in conv.events] == ["client", "operator"]


def test_a_bad_jivo_message_is_skipped_with_its_line(tmp_path: Path) -> None:
    doc = {"event_name": "chat_finished", "chat_id": 5, "chat": {"messages": [
        {"type": "visitor", "message": "Привет", "timestamp": 1716184800},
        {"type": "agent", "message": "Плохо", "timestamp": "вчера"},
        {"type": "agent", "message": "Здравствуйте", "timestamp": 1716184900}]}}  # fmt: skip
    path = tmp_path / "jivo.jsonl"
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n" + json.dumps(doc, ensure_ascii=False) + "\n")
    _, convs, problems, _ = load(path)
    assert [len(c.events) for c in convs] == [2, 2]
    assert [n for n, _ in problems] == [1, 2]


def test_telegram_group_warns_about_operators(tmp_path: Path) -> None:
    export = {"personal_information": {"user_id": 1, "first_name": "Поддержка"}, "chats": {"list": [
        {"id": 77, "type": "private_supergroup", "name": "Клиенты", "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1716184800", "from": "Клиент", "from_id": "user5", "text": "Привет"},
            {"id": 2, "type": "message", "date_unixtime": "1716184810", "from": "Ира", "from_id": "user9", "text": "Добрый день"},
            {"id": 3, "type": "message", "date_unixtime": "1716184820", "from": "Поддержка", "from_id": "user1", "text": "Здравствуйте"}]}]}}  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    _, [conv], _, warnings = load(path)
    assert [e.role for e in conv.events] == ["client", "client", "operator"]
    assert any("chat 77 is a group" in m and "--operator" in m for _, m in warnings)
    _, [conv], _, _ = load(path, operators=frozenset({"Ира"}))
    assert [e.role for e in conv.events] == ["client", "operator", "operator"]


def test_bitrix24_positions_through_bbcode() -> None:
    _, [conv], _, _ = load(FIX / "bitrix24.json")
    event = conv.events[4]
    assert event.text == "Ольга, лимит снят.\nХорошего дня!"
    line, column = event.position(event.text.index("Хорошего"))
    assert _at(FIX / "bitrix24.json", line, column, 8) == "Хорошего"


def test_positions_are_found_in_one_pass(tmp_path: Path, monkeypatch) -> None:
    """The position lookup moves forward only: over a whole export it advances at most the file's
    length (the old lookup counted lines from the start for every message: quadratic)."""
    from chatlint.transcripts.where import Locator

    advanced = []
    real = Locator._advance

    def counting(self, to: int) -> None:
        advanced.append(to - self.cur)
        real(self, to)

    monkeypatch.setattr(Locator, "_advance", counting)
    convs = [{"conversation_id": f"c{i}", "messages": [{"role": "operator" if k % 2 else "client",
              "text": f"Сообщение {k} диалога {i}"} for k in range(10)]} for i in range(300)]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(convs, ensure_ascii=False, indent=1), encoding="utf-8")
    _, read_convs, _, _ = load(path)
    assert sum(len(c.events) for c in read_convs) == 3000
    assert all(e.where for c in read_convs for e in c.events)
    assert sum(advanced) <= len(path.read_bytes())


def test_usedesk_operator_reply_mentioning_automatic_stays_a_reply(tmp_path: Path) -> None:
    doc = {"ticket": {"id": 1}, "comments": [
        {"id": 1, "from": "client", "message": "Где деньги?", "published_at": "2024-05-20 09:00:00"},
        {"id": 2, "from": "user", "user_id": 7, "message": "<p>Я не знаю, деньги вернутся автоматически</p>",
         "published_at": "2024-05-20 09:01:00"},
        {"id": 3, "from": "user", "user_id": 7, "message": "Ваше обращение зарегистрировано под номером 88",
         "published_at": "2024-05-20 09:01:01"}], "changes": []}  # fmt: skip
    path = tmp_path / "usedesk.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    fmt, [conv], _, _ = load(path)
    assert fmt == "usedesk" and [e.role for e in conv.events] == ["client", "operator", "bot"]
