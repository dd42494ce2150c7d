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
    operators: frozenset[str] = frozenset()  # names or ids of operators (Telegram, WhatsApp)
    columns: dict[str, str] = field(default_factory=dict)  # model field -> source field/column
    encoding: str | None = None
    window: int = 5000  # records after which an idle conversation of a stream is complete
    problem: Problem = lambda path, line, message: None  # noqa: E731
    warn: Problem = lambda path, line, message: None  # noqa: E731


class BadRecord(ValueError):
    """A record that cannot be read; the reader reports it and goes on."""


ROLE_WORDS = {
    OPERATOR: {"operator", "agent", "admin", "support", "human_agent", "оператор", "сотрудник", "менеджер"},
    CLIENT: {"client", "customer", "visitor", "contact", "клиент", "посетитель", "покупатель"},
    BOT: {"bot", "assistant", "auto", "autoresponder", "бот", "автоответ"},
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


class TimeParser:
    """Timestamps to aware datetimes; naive ones get ``tz`` and are counted for one warning."""

    def __init__(self, opts: ReadOptions) -> None:
        self.tz = opts.tz
        self.naive = 0
        self.zones: dict[tzinfo, tzinfo] = {}  # one object per UTC offset: events pickle smaller and faster

    def __call__(self, value: object) -> datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise BadRecord(f"timestamp {value!r} is not a time")
        if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value)):
            number = float(value)
            if number > _EPOCH_MS:
                number /= 1000
            return datetime.fromtimestamp(number, timezone.utc)
        text = str(value).strip()
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

    def report(self, path: str, opts: ReadOptions) -> None:
        """Warn once per file when naive timestamps were given the configured zone."""
        if self.naive:
            zone = opts.tz_name or str(self.tz)
            opts.warn(path, 0, f"{self.naive} timestamps without a time zone read as {zone} (set --tz)")


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


# --- positions in whole-file JSON -------------------------------------------------------------
class LineFinder:
    """Finds the line of a JSON string value in a file read whole (for reporting positions)."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.pos = 0

    def line_of(self, value: str, raw: bool = False) -> int:
        """The line of the JSON string ``value`` (or of the raw text ``value``), searched onward."""
        if not value:
            return 0
        needles = [value] if raw else [json.dumps(value[:40], ensure_ascii=False)[1:-1], json.dumps(value[:40])[1:-1]]
        for needle in needles:
            i = self.raw.find(needle, self.pos)
            if i < 0:
                i = self.raw.find(needle)
            if i >= 0:
                self.pos = i
                return self.raw.count("\n", 0, i) + 1
        return 0


def iter_jsonl(lines: Iterable[str], problem: Callable[[int, str], None]) -> Iterator[tuple[int, object]]:
    """(line number, value) of each non-blank line of JSON Lines; a line that is not JSON is
    passed to ``problem(line number, message)`` and skipped."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problem(lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            problem(lineno, "invalid JSON: nested too deeply")
            continue
        yield lineno, value


def load_json(path: Path, opts: ReadOptions) -> tuple[object, str] | None:
    """A whole JSON file and its text; a syntax error is reported with its line and gives None."""
    from chatlint.sources import decode

    raw = decode(path.read_bytes(), str(path), opts.encoding)
    try:
        return json.loads(raw), raw
    except json.JSONDecodeError as exc:
        opts.problem(str(path), exc.lineno, f"invalid JSON: {exc.msg}")
        return None
    except RecursionError:
        opts.problem(str(path), 1, "invalid JSON: nested too deeply")
        return None


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
