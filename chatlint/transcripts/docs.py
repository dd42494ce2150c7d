"""Platform exports made of JSON documents: how they are found in a file and read as a stream.

A platform (``Platform``) says how to recognise one of its documents and how to turn one into
conversations. A file holds one document, a JSON list of them, a wrapper object with a list of
them (``{"chats": [...]}``), or JSON Lines of them. Platforms whose documents are lists of
message records (``{"messages": [...]}``) also read record by record, grouped by conversation,
so that one huge document is never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from chatlint.conversation import Conversation, Event
from chatlint.transcripts.base import BadRecord, Grouper, ReadOptions, TimeParser, clean_text, iter_jsonl, strip_html
from chatlint.transcripts.jsonstream import StreamError, items, sketch
from chatlint.transcripts.where import Locator, clean, unhtml

_MARKUP: dict[str, Callable[[str], str]] = {"plain": clean_text, "html": strip_html}


class Doc:
    """One document to convert, with what the converter needs: times, problems, positions."""

    def __init__(
        self, data: dict, path: str, times: TimeParser, opts: ReadOptions, locator: Locator | None, line: int = 0
    ) -> None:
        self.data, self.path, self.times, self.opts, self.locator = data, path, times, opts, locator
        self.line = line if line or locator is None else locator.line
        self.start = locator.state() if locator is not None else None

    def text(self, raw: object, key: str | None, markup: str = "plain", convert=None, traced=None) -> dict:
        """``text``, ``line`` and ``where`` of a message whose source string is ``raw`` under ``key``.

        ``markup`` "html" strips tags keeping positions; ``convert`` (a str -> str function) is
        any other clean-up, and ``traced`` the same on a Traced text (keeping positions).
        """
        raw = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
        found = self._find(raw, key) if raw else None
        if found is None or not found.runs:
            text = convert(raw) if convert else _MARKUP[markup](raw)
            return {"text": text, "line": self.line, "where": ()}
        if convert is not None and traced is None:
            _, line, column = found.runs[0]
            return {"text": convert(raw), "line": line, "where": (0, line, column)}
        found = unhtml(found) if markup == "html" else clean(traced(found) if traced else found)
        line = found.runs[0][1] if found.runs else self.line
        return {"text": found.text, "line": line, "where": found.where()}

    def _find(self, raw: str, key: str | None):
        locator = self.locator
        if locator is None:
            return None
        found = locator.find(raw, key)
        if found is None and self.start is not None and locator.state() != self.start:
            here = locator.state()
            if locator.restore(self.start):
                found = locator.find(raw, key)
                if found is None:
                    locator.restore(here)
        return found

    def time(self, value: object):
        return self.times(value)

    def problem(self, message: str, line: int = 0) -> None:
        self.opts.problem(self.path, line or self.line, message)


Converter = Callable[[Doc], Iterator[Conversation]]
RecordReader = Callable[[Doc], Event | None]


@dataclass(frozen=True)
class Platform:
    """A platform's document format: ``detect`` one document, ``convert`` it to conversations.

    ``lists``: keys of a wrapper object whose items are documents (``{"chats": [...]}``).
    ``records``/``record``: the key of a document's list of message records and how to read one
    record (then a huge document is read record by record, grouped by conversation).
    """

    name: str
    detect: Callable[[object], bool]
    convert: Converter
    lists: tuple[str, ...] = ()
    records: str = ""
    record: RecordReader | None = None


def events_of(doc: Doc, items: object, make: Callable[[Doc, int, dict], object], what: str) -> list[Event]:
    """The events of a document's list of items (``make`` gives an Event, a list of them or None);
    a bad item is reported (with its line) and skipped."""
    events: list[Event] = []
    for seq, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            doc.problem(f"{what} #{seq + 1} is not an object")
            continue
        try:
            event = make(doc, seq, item)
        except (BadRecord, KeyError, TypeError, ValueError, AttributeError) as exc:
            doc.problem(f"{what} #{seq + 1}: {exc}")
            continue
        for one in event if isinstance(event, list) else [event] if event is not None else []:
            one.seq = len(events)
            events.append(one)
    return events


def grouped(doc: Doc, platform: Platform, source_format: str) -> Iterator[Conversation]:
    """The conversations of one document that is a list of message records."""
    group = Grouper(doc.path, source_format, doc.opts)
    for record in doc.data.get(platform.records) or []:
        event = _record_event(Doc(record, doc.path, doc.times, doc.opts, doc.locator, doc.line), platform)
        if event is not None:
            yield from group.add(event)
    yield from group.finish()


def _record_event(doc: Doc, platform: Platform) -> Event | None:
    if not isinstance(doc.data, dict):
        doc.problem(f"a {platform.name} record is not an object")
        return None
    try:
        return platform.record(doc)  # type: ignore[misc]
    except (BadRecord, KeyError, TypeError, ValueError, AttributeError) as exc:
        doc.problem(f"cannot read this {platform.name} record: {exc}")
        return None


# --- where a platform's documents are in a file ------------------------------------------------------
def candidates(data: object, lists: tuple[str, ...]) -> Iterator[tuple[str, object]]:
    """(prefix of the documents, a sample document) for each way ``data`` may hold documents."""
    yield "", data
    if isinstance(data, list) and data:
        yield "item", data[0]
    if isinstance(data, dict):
        for key in lists:
            items = data.get(key)
            if isinstance(items, list) and items:
                yield f"{key}.item", items[0]


def find_plan(data: object, platforms: dict[str, Platform]) -> tuple[str, str] | None:
    """(platform name, prefix of its documents in the file) for a parsed head, or None."""
    for platform in platforms.values():
        for prefix, sample in candidates(data, platform.lists):
            if platform.detect(sample):
                return platform.name, prefix
    return None


def read_file(
    path: Path, opts: ReadOptions, platform: Platform, platforms: dict[str, Platform]
) -> Iterator[Conversation]:
    """The conversations of a file of ``platform`` documents (see the module docstring)."""
    label = str(path)
    times = TimeParser(opts)
    if _is_json_lines(path, opts):
        yield from _json_lines(path, opts, platform, times)
    else:
        head = sketch(path, opts.encoding)
        plan = find_plan(head, {platform.name: platform})
        prefix = plan[1] if plan else ""
        if (
            prefix == ""
            and platform.records
            and isinstance(head, dict)
            and isinstance(head.get(platform.records), list)
        ):
            yield from _records(path, opts, platform, times, f"{platform.records}.item")
        else:
            yield from _documents(path, opts, platform, times, prefix)
    times.report(label, opts)


def _documents(path: Path, opts: ReadOptions, platform: Platform, times: TimeParser, prefix: str):
    label = str(path)
    locator = Locator()
    n = 0
    try:
        for value in items(path, opts.encoding, prefix, locator):
            n += 1
            doc = Doc(value, label, times, opts, locator)
            if not platform.detect(value):
                doc.problem(f"item #{n} is not a {platform.name} document")
                continue
            try:
                yield from platform.convert(doc)
            except (BadRecord, KeyError, TypeError, ValueError, AttributeError) as exc:
                doc.problem(f"item #{n}: cannot read this {platform.name} document: {exc}")
    except StreamError as exc:
        opts.problem(label, exc.line, str(exc))


def _records(path: Path, opts: ReadOptions, platform: Platform, times: TimeParser, prefix: str):
    label = str(path)
    locator = Locator()
    group = Grouper(label, platform.name, opts)
    try:
        for value in items(path, opts.encoding, prefix, locator):
            event = _record_event(Doc(value, label, times, opts, locator), platform)
            if event is not None:
                yield from group.add(event)
    except StreamError as exc:
        opts.problem(label, exc.line, str(exc))
    yield from group.finish()


def decode_line(raw: bytes, encoding: str | None) -> str | None:
    """One line of a line-based file: the given encoding, else UTF-8, else Windows-1251 when it
    reads as Russian text (each line on its own: one cp1251 line does not turn the file)."""
    from chatlint.sources import _looks_cp1251

    if encoding:
        return raw.decode(encoding)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if _looks_cp1251(raw):
            return raw.decode("cp1251")
        return None


def _is_json_lines(path: Path, opts: ReadOptions) -> bool:
    """More than one non-empty line and the first is a whole JSON object."""
    lines = 0
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            lines += 1
            if lines == 1:
                text = decode_line(raw[: 1 << 24], opts.encoding)
                try:
                    if not isinstance(json.loads(text or ""), dict):
                        return False
                except (json.JSONDecodeError, RecursionError):
                    return False
            else:
                return True
    return False


def _json_lines(path: Path, opts: ReadOptions, platform: Platform, times: TimeParser) -> Iterator[Conversation]:
    label = str(path)
    group = Grouper(label, platform.name, opts) if platform.record else None
    with open(path, "rb") as handle:
        problem = partial(opts.problem, label)
        for lineno, line, data in iter_jsonl(handle, problem, partial(decode_line, encoding=opts.encoding)):
            doc = Doc(data, label, times, opts, Locator(lineno, line.encode("utf-8")), lineno)
            if platform.detect(data):
                try:
                    yield from platform.convert(doc)
                except (BadRecord, KeyError, TypeError, ValueError, AttributeError) as exc:
                    doc.problem(f"cannot read this {platform.name} record: {exc}")
            elif group is not None and isinstance(data, dict):
                event = _record_event(doc, platform)
                if event is not None:
                    yield from group.add(event)
            else:
                opts.problem(label, lineno, f"not a {platform.name} record")
    if group is not None:
        yield from group.finish()
