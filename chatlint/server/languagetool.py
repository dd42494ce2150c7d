"""The LanguageTool HTTP API (``POST /v2/check``, ``GET /v2/languages``) over chatlint's rules.

Requests are form-encoded like LanguageTool's: ``text`` or ``data`` (annotated text: a JSON
``{"annotation": [{"text": …}, {"markup": …, "interpretAs": …}]}`` whose markup is not
checked), ``language`` (``ru``, ``ru-RU`` or ``auto``), ``enabledRules``, ``disabledRules``,
``enabledCategories``, ``disabledCategories``, ``enabledOnly``. Offsets and lengths in the
answer count UTF-16 code units of the whole submitted text (markup included), as
LanguageTool's (Java) do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

import chatlint
from chatlint.diagnostic import Diagnostic
from chatlint.linter import Linter, selector_matches
from chatlint.rules import Rule
from chatlint.server.engine import Engine, Selection, SelectionError
from chatlint.server.offsets import Utf16Map, utf16_len

LANGUAGES = [{"name": "Russian", "code": "ru", "longCode": "ru-RU"}]
_ACCEPTED_LANGUAGES = {"ru", "ru-ru", "auto"}
CONTEXT_CHARS = 40  # characters of context either side of a match, as LanguageTool gives

CATEGORY_NAMES = {
    "taboo": "Запретные фразы",
    "tone": "Тон",
    "style": "Стиль",
    "spelling": "Орфография",
    "dialogue": "Ведение диалога",
    "template": "Шаблоны",
    "chatlint": "chatlint",
}
# LanguageTool's issue types (ITS 2.0 localization quality issue types) by chatlint category
ISSUE_TYPES = {"spelling": "misspelling", "style": "style", "tone": "register", "taboo": "register"}


class LanguageToolError(ValueError):
    """A request LanguageTool would refuse too: answered with 400 and the message."""


@dataclass
class LtRequest:
    text: str  # what is checked: the text parts of ``data``, markup replaced by its interpretAs
    original: str  # the submitted text, markup included: offsets refer to it
    to_original: list[int] | None  # per checked character, its offset in ``original`` (None: the same)
    selection: Selection
    unknown_rules: list[str]


def parse_form(body: bytes, query: str = "") -> dict[str, str]:
    """The fields of a form-encoded body and query string (the body wins); strict UTF-8."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict")
        pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise LanguageToolError(f"the request is not valid UTF-8 (byte offset {exc.start})") from None
    except ValueError as exc:
        raise LanguageToolError(f"the request is not form-encoded: {exc}") from None
    return dict(pairs)


def parse_request(form: Mapping[str, str], linter: Linter, max_chars: int) -> LtRequest:
    """An ``LtRequest`` from the form fields, or LanguageToolError."""
    language = form.get("language", "ru-RU")
    if language.lower() not in _ACCEPTED_LANGUAGES:
        raise LanguageToolError(f"language {language!r} is not supported: chatlint checks Russian (ru-RU or auto)")
    if ("text" in form) == ("data" in form):
        raise LanguageToolError("give either 'text' or 'data'")
    if "text" in form:
        text, original, mapping = form["text"], form["text"], None
    else:
        text, original, mapping = annotated_text(form["data"])
    if len(original) > max_chars:
        raise LanguageToolError(f"the text has {len(original)} characters, at most {max_chars}")
    selection, unknown = lt_selection(form, linter)
    return LtRequest(text, original, mapping, selection, unknown)


