"""What every transcript reader shares: options, time parsing, role words, markup clean-up, grouping."""

from __future__ import annotations

import html
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from chatlint.conversation import BOT, CLIENT, OPERATOR, SYSTEM, Conversation, Event

Problem = Callable[[str, int, str], None]  # (path, line, message)


def local_zone() -> tzinfo:
    """The machine's time zone."""
    return datetime.now().astimezone().tzinfo or timezone.utc


@dataclass
class ReadOptions:
    """How to read transcripts: time zone for naive times, operators, column names, callbacks.

    ``problem(path, line, message)`` receives bad records (the rest is still read);
    ``warn(path, line, message)`` receives warnings (naive timestamps, guessed roles).
    """

    tz: tzinfo = field(default_factory=local_zone)
    tz_name: str = ""
    tz_given: bool = False  # the zone was chosen (--tz), not this machine's

    def zone_advice(self) -> str:
        """How a warning about naive times ends: where the zone came from, or how to set it."""
        return "(from --tz)" if self.tz_given else "(set --tz)"

    operators: frozenset[str] = frozenset()  # names or ids of operators (Telegram, WhatsApp)
    columns: dict[str, str] = field(default_factory=dict)  # model field -> source field/column
    encoding: str | None = None
    window: int = 5000  # records after which an idle conversation of a stream is complete
    problem: Problem = lambda path, line, message: None  # noqa: E731
    warn: Problem = lambda path, line, message: None  # noqa: E731


class BadRecord(ValueError):
    """A record that cannot be read; the reader reports it and goes on."""


ROLE_WORDS = {
    OPERATOR: {
        "operator",
        "agent",
        "admin",
        "support",
        "human_agent",
        "оператор",
        "сотрудник",
        "менеджер",
        "специалист",
        "консультант",
        "агент",
        "администратор",
        "поддержка",
    },
    CLIENT: {
        "client",
        "customer",
        "visitor",
        "contact",
        "клиент",
        "посетитель",
        "покупатель",
        "гость",
        "абонент",
        "заказчик",
    },
    BOT: {"bot", "assistant", "auto", "autoresponder", "бот", "чат-бот", "автоответ", "автоответчик"},
    SYSTEM: {"system", "event", "service", "система", "системное"},
}
_ROLE_OF = {word: role for role, words in ROLE_WORDS.items() for word in words}


def role_of(value: object) -> str | None:
    """The canonical role for a role word (``user`` counts as client), or None when unknown."""
    word = str(value or "").strip().lower()
    if word == "user":
        return CLIENT
    return _ROLE_OF.get(word)


# --- time ---------------------------------------------------------------------------------
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4}),?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*$")
_EPOCH_MS = 10**11
_DATE_ONLY = re.compile(r"^\d{1,2}[./]\d{1,2}[./](\d{2}|\d{4})$|^\d{4}-\d{2}-\d{2}$")


class TimeParser:
    """Timestamps to aware datetimes; naive ones get ``tz`` and are counted for one warning."""

    def __init__(self, opts: ReadOptions) -> None:
        self.tz = opts.tz
        self.naive = 0
        self.date_only = 0
        self.zones: dict[tzinfo, tzinfo] = {}  # one object per UTC offset: events pickle smaller and faster

    def __call__(self, value: object) -> datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise BadRecord(f"timestamp {value!r} is not a time")
        if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value)):
            return self._epoch(value)
        text = str(value).strip()
        if _DATE_ONLY.match(text):
            self.date_only += 1  # no time of day: no time at all (the file's order stands), with a warning
            return None
        m = _DMY.match(text)
        if m:
            day, month, year, hour, minute, second = m.groups()
            year_n = int(year) + (2000 if len(year) == 2 else 0)
            try:
                dt = datetime(year_n, int(month), int(day), int(hour), int(minute), int(second or 0))
            except ValueError as exc:
                raise BadRecord(f"bad timestamp {text!r}: {exc}") from None
        else:
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                raise BadRecord(f"bad timestamp {text!r}") from None
        if dt.tzinfo is None:
            self.naive += 1
            return dt.replace(tzinfo=self.tz)
        zone = self.zones.get(dt.tzinfo)
        if zone is None:
            if len(self.zones) > 1000:
                self.zones.clear()
            zone = self.zones[dt.tzinfo] = dt.tzinfo
        return dt if zone is dt.tzinfo else dt.replace(tzinfo=zone)

    @staticmethod
    def _epoch(value: object) -> datetime:
        """Epoch seconds (or milliseconds, by magnitude) as UTC; NaN, infinities and years past
        9999 are a BadRecord."""
        try:
            number = float(value)  # type: ignore[arg-type]
            if number > _EPOCH_MS:
                number /= 1000
            return datetime.fromtimestamp(number, timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BadRecord(f"timestamp {value!r} is not a time") from None

    def report(self, path: str, opts: ReadOptions) -> None:
        """Warn once per file when naive timestamps were given the configured zone, and when
        timestamps had only a date."""
        if self.date_only:
            opts.warn(
                path,
                0,
                f"{self.date_only} timestamps have a date only: those messages keep the file's order and their "
                "response times are not measured (export the time too, or map a time column)",
            )
        if self.naive:
            zone = opts.tz_name or str(self.tz)
            opts.warn(path, 0, f"{self.naive} timestamps without a time zone read as {zone} {opts.zone_advice()}")


# --- text clean-up --------------------------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e"), None)
_SPACES = {0x00A0: " ", 0x202F: " ", 0x2007: " "}
_TAG = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.I)
_ANY_TAG = re.compile(r"<[^>]{1,400}>")
_BBCODE_BR = re.compile(r"\[br\]", re.I)
_BBCODE = re.compile(r"\[/?(?:b|i|u|s|url|user|quote|code|color|size|icon|chat|send|put|p)(?:=[^\]]*)?\]", re.I)


