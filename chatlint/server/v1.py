"""chatlint's own HTTP API, ``POST /v1/check``: requests read and checked, responses built.

A request is JSON (docs/server.md)::

    {"text": "…"}                                   one draft
    {"drafts": ["…", {"id": 7, "text": "…"}]}       a batch
    "context": [{"role": "client", "text": "…", "time": "2024-03-15T10:00:00+03:00"}]
    "time": "…"   when the draft is sent (default: now, when the context has times)
    "ends": true  the draft ends the conversation (rules on how a chat ended apply)
    "select" / "ignore" / "extend_select": rule ids or categories
    "offsets": "codepoint" (default) or "utf16"

Anything else is a ``RequestError`` naming the field: the HTTP layer answers 422 (or 413 for a
limit), never 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from chatlint.conversation import BOT, CLIENT, EVENT_TYPES, MESSAGE, OPERATOR, SYSTEM
from chatlint.server.engine import Engine, Message, Selection, findings_json
from chatlint.server.offsets import OFFSET_KINDS

_KEYS = {"text", "drafts", "context", "time", "ends", "select", "ignore", "extend_select", "offsets"}
_DRAFT_KEYS = {"id", "text", "context", "time"}
_MESSAGE_KEYS = {"role", "text", "time", "author", "type"}
ROLES = (CLIENT, OPERATOR, BOT, SYSTEM)
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate from a JSON \\ud83d escape: not text


class RequestError(ValueError):
    """A request that does not follow the API; ``status`` is 422, or 413 for a limit."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """What one request may hold."""

    max_body: int = 1_000_000  # bytes of a request body
    max_drafts: int = 100  # drafts in a batch
    max_chars: int = 20_000  # characters of one draft (or one LanguageTool text)
    max_context: int = 200  # messages of context


@dataclass
class Draft:
    text: str
    id: object = None
    context: list[Message] | None = None
    time: datetime | None = None


@dataclass
class CheckRequest:
    drafts: list[Draft]
    batch: bool
    selection: Selection = Selection()
    context: list[Message] = field(default_factory=list)
    time: datetime | None = None
    offsets: str = "codepoint"
    ends: bool = False


def parse_request(body: object, limits: Limits) -> CheckRequest:
    """A ``CheckRequest`` from the decoded JSON body, or RequestError."""
    if type(body) is dict and len(body) == 1 and "text" in body:  # the common request: one draft, nothing else
        return CheckRequest([Draft(_text(body["text"], "text", limits))], False)
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    _no_unknown(body, _KEYS, "")
    if ("text" in body) == ("drafts" in body):
        raise RequestError("give either 'text' (one draft) or 'drafts' (a batch)")
    if "text" in body:
        drafts, batch = [Draft(_text(body["text"], "text", limits))], False
    else:
        raw = body["drafts"]
        if not isinstance(raw, list):
            raise RequestError("drafts: expected a list")
        if len(raw) > limits.max_drafts:
            raise RequestError(f"drafts: {len(raw)} drafts, at most {limits.max_drafts} in one request", 413)
        drafts, batch = [_draft(item, f"drafts[{i}]", limits) for i, item in enumerate(raw)], True
    offsets = body.get("offsets", "codepoint")
    if offsets not in OFFSET_KINDS:
        raise RequestError(f"offsets: expected one of {', '.join(OFFSET_KINDS)}, got {offsets!r}")
    selection = Selection(
        select=_selectors(body.get("select"), "select"),
        ignore=_selectors(body.get("ignore"), "ignore"),
        extend_select=_selectors(body.get("extend_select"), "extend_select"),
    )
    context = _context(body.get("context"), "context", limits)
    time = _time(body.get("time"), "time")
    ends = body.get("ends", False)
    if not isinstance(ends, bool):
        raise RequestError("ends: expected true or false")
    return CheckRequest(drafts, batch, selection, context, time, offsets, ends)


def run_request(engine: Engine, request: CheckRequest) -> dict:
    """The response object: ``findings`` for one draft, ``results`` (``id``, ``findings``) for a batch."""
    results = []
    for draft in request.drafts:
        context = draft.context if draft.context is not None else request.context
        if context:
            time = draft.time or request.time or (_now() if any(m.time for m in context) else None)
            found = engine.check_in_conversation(draft.text, context, request.selection, time, request.ends)
        else:
            found = engine.check(draft.text, request.selection)
        results.append({"id": draft.id, "findings": findings_json(draft.text, found, request.offsets)})
    if request.batch:
        return {"offsets": request.offsets, "results": results}
    return {"offsets": request.offsets, "findings": results[0]["findings"]}


def request_size(request: CheckRequest) -> int:
    """Characters to check, context included: what decides whether to check off the event loop."""
    size = 0
    for m in request.context:
        size += len(m.text)
    for d in request.drafts:
        size += len(d.text)
        for m in d.context or ():
            size += len(m.text)
    return size


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _no_unknown(obj: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        prefix = f"{where}: " if where else ""
        raise RequestError(f"{prefix}unknown field {unknown[0]!r} (fields: {', '.join(sorted(allowed))})")


def _text(value: object, where: str, limits: Limits) -> str:
    if not isinstance(value, str):
        raise RequestError(f"{where}: expected a string, got {type(value).__name__}")
    if len(value) > limits.max_chars:
        raise RequestError(f"{where}: {len(value)} characters, at most {limits.max_chars}", 413)
    bad = _SURROGATE.search(value)
    if bad is not None:
        raise RequestError(f"{where}: a lone surrogate U+{ord(bad.group()):04X} at offset {bad.start()} is not text")
    return value


def _draft(item: object, where: str, limits: Limits) -> Draft:
    if isinstance(item, str):
        return Draft(_text(item, where, limits))
    if not isinstance(item, dict):
        raise RequestError(f"{where}: expected a string or an object with 'text'")
    _no_unknown(item, _DRAFT_KEYS, where)
    if "text" not in item:
        raise RequestError(f"{where}: 'text' is missing")
    context = _context(item["context"], f"{where}.context", limits) if "context" in item else None
    return Draft(_text(item["text"], f"{where}.text", limits), item.get("id"), context, _time(item.get("time"), where))


def _selectors(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"{where}: expected a list of rule ids or categories")
    return tuple(v.strip() for v in value if v.strip())


def _context(value: object, where: str, limits: Limits) -> list[Message]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RequestError(f"{where}: expected a list of messages")
    if len(value) > limits.max_context:
        raise RequestError(f"{where}: {len(value)} messages, at most {limits.max_context}", 413)
    messages = [_message(m, f"{where}[{i}]", limits) for i, m in enumerate(value)]
    timed = [m.time is not None for m in messages]
    if any(timed) and not all(timed):
        missing = timed.index(False)
        raise RequestError(f"{where}[{missing}]: 'time' is missing (give times for all messages or for none)")
    return messages


def _message(item: object, where: str, limits: Limits) -> Message:
    if not isinstance(item, dict):
        raise RequestError(f"{where}: expected an object with 'role' and 'text'")
    _no_unknown(item, _MESSAGE_KEYS, where)
    role = item.get("role")
    if role not in ROLES:
        raise RequestError(f"{where}.role: expected one of {', '.join(ROLES)}, got {role!r}")
    kind = item.get("type", MESSAGE)
    if kind not in EVENT_TYPES:
        raise RequestError(f"{where}.type: expected one of {', '.join(EVENT_TYPES)}, got {kind!r}")
    author = item.get("author")
    if author is not None and not isinstance(author, str):
        raise RequestError(f"{where}.author: expected a string")
    text = _text(item.get("text", ""), f"{where}.text", limits)
    return Message(role, text, _time(item.get("time"), f"{where}.time"), author, kind)


def _time(value: object, where: str) -> datetime | None:
    """ISO 8601 with a time zone (``Z`` or ``+03:00``), or seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RequestError(f"{where}: expected an ISO 8601 time or seconds since the epoch")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise RequestError(f"{where}: {value} is out of range") from None
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise RequestError(f"{where}: {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise RequestError(f"{where}: {value!r} has no time zone (add Z or +03:00)")
    return parsed
