"""One row per conversation, the whole transcript in one cell (helpdesk CSV and Excel reports).

A cell reads ``Visitor : Здравствуйте! || Agent : Добрый день …`` or has one message a line
(``Клиент: …`` / ``[10:02] Оператор: …``). Each speaker is a role word («Agent», «Клиент»), the
row's agent or visitor name, or «Unknown» (bot flow and system events). A line that starts with no
speaker continues the message before it. Times come from a ``[HH:MM]`` prefix joined to the row's
date when both are there; otherwise the messages keep their order and have no time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from chatlint.conversation import CLIENT, MESSAGE, OPERATOR, SYSTEM, Event
from chatlint.transcripts.base import BadRecord, TimeParser, clean_text, role_of
from chatlint.transcripts.where import Traced, clean

# the cell's column, as chatlint.transcripts.generic.FIELDS["transcript"] (``--map transcript=NAME``)
TRANSCRIPT_COLUMNS = ("transcript", "chat transcript", "transcription", "conversation text", "chat log",
                      "переписка", "история переписки", "текст переписки", "текст диалога", "стенограмма")  # fmt: skip
AGENT_COLUMNS = ("agent name", "agent", "operator name", "operator", "имя оператора", "оператор", "сотрудник",
                 "менеджер", "ответственный")  # fmt: skip
VISITOR_COLUMNS = ("visitor name", "visitor", "customer name", "customer", "client name", "client",
                   "имя клиента", "клиент", "посетитель", "покупатель")  # fmt: skip
DAY_COLUMNS = ("start date", "date", "created date", "дата начала", "дата создания", "дата")
_NOBODY = {"unknown", "system", "неизвестно", "система"}

# «||» between messages, or a line break before «Speaker :»
_SEPARATOR = re.compile(r"\s*\|\|\s*")
_SPEAKER = re.compile(r"\s*(?:[\[(](\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)[\])]\s*)?([^\s:|][^:|\n]{0,39}?)\s*:\s")


class Columns:
    """Where a row keeps its transcript, agent, visitor and day, found once per file from the header."""

    def __init__(self, header: list[str], transcript: str) -> None:
        lower = {h.strip().lower(): h for h in header}
        self.transcript = transcript
        self.agent = next((lower[c] for c in AGENT_COLUMNS if c in lower), "")
        self.visitor = next((lower[c] for c in VISITOR_COLUMNS if c in lower), "")
        self.day = next((lower[c] for c in DAY_COLUMNS if c in lower), "")


def events_of_row(
    row: Mapping, cid: str, cols: Columns, times: TimeParser, line: int, cell: Traced | None,
    problem: Callable[[int, str], None],
) -> Iterator[Event]:  # fmt: skip
    """The messages of one row's transcript cell, each placed in the file through ``cell``."""
    text = clean_text(row.get(cols.transcript))
    agent = str(row.get(cols.agent) or "").strip() if cols.agent else ""
    visitor = str(row.get(cols.visitor) or "").strip() if cols.visitor else ""
    day = str(row.get(cols.day) or "").strip() if cols.day else ""
    for n, (start, end, clock, speaker) in enumerate(_messages(text, agent, visitor), 1):
        role = _role(speaker, agent, visitor)
        if role is None:
            problem(line, f"message {n} of conversation {cid}: speaker {speaker!r} is no role (operator, "
                          "client, bot, system), nor the row's agent or visitor; not checked")  # fmt: skip
            continue
        body = text[start:end]
        try:
            when = times(f"{day} {clock}") if day and clock else None
        except BadRecord:
            when = None
        event = Event(
            conversation_id=cid,
            message_id=f"{cid}:{n}",
            timestamp=when,
            role=role,
            text=body,
            event_type=MESSAGE,
            author_name=_author(role, speaker, agent, visitor),
            line=line,
        )
        if cell is not None and cell.text == text:
            traced = clean(Traced().extend(cell, start, end))
            event.where = traced.where() if traced.text == body else ()
        yield event


def _messages(text: str, agent: str, visitor: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, clock, speaker) of each message of a cell; text before the first speaker is dropped."""
    pieces: list[list] = []  # [start of the body, end, clock, speaker]
    for start, end, after_separator in _pieces(text):
        found = _SPEAKER.match(text, start, end)
        speaker = found.group(2).strip() if found else ""
        if found and (after_separator or not pieces or _role(speaker, agent, visitor) is not None or found.group(1)):
            pieces.append([found.end(), end, found.group(1) or "", speaker])
        elif pieces:
            pieces[-1][1] = end  # a line of the message before («Note: …» inside a message too)
    for start, end, clock, speaker in pieces:
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            yield start, end, clock, speaker


def _pieces(text: str) -> Iterator[tuple[int, int, bool]]:
    """The lines of the spans between «||» separators: (start, end, whether a separator came before)."""
    pos, separated = 0, "||" in text
    for sep in [*_SEPARATOR.finditer(text), None]:
        stop = sep.start() if sep else len(text)
        line_start = pos
        for i, line in enumerate(text[pos:stop].split("\n")):
            yield line_start, line_start + len(line), separated and i == 0
            line_start += len(line) + 1
        if sep:
            pos = sep.end()


def _author(role: str, speaker: str, agent: str, visitor: str) -> str | None:
    """The name of who wrote: the row's agent or visitor for their role, else the speaker if a name."""
    name = {OPERATOR: agent, CLIENT: visitor}.get(role, "")
    if name:
        return name
    return None if role == SYSTEM or role_of(speaker) is not None or speaker.lower() in _NOBODY else speaker


def _role(speaker: str, agent: str, visitor: str) -> str | None:
    word = speaker.strip().lower()
    if word in _NOBODY:
        return SYSTEM
    role = role_of(word)
    if role is not None:
        return role
    if agent and word == agent.lower():
        return OPERATOR
    if visitor and word == visitor.lower():
        return CLIENT
    return None
