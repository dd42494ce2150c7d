"""JSON exports read as a stream (ijson): the records at chosen prefixes, one at a time.

A 2 GB Telegram or helpdesk export is never held whole: the parser yields each message (or
each conversation document) as it completes, and a ``Locator`` fed with the same bytes finds where
its strings are. ``sketch`` parses only the head of a file, for detection.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import ijson
from ijson.common import ObjectBuilder

from chatlint.transcripts.where import Locator, Tee

HEAD_BYTES = 64 * 1024
_CONTAINERS = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


class Recoded:
    """A binary file in another encoding read as UTF-8 bytes (for cp1251 or UTF-16 exports)."""

    def __init__(self, handle, encoding: str) -> None:
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        return self.decoder.decode(data, final=not data).encode("utf-8")


def open_json(path: Path, encoding: str | None):
    """The file as UTF-8 bytes without a BOM: the given encoding, else UTF-8, else what the head says."""
    from chatlint.transcripts.base import sniff_encoding

    encoding = encoding or sniff_encoding(path)
    handle = open(path, "rb")
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig"):
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        return handle
    try:
        codecs.lookup(encoding)
    except LookupError:
        handle.close()
        raise
    return _Closing(Recoded(handle, encoding), handle)


class _Closing:
    def __init__(self, reader, handle) -> None:
        self.reader, self.handle = reader, handle

    def read(self, size: int = -1) -> bytes:
        return self.reader.read(size)

    def close(self) -> None:
        self.handle.close()


MAX_DEPTH = 200  # nesting of JSON arrays and objects; exports need under 10 (prefixes cost the depth per event)


def sketch(path: Path, encoding: str | None = None, size: int = HEAD_BYTES) -> object:
    """The value of the file's head (its first ``size`` bytes), cut where the head ends: lists and
    objects hold what was read of them. None when the head is not JSON."""
    handle = open_json(path, encoding)
    try:
        head = handle.read(size)
    finally:
        handle.close()
    builder = ObjectBuilder()
    started = False
    nesting = 0
    try:
        for event, value in ijson.basic_parse(head):  # no prefixes: they cost the depth per event
            nesting += _CONTAINERS.get(event, 0)
            if nesting > MAX_DEPTH:
                return None  # the reader that gets the file says where
            builder.event(event, value)
            started = True
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        pass
    except Exception:  # the C backend raises its own errors on a cut head
        pass
    return builder.value if started else None


class StreamError(ValueError):
    """Invalid JSON in a stream; ``line`` is where the parser was."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def stream(path: Path, encoding: str | None, wanted: frozenset[str], locator: Locator) -> Iterator[tuple]:
    """``(prefix, "item", value)`` for each value at a ``wanted`` prefix (``"item"`` is a top-level
    list's element, ``"messages.item"`` an element of the top object's ``messages``); and
    ``(prefix, event, value)`` for the other events down to depth 4 (ids and names around the records).
    Raises StreamError on invalid JSON after the records before it were yielded."""
    handle = open_json(path, encoding)
    builder: ObjectBuilder | None = None
    depth, at, nesting = 0, "", 0
    try:
        for prefix, event, value in ijson.parse(Tee(handle, locator), use_float=True):
            nesting += _CONTAINERS.get(event, 0)
            if nesting > MAX_DEPTH:
                raise StreamError(f"invalid JSON: nested deeper than {MAX_DEPTH}", _line_now(locator))
            if builder is not None:
                builder.event(event, value)
                depth += _CONTAINERS.get(event, 0)
                if depth == 0:
                    yield at, "item", builder.value
                    builder = None
            elif prefix in wanted and event not in ("end_map", "end_array", "map_key"):
                if event in ("start_map", "start_array"):
                    builder, depth, at = ObjectBuilder(), 1, prefix
                    builder.event(event, value)
                else:
                    yield prefix, "item", value
            elif prefix.count(".") < 4:
                yield prefix, event, value
    except ijson.JSONError as exc:
        raise StreamError(f"invalid JSON: {str(exc).splitlines()[0][:200]}", _line_now(locator)) from None
    finally:
        handle.close()


def items(path: Path, encoding: str | None, prefix: str, locator: Locator) -> Iterator[object]:
    """Each value at ``prefix`` (as ``stream`` gives them, built by ijson's own builder: faster).
    Raises StreamError on invalid JSON after the values before it were yielded."""
    handle = open_json(path, encoding)
    try:
        yield from ijson.items(Tee(handle, locator), prefix, use_float=True)
    except ijson.JSONError as exc:
        raise StreamError(f"invalid JSON: {str(exc).splitlines()[0][:200]}", _line_now(locator)) from None
    finally:
        handle.close()


def _line_now(locator: Locator) -> int:
    return locator.line + locator.buf.count(b"\n", locator.cur)
