"""Transcript readers on the fixtures in tests/fixtures/transcripts (written after each format's
documented structure): detection by content, roles, event types, times, lines, bad records."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatlint.conversation import Event
from chatlint.transcripts import ReadOptions, detect, read
from chatlint.transcripts.base import Grouper, TimeParser

FIX = Path(__file__).parent / "fixtures" / "transcripts"
MSK = ZoneInfo("Europe/Moscow")


class Log:
    """Collects reader problems and warnings."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, int, str]] = []
        self.warnings: list[tuple[str, int, str]] = []

    def options(self, **kw) -> ReadOptions:
        return ReadOptions(
            tz=MSK,
            tz_name="Europe/Moscow",
            problem=lambda p, line, m: self.problems.append((Path(p).name, line, m)),
            warn=lambda p, line, m: self.warnings.append((Path(p).name, line, m)),
            **kw,
        )


def load(name: str, **kw):
    log = Log()
    opts = log.options(**kw)
    fmt = detect(FIX / name, opts)
    convs = list(read(FIX / name, fmt, opts)) if fmt else []
    return fmt, convs, log


def roles(conv) -> list[tuple[str, str]]:
    return [(e.role, e.event_type) for e in conv.events]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("chats.jsonl", "jsonl"),
        ("chats.csv", "csv"),
        ("excel_ru.csv", "csv"),
        ("chats.json", "json"),
        ("telegram_result.json", "telegram"),
        ("whatsapp_android.txt", "whatsapp"),
        ("whatsapp_ios.txt", "whatsapp"),
        ("jivo_webhooks.jsonl", "jivo"),
        ("bitrix24.json", "bitrix24"),
        ("chatwoot.json", "chatwoot"),
        ("usedesk.json", "usedesk"),
        ("templates.json", None),
        ("reply.txt", None),
    ],
)
def test_detect_by_content(name: str, fmt: str | None) -> None:
    assert detect(FIX / name) == fmt


def test_jsonl_interleaved_bad_lines_and_roles() -> None:
    fmt, convs, log = load("chats.jsonl")
    by_id = {c.conversation_id: c for c in convs}
    assert set(by_id) == {"A-1", "B-2"}
    a = by_id["A-1"]
    assert roles(a) == [
        ("client", "message"),
        ("bot", "message"),
        ("operator", "message"),
        ("operator", "note"),
        ("operator", "message"),
    ]
    assert [e.is_reply for e in a.events] == [False, False, True, False, True]
    assert a.events[2].line == 5 and a.events[2].message_id == "a3"
    assert a.events[2].timestamp.utcoffset() == timedelta(hours=3)
    b = by_id["B-2"]
    assert [e.role for e in b.events] == ["client", "operator"]  # customer, agent
    assert b.events[0].timestamp.tzinfo == timezone.utc  # epoch seconds are UTC
    assert [(line, msg.split(":")[0]) for _, line, msg in log.problems] == [
        (4, "invalid JSON"),
        (6, "unknown role 'wizard' (operator, client, bot or system)"),
    ]


def test_jsonl_field_mapping() -> None:
    _, convs, log = load("chats.jsonl", columns={"author": "id"})
    first = next(c for c in convs if c.conversation_id == "A-1").events[0]
    assert first.author_name == "a1"


def test_csv_multiline_transfer_and_lines() -> None:
    _, [conv], log = load("chats.csv")
    assert not log.problems
    assert conv.events[0].text == "Добрый день! Посылка не пришла,\nтрек RR000111222RU"
    assert [e.line for e in conv.events] == [2, 4, 5, 6]
    transfer = conv.events[2]
    assert transfer.event_type == "transfer" and transfer.transfer_to == "Павел Дроздов"


def test_excel_cp1251_semicolon_dayfirst_naive_times() -> None:
    _, [conv], log = load("excel_ru.csv")
    assert conv.conversation_id == "501"
    assert [e.role for e in conv.events] == ["client", "operator", "client", "operator"]
    first = conv.events[0]
    assert first.text == "Здравствуйте, списали деньги дважды!"
    assert (first.timestamp.day, first.timestamp.month, first.timestamp.hour) == (20, 5, 14)
    assert first.timestamp.tzinfo == MSK
    assert any("without a time zone read as Europe/Moscow" in m for _, _, m in log.warnings)


def test_generic_json_conversations_with_meta() -> None:
    _, [conv], _ = load("chats.json")
    assert conv.conversation_id == "J-9" and conv.meta["tags"] == ["продажи"]
    assert [e.author for e in conv.replies] == ["Павел Дроздов", "Павел Дроздов"]
    assert conv.events[1].line > conv.events[0].line > 0


def test_telegram_entities_service_and_naive_fallback() -> None:
    _, [conv], log = load("telegram_result.json")
    assert roles(conv) == [
        ("client", "message"),
        ("operator", "message"),
        ("system", "system"),
        ("operator", "message"),
    ]
    assert conv.events[1].text == "Здравствуйте! Проверю начисление, пожалуйста, подождите."
    assert conv.events[3].text == "Кэшбэк придёт завтра"
    assert conv.events[3].timestamp.tzinfo == MSK  # no date_unixtime: naive 'date' + --tz
    assert any("1 timestamps without a time zone" in m for _, _, m in log.warnings)
    assert conv.events[1].line > 0


