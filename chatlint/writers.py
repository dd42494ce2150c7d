"""Streaming writers for ``chatlint check``: text, json, jsonl, sarif (2.1.0) and github annotations.

A writer gets findings one at a time (``write``) and never holds them all, so the output of a
large transcript streams. ``json`` and ``sarif`` open their array in ``start`` and close it in ``end``.
``write`` is ``emit(item(...))``: ``item`` formats one finding into a string (worker processes of
``-j N`` do that), ``emit`` writes it with what goes between items (the parent does that).
"""

from __future__ import annotations

import io
import json
from typing import IO
from urllib.parse import quote

from chatlint import __version__
from chatlint.diagnostic import Diagnostic
from chatlint.output import finding_dict, write_text
from chatlint.reply import Reply

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


class Writer:
    """Writes findings as they come."""

    def __init__(self, out: IO[str], rules: list) -> None:
        self.out = out
        self.rules = rules
        self.count = 0

    def start(self) -> None:
        pass

    def item(self, reply: Reply, d: Diagnostic) -> str:  # pragma: no cover - abstract
        """One finding as output text (with its line break, without separators)."""
        raise NotImplementedError

    def emit(self, item: str) -> None:
        """Write an ``item`` string."""
        self.out.write(item)
        self.count += 1

    def write(self, reply: Reply, d: Diagnostic) -> None:
        self.emit(self.item(reply, d))

    def end(self) -> None:
        pass


class TextWriter(Writer):
    """``path:line:col: severity rule message [conversation, message, operator]``."""

    def item(self, reply: Reply, d: Diagnostic) -> str:
        buffer = io.StringIO()
        write_text([(reply, d)], buffer)
        return buffer.getvalue()


class JsonWriter(Writer):
    """A JSON array of finding objects."""

    def start(self) -> None:
        self.out.write("[")

    def item(self, reply: Reply, d: Diagnostic) -> str:
        text = json.dumps(finding_dict(reply, d), ensure_ascii=False, indent=2)
        return "\n  " + text.replace("\n", "\n  ")

    def emit(self, item: str) -> None:
        self.out.write(("," if self.count else "") + item)
        self.count += 1

    def end(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")


class JsonlWriter(Writer):
    """One finding object per line."""

    def item(self, reply: Reply, d: Diagnostic) -> str:
        return json.dumps(finding_dict(reply, d), ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubWriter(Writer):
    """GitHub Actions workflow commands (``::warning file=…,line=…::message``)."""

    def item(self, reply: Reply, d: Diagnostic) -> str:
        line, col = reply.line_col(d.start)
        end_line, end_col = reply.line_col(d.end)
        props = [f"file={_escape_property(reply.path)}", f"line={line}", f"col={col}"]
        if end_line == line:
            props.append(f"endColumn={end_col}")
        props.append(f"title={_escape_property(d.rule)}")
        message = d.message + _where(reply)
        if d.suggestions:
            message += " → " + " | ".join(d.suggestions)
        return f"::{GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(message)}\n"


def _where(reply: Reply) -> str:
    meta = reply.meta
    if meta.get("conversation_id") is None:
        return ""
    bits = [f"conversation {meta['conversation_id']}", f"message {meta.get('message_id')}"]
    if meta.get("author"):
        bits.append(f"operator {meta['author']}")
    return f" [{', '.join(bits)}]"


class SarifWriter(Writer):
    """A SARIF 2.1.0 log with one run; rules in ``tool.driver.rules``, results streamed."""

    def __init__(self, out: IO[str], rules: list) -> None:
        super().__init__(out, rules)
        self.index = {rule.id: i for i, rule in enumerate(rules)}

    def start(self) -> None:
        driver = {
            "name": "chatlint",
            "version": __version__,
            "rules": [_sarif_rule(rule) for rule in self.rules],
        }
        head = json.dumps(
            {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": []}]},
            ensure_ascii=False,
            indent=2,
        )
        # Stream the results: cut the document open at the empty results array.
        cut = head.rindex('"results": []') + len('"results": [')
        self.head, self.tail = head[:cut], head[cut:]
        self.out.write(self.head)

    def item(self, reply: Reply, d: Diagnostic) -> str:
        line, col = reply.line_col(d.start)
        end_line, end_col = reply.line_col(d.end)
        region: dict = {
            "startLine": max(line, 1),
            "startColumn": col,
            "endLine": max(end_line, 1),
            "endColumn": end_col,
        }
        if d.text:
            region["snippet"] = {"text": d.text}
        props = {k: v for k, v in reply.meta.items() if v is not None}
        props.update(start=d.start, end=d.end)
        if d.suggestions:
            props["suggestions"] = list(d.suggestions)
        props.update({k: v for k, v in d.extra.items() if isinstance(v, (str, int, float))})
        result = {
            "ruleId": d.rule,
            "level": SARIF_LEVEL[d.severity],
            "message": {"text": d.message + _where(reply)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(reply.path)}, "region": region}}],
            "properties": props,
        }
        if d.rule in self.index:
            result["ruleIndex"] = self.index[d.rule]
        return "\n        " + json.dumps(result, ensure_ascii=False, indent=2).replace("\n", "\n        ")

    def emit(self, item: str) -> None:
        self.out.write(("," if self.count else "") + item)
        self.count += 1

    def end(self) -> None:
        self.out.write(("\n      " if self.count else "") + self.tail + "\n")


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/:._-~")


def _sarif_rule(rule) -> dict:
    data: dict = {
        "id": rule.id,
        "shortDescription": {"text": rule.message.split("\n")[0][:200]},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(rule.severity, "warning"), "enabled": bool(rule.enabled)},
        "properties": {"source": rule.source, "kind": rule.kind},
    }
    if rule.why:
        data["fullDescription"] = {"text": rule.why}
        data["help"] = {"text": rule.why + (" → " + " | ".join(rule.suggest) if rule.suggest else "")}
    return data


WRITERS: dict[str, type[Writer]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "jsonl": JsonlWriter,
    "sarif": SarifWriter,
    "github": GithubWriter,
}
