"""The fast paths of transcript reading and of ``-j N`` give exactly what the plain code gives,
and the per-stream state stays bounded. Speed is measured by ``python -m bench.jobs``."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.conversation import Event
from chatlint.summary import Summary, UnitResult
from chatlint.transcripts.base import _INVISIBLE, _SPACES, Grouper, ReadOptions, TimeParser, clean_text


def _plain_clean_text(text: object) -> str:
    text = str(text or "").translate(_INVISIBLE).translate(_SPACES)
    return text.replace("\r\n", "\n") if "\r" in text else text


SPECIAL = "".join(map(chr, [*_INVISIBLE, *_SPACES])) + "\r\nаz "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=40))
def test_clean_text_is_the_plain_translation(text: str) -> None:
    assert clean_text(text) == _plain_clean_text(text)


def test_clean_text_of_non_strings() -> None:
    assert clean_text(None) == _plain_clean_text(None) == ""
    assert clean_text(12) == "12"


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(timezones=st.sampled_from([timezone.utc, timezone.max, timezone.min])),
    st.integers(-14 * 60, 14 * 60),
)
def test_time_parser_shares_zones_without_changing_times(moment: datetime, minutes: int) -> None:
    offset = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    text = moment.replace(tzinfo=None).isoformat() + offset
    parse = TimeParser(ReadOptions(tz=timezone.utc))
    first, second = parse(text), parse(text)
    plain = datetime.fromisoformat(text)
    assert first == second == plain and first.isoformat() == plain.isoformat()
    assert first.utcoffset() == plain.utcoffset() and first.tzinfo is second.tzinfo


def test_naive_times_still_get_the_zone_and_are_counted() -> None:
    parse = TimeParser(ReadOptions(tz=timezone.utc))
    assert parse("2024-03-15 10:00").tzinfo is timezone.utc and parse.naive == 1


def test_events_pickle_with_every_field() -> None:
    event = Event(
        "c-1", "m-2", datetime(2024, 3, 15, 10, 0, tzinfo=timezone.utc), "operator", "Текст", "note",
        "id-7", "Мария", "Игорь", True, 3, 41,
    )  # fmt: skip
    copy = pickle.loads(pickle.dumps(event))
    assert copy == event and copy is not event


def test_grouper_remembers_a_bounded_number_of_closed_conversations() -> None:
    warnings: list[str] = []
    opts = ReadOptions(window=2, warn=lambda path, line, message: warnings.append(message))
    group = Grouper("x.jsonl", "jsonl", opts)
    group.REMEMBER = 5
    closed = []
    for i in range(40):
        closed.extend(c.conversation_id for c in group.add(Event(str(i), "m", None, "client", "hi")))
    closed.extend(c.conversation_id for c in group.finish())
    assert closed == [str(i) for i in range(40)]
    assert len(group.done) == 5 and not warnings
    # a conversation that comes back after a gap is still recognised while remembered
    list(group.add(Event("39", "m2", None, "client", "again")))
    assert len(warnings) == 1 and "conversation 39 continues" in warnings[0]


def test_summary_of_marks_is_the_summary_of_findings() -> None:
    from chatlint.diagnostic import Diagnostic
    from chatlint.reply import Reply

    op = Reply("x", "p", meta={"author": "Мария", "role": "operator", "message_id": 5})
    client = Reply("y", "p", meta={"author": "Клиент", "role": "client", "message_id": 6})
    found = [
        (op, Diagnostic("a/b", "error", 0, 1, "m", "x")),
        (op, Diagnostic("a/c", "info", 0, 1, "m", "x")),
        (client, Diagnostic("a/b", "warning", 0, 1, "m", "y")),
    ]
    plain, marked = Summary(), Summary()
    plain.add(UnitResult(list(found), "p", "c", {"Мария": 1}, 12.0))
    unit = UnitResult(list(found), "p", "c", {"Мария": 1}, 12.0)
    unit.tally()
    unit.findings, unit.items = [], ["…"] * 3
    marked.add(unit)
    assert marked.to_dict() == plain.to_dict()
    assert plain.by_operator == {"Мария": 2} and plain.flagged_by_operator == {"Мария": 1}


def test_check_runs_keep_no_first_response_times() -> None:
    summary = Summary(keep_frt=False)
    for i in range(100):
        summary.add(UnitResult([], "p", str(i), {}, float(i)))
    assert len(summary.frt) == 0 and summary.conversations == 100


def _plain_event_from(record, fmap, times, line: int, fallback_id: str) -> Event:
    """event_from as it was before the field keys were resolved once per FieldMap."""
    from chatlint.conversation import EVENT_TYPES, MESSAGE, NOTE, SYSTEM, TRANSFER
    from chatlint.transcripts.base import BadRecord, role_of
    from chatlint.transcripts.generic import _TRUE, TRANSFER_TEXT

    def get(name: str) -> object:
        key = fmap.key.get(name)
        return record.get(key) if key is not None else None

    cid = get("conversation_id")
    if cid in (None, ""):
        raise BadRecord("no conversation id")
    raw_role = get("role")
    role = role_of(raw_role)
    if role is None:
        raise BadRecord(f"unknown role {raw_role!r} (operator, client, bot or system)")
    text = get("text")
    if text is not None and not isinstance(text, str):
        raise BadRecord(f"text must be a string, not {type(text).__name__}")
    event_type = str(get("event_type") or "").strip().lower()
    if event_type not in EVENT_TYPES:
        event_type = SYSTEM if role == SYSTEM else MESSAGE
    if role == SYSTEM and event_type == SYSTEM and TRANSFER_TEXT.search(text or ""):
        event_type = TRANSFER
    internal = str(get("internal") or "").strip().lower() in _TRUE or event_type == NOTE
    if internal:
        event_type = NOTE
    name, author_id = get("author_name"), get("author_id")
    mid = get("message_id")
    return Event(
        conversation_id=str(cid),
        message_id=str(mid) if mid not in (None, "") else fallback_id,
        timestamp=times(get("timestamp")),
        role=role,
        text=clean_text(text),
        event_type=event_type,
        author_id=str(author_id) if author_id not in (None, "") else None,
        author_name=str(name) if name not in (None, "") else None,
        transfer_to=str(get("transfer_to")) if get("transfer_to") not in (None, "") else None,
        is_internal=internal,
        line=line,
    )


VALUES = st.sampled_from(
    [None, "", " ", 0, 1, True, False, 12.5, "да", "True ", "no", "operator", "Клиент", "bot", "system", "note",
     "transfer", "Диалог передан", "2024-03-15T10:00:00+03:00", "1710486000", "15.03.2024 10:00", "bad time",
     "Я не знаю!!!", "op-1", ["x"]]
)  # fmt: skip
KEYS = st.sampled_from(
    ["conversation_id", "chat_id", "role", "from", "text", "message", "event_type", "type", "is_internal",
     "private", "author", "name", "author_id", "id", "message_id", "timestamp", "date", "transfer_to", "other"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=12))
def test_event_from_is_the_plain_event_from(record: dict) -> None:
    from chatlint.transcripts.base import BadRecord
    from chatlint.transcripts.generic import FieldMap, event_from

    fmap = FieldMap(list(record), {})
    outcomes = []
    for convert in (event_from, _plain_event_from):
        try:
            outcomes.append(convert(record, fmap, TimeParser(ReadOptions(tz=timezone.utc)), 7, "f:7"))
        except BadRecord as exc:
            outcomes.append(("bad", str(exc)))
    assert outcomes[0] == outcomes[1]


def test_workers_building_their_own_linter_give_what_forked_workers_give(monkeypatch) -> None:
    """Where there is no fork, each worker builds its Linter from the arguments (the initialiser)."""
    import multiprocessing

    from chatlint.execute import Linters, run_jobs
    from chatlint.reply import Reply

    jobs = [(Reply(text, f"<{i}>"), 0, ()) for i, text in enumerate(["Я не знаю!!!", "Хорошо", "ВАШ ЗАКАЗ ГОТОВ"] * 3)]
    kwargs = {0: {"select": ["taboo", "style"]}}
    forked = list(run_jobs(jobs, Linters(kwargs), 2, output_format="jsonl"))
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = list(run_jobs(jobs, Linters(kwargs), 2, output_format="jsonl"))
    assert [u.items for u in spawned] == [u.items for u in forked]
    assert [u.tally() for u in spawned] == [u.tally() for u in forked]
    assert any(u.items for u in forked) and not any(u.findings for u in forked)