def test_telegram_operator_option() -> None:
    _, [conv], _ = load("telegram_result.json", operators=frozenset({"Ольга"}))
    assert conv.events[0].role == "operator" and conv.events[1].role == "client"


def test_whatsapp_android_multiline_media_system() -> None:
    _, [conv], log = load("whatsapp_android.txt", operators=frozenset({"Банк Поддержка"}))
    assert roles(conv) == [
        ("system", "system"),
        ("client", "message"),
        ("client", "media"),
        ("operator", "message"),
        ("operator", "message"),
    ]
    assert conv.events[1].text == "Здравствуйте! Карта не работает,\nпишет «операция отклонена»"
    assert conv.events[3].timestamp.minute == 1 and conv.events[3].line == 5
    assert any("no time zone" in m for _, _, m in log.warnings)


def test_whatsapp_ios_crlf_lrm_and_guessed_operator() -> None:
    _, [conv], log = load("whatsapp_ios.txt")
    assert roles(conv) == [("system", "system"), ("client", "message"), ("client", "media"), ("operator", "message")]
    assert conv.events[3].text == "Номер карты?\nпоследние 4 цифры"
    assert conv.events[3].timestamp.second == 50
    assert "\u200e" not in "".join(e.text for e in conv.events)
    assert any("taking 'Банк Поддержка'" in m for _, _, m in log.warnings)


def test_jivo_webhooks_jsonl_with_a_bad_line() -> None:
    _, convs, log = load("jivo_webhooks.jsonl")
    assert [c.conversation_id for c in convs] == ["301", "302"]
    assert [e.author for e in convs[0].replies] == ["Светлана Ким", "Павел Дроздов"]
    assert convs[0].events[0].message_id == "301:1"
    assert log.problems == [("jivo_webhooks.jsonl", 2, "invalid JSON: Expecting value (column 1)")]


def test_bitrix24_sorted_bbcode_transfer_autoanswer() -> None:
    _, [conv], _ = load("bitrix24.json")
    assert conv.conversation_id == "4242"
    assert [e.message_id for e in conv.events] == ["7000", "6999", "7001", "7002", "7003"]
    assert roles(conv) == [
        ("client", "message"),
        ("bot", "message"),
        ("operator", "message"),
        ("system", "transfer"),
        ("operator", "message"),
    ]
    assert conv.events[2].text == "Здравствуйте! Передаю специалисту."
    assert conv.events[3].transfer_to == "Павел Дроздов"
    assert conv.events[4].text == "Ольга, лимит снят.\nХорошего дня!"


def test_chatwoot_types_private_activity() -> None:
    _, [conv], _ = load("chatwoot.json")
    assert roles(conv) == [
        ("client", "message"),
        ("bot", "message"),
        ("operator", "message"),
        ("operator", "note"),
        ("system", "transfer"),
        ("operator", "message"),
    ]
    assert conv.events[3].is_internal and not conv.events[3].is_reply
    assert conv.events[4].transfer_to == "Павел Дроздов"
    assert conv.meta["tags"] == ["карты"]


def test_usedesk_html_trigger_assignee_change() -> None:
    _, [conv], log = load("usedesk.json")
    assert roles(conv) == [("client", "message"), ("bot", "message"), ("operator", "message"), ("system", "transfer")]
    assert conv.events[2].text == "Здравствуйте! Оформлю возврат, пожалуйста, пришлите чек."
    assert conv.events[3].transfer_to == "9"
    assert conv.events[0].timestamp.tzinfo == MSK
    assert any("without a time zone" in m for _, _, m in log.warnings)


def test_time_parser_forms() -> None:
    times = TimeParser(ReadOptions(tz=MSK))
    assert times(1716184800) == times(1716184800000) == times("1716184800")
    assert times("2024-05-20T06:00:00Z") == times("2024-05-20 09:00:00")
    assert times("20.05.24, 9:00").hour == 9
    assert times.naive == 2
    with pytest.raises(ValueError):
        times("вчера")


def test_grouper_keeps_memory_bounded() -> None:
    seen = []
    opts = ReadOptions(window=3, warn=lambda p, line, m: seen.append(m))
    group = Grouper("x", "jsonl", opts)
    done = []
    for i, cid in enumerate(["a", "b", "a", "c", "d", "e", "f", "a"]):
        done += [c.conversation_id for c in group.add(Event(cid, str(i), None, "client", line=i + 1))]
        assert len(group.open) <= opts.window + 1
    done += [c.conversation_id for c in group.finish()]
    assert done.count("a") == 2 and sorted(set(done)) == ["a", "b", "c", "d", "e", "f"]
    assert any("conversation a continues" in m for m in seen)