_CLEAN = re.compile("[" + "".join(map(chr, [*_INVISIBLE, *_SPACES])) + "]")


def clean_text(text: object) -> str:
    """Plain text: invisible direction marks removed, no-break spaces made plain."""
    text = str(text or "")
    if _CLEAN.search(text):  # str.translate with a dict costs ~15 µs even when nothing changes
        text = text.translate(_INVISIBLE).translate(_SPACES)
    return text.replace("\r\n", "\n") if "\r" in text else text


def strip_html(text: str) -> str:
    """HTML to plain text (paragraphs and <br> become new lines)."""
    if "<" not in text and "&" not in text:
        return clean_text(text)
    text = _TAG.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    return clean_text(html.unescape(text)).strip()


def strip_bbcode(text: str) -> str:
    """Bitrix24 BBCode to plain text."""
    return clean_text(_BBCODE.sub("", _BBCODE_BR.sub("\n", text)))


def sniff_encoding(path: Path) -> str:
    """UTF-8 when the first 256 KB decode as UTF-8, else Windows-1251 (Russian Excel)."""
    with open(path, "rb") as handle:
        head = handle.read(256 * 1024)
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "cp1251"
    return "utf-8-sig"


# --- JSON Lines --------------------------------------------------------------------------------
def iter_jsonl(
    lines: Iterable[str | bytes],
    problem: Callable[[int, str], None],
    decode: Callable[[bytes], str | None] | None = None,
) -> Iterator[tuple[int, str, object]]:
    """(line number, line, value) of each non-blank line of JSON Lines. A line that ``decode``
    (for lines read as bytes) cannot decode, or that is not JSON, is passed to
    ``problem(line number, message)`` and skipped: one bad line never ends the file."""
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        line = decode(raw) if decode is not None else raw
        if line is None:
            problem(lineno, "neither UTF-8 nor Windows-1251 text; give --encoding")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problem(lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            problem(lineno, "invalid JSON: nested too deeply")
            continue
        yield lineno, line, value


# --- grouping a stream of events into conversations ------------------------------------------
class Grouper:
    """Groups streamed events into conversations with bounded memory.

    A conversation is complete when no event of it came in the last ``window`` records (or at
    the end). Lines of several conversations may interleave within that window. Memory: the
    open conversations (at most ``window`` records) and the ids of the last ``REMEMBER`` closed
    ones (to warn when a conversation comes back after a gap), never the whole stream.
    """

    REMEMBER = 50_000

    def __init__(self, path: str, source_format: str, opts: ReadOptions) -> None:
        self.path, self.source_format, self.opts = path, source_format, opts
        self.open: OrderedDict[str, Conversation] = OrderedDict()
        self.last: dict[str, int] = {}
        self.done: OrderedDict[str, None] = OrderedDict()
        self.count = 0

    def add(self, event: Event) -> Iterator[Conversation]:
        self.count += 1
        cid = event.conversation_id
        conv = self.open.get(cid)
        if conv is None:
            conv = Conversation(cid, path=self.path, source_format=self.source_format)
            if cid in self.done:
                self.opts.warn(
                    self.path,
                    event.line,
                    f"conversation {cid} continues after a gap of more than {self.opts.window} records; "
                    "this part is checked on its own",
                )
            self.open[cid] = conv
        else:
            self.open.move_to_end(cid)
        event.seq = len(conv.events)
        conv.events.append(event)
        self.last[cid] = self.count
        while self.open:
            first = next(iter(self.open))
            if self.count - self.last[first] <= self.opts.window:
                break
            yield self._close(first)

    def _close(self, cid: str) -> Conversation:
        conv = self.open.pop(cid)
        del self.last[cid]
        self.done[cid] = None
        self.done.move_to_end(cid)
        if len(self.done) > self.REMEMBER:
            self.done.popitem(last=False)
        return conv.sort()

    def finish(self) -> Iterator[Conversation]:
        while self.open:
            yield self._close(next(iter(self.open)))