def annotated_text(data: str) -> tuple[str, str, list[int]]:
    """(checked text, submitted text, map from checked offsets to submitted ones) of ``data``."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise LanguageToolError(f"data is not JSON: {exc}") from None
    items = doc.get("annotation") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise LanguageToolError('data must be {"annotation": [...]}')
    checked: list[str] = []
    original: list[str] = []
    mapping: list[int] = []
    pos = 0
    for i, item in enumerate(items):
        if not isinstance(item, dict) or ("text" in item) == ("markup" in item):
            raise LanguageToolError(f"data.annotation[{i}]: expected {{'text': …}} or {{'markup': …}}")
        value = item.get("text", item.get("markup"))
        spoken = item["text"] if "text" in item else item.get("interpretAs", "")
        if not isinstance(value, str) or not isinstance(spoken, str):
            raise LanguageToolError(f"data.annotation[{i}]: text, markup and interpretAs must be strings")
        if "text" in item:
            mapping.extend(range(pos, pos + len(value)))
        else:
            mapping.extend([pos] * len(spoken))  # what markup stands for points at the markup
        checked.append(spoken)
        original.append(value)
        pos += len(value)
    mapping.append(pos)  # the end of the text
    return "".join(checked), "".join(original), mapping


def _names(form: Mapping[str, str], key: str) -> list[str]:
    return [v.strip() for v in form.get(key, "").split(",") if v.strip()]


def lt_selection(form: Mapping[str, str], linter: Linter) -> tuple[Selection, list[str]]:
    """The Selection of the LanguageTool parameters; ids to disable that no rule has are left
    out and returned (clients send their own rules' ids), ids to enable must exist."""
    known = [r.id for r in linter.all_rules]
    enabled = _names(form, "enabledRules") + _names(form, "enabledCategories")
    disabled = _names(form, "disabledRules") + _names(form, "disabledCategories")
    unknown = [s for s in disabled if not any(selector_matches(s, k) for k in known)]
    disabled = [s for s in disabled if s not in unknown]
    if form.get("enabledOnly", "false").lower() == "true":
        if not enabled:
            raise LanguageToolError("enabledOnly=true needs enabledRules or enabledCategories")
        return Selection(select=tuple(enabled), ignore=tuple(disabled)), unknown
    return Selection(ignore=tuple(disabled), extend_select=tuple(enabled)), unknown


def check(engine: Engine, request: LtRequest) -> dict:
    """The LanguageTool response for a parsed request."""
    try:
        linter = engine.for_selection(request.selection)
    except SelectionError as exc:
        raise LanguageToolError(str(exc)) from None
    diagnostics = linter.check(request.text)
    umap = Utf16Map(request.original)
    matches = [_match(request, linter.rule(d.rule), d, umap) for d in diagnostics]
    warnings: dict = {"incompleteResults": False}
    if request.unknown_rules:
        warnings["unknownRules"] = request.unknown_rules
    return {
        "software": {
            "name": "chatlint",
            "version": chatlint.__version__,
            "buildDate": None,
            "apiVersion": 1,
            "premium": False,
            "status": "",
        },
        "warnings": warnings,
        "language": {
            "name": "Russian",
            "code": "ru-RU",
            "detectedLanguage": {"name": "Russian", "code": "ru-RU", "confidence": 1.0},
        },
        "matches": matches,
    }


def _span(request: LtRequest, d: Diagnostic) -> tuple[int, int]:
    """The finding's code-point span in the submitted text."""
    if request.to_original is None:
        return d.start, d.end
    m = request.to_original
    end = m[d.end - 1] + 1 if d.end > d.start else m[d.end]
    return m[d.start], max(end, m[d.start])


def category_of(rule_id: str) -> str:
    """``taboo/dont-know`` → ``taboo``."""
    return rule_id.split("/", 1)[0]


_RULE_PARTS: dict[tuple[str, str], tuple[str, dict, dict]] = {}  # (id, message) → the match's rule parts


def _rule_parts(rule: Rule) -> tuple[str, dict, dict]:
    """A rule's ``shortMessage``, ``type`` and ``rule`` of a match, made once per rule (shared by
    the responses: nothing changes them once made)."""
    key = (rule.id, rule.message)
    parts = _RULE_PARTS.get(key)
    if parts is None:
        category = category_of(rule.id)
        name = CATEGORY_NAMES.get(category, category)
        parts = (
            name,
            {"typeName": "UnknownWord" if category == "spelling" else "Other"},
            {
                "id": rule.id,
                "description": _description(rule),
                "issueType": ISSUE_TYPES.get(category, "uncategorized"),
                "category": {"id": category, "name": name},
            },
        )
        if len(_RULE_PARTS) < 10_000:  # rule sets are hundreds; a bound all the same
            _RULE_PARTS[key] = parts
    return parts


def _match(request: LtRequest, rule: Rule, d: Diagnostic, umap: Utf16Map) -> dict:
    short, kind, rule_json = _rule_parts(rule)
    start, end = _span(request, d)
    original = request.original
    offset = umap.to_utf16(start)
    length = umap.to_utf16(end) - offset
    replacements = list(d.suggestions)
    if not replacements and d.fix is not None and (d.fix.start, d.fix.end) == (d.start, d.end):
        replacements = [d.fix.replacement]
    return {
        "message": d.message,
        "shortMessage": short,
        "replacements": [{"value": r} for r in replacements],
        "offset": offset,
        "length": length,
        "context": _context(original, start, end),
        "sentence": _sentence(original, start, end),
        "type": kind,
        "rule": rule_json,
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }


def _context(text: str, start: int, end: int) -> dict:
    """LanguageTool's context: up to 40 characters either side, "..." where cut, line breaks as spaces."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    before = ("..." if lo > 0 else "") + text[lo:start]
    middle = text[start:end]
    after = text[end:hi] + ("..." if hi < len(text) else "")
    return {
        "text": (before + middle + after).translate(_FLAT),
        "offset": utf16_len(before),
        "length": utf16_len(middle),
    }


_SENTENCE_ENDS = ".!?…\n"
_FLAT = str.maketrans("\r\n\t", "   ")  # line breaks and tabs of a context as spaces


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) that holds the span: from after the previous end mark to the next."""
    lo = start
    while lo > 0 and not (text[lo - 1] in _SENTENCE_ENDS and (lo == len(text) or text[lo].isspace())):
        lo -= 1
    hi = max(end, start)
    while hi < len(text) and text[hi] not in _SENTENCE_ENDS:
        hi += 1
    while hi < len(text) and text[hi] in _SENTENCE_ENDS and text[hi] != "\n":
        hi += 1
    return text[lo:hi].strip()


def _description(rule: Rule) -> str:
    """A short description: the rule's message up to its first sentence end, placeholders dropped."""
    message = rule.message.replace("{match}", "…")
    for mark in (". ", "! ", "? "):
        if mark in message:
            message = message.split(mark, 1)[0] + mark.strip()
            break
    return message
