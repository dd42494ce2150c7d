"""Streaming writers for ``chatlint check``: text, json, jsonl, sarif (2.1.0) and github annotations.

A writer gets findings one at a time (``write``) and never holds them all, so the output of a
large transcript streams. ``json`` and ``sarif`` open their array in ``start`` and close it in ``end``.
"""

from __future__ import annotations

import json
from typing import IO
from urllib.parse import quote

from chatlint import __version__
from chatlint.diagnostic import Diagnostic
from chatlint.output import finding_dict, write_text
from chatlint.sources import Reply

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

    def write(self, reply: Reply, d: Diagnostic) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def end(self) -> None:
        pass


class TextWriter(Writer):
    """``path:line:col: severity rule message [conversation, message, operator]``."""

    def write(self, reply: Reply, d: Diagnostic) -> None:
        self.count += write_text([(reply, d)], self.out)


class JsonWriter(Writer):
    """A JSON array of finding objects."""

    def start(self) -> None:
        self.out.write("[")

    def write(self, reply: Reply, d: Diagnostic) -> None:
        text = json.dumps(finding_dict(reply, d), ensure_ascii=False, indent=2)
        self.out.write(("," if self.count else "") + "\n  " + text.replace("\n", "\n  "))
        self.count += 1

    def end(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")


class JsonlWriter(Writer):
    """One finding object per line."""

    def write(self, reply: Reply, d: Diagnostic) -> None:
        self.out.write(json.dumps(finding_dict(reply, d), ensure_ascii=False) + "\n")
        self.count += 1


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubWriter(Writer):
    """GitHub Actions workflow commands (``::warning file=…,line=…::message``)."""

    def write(self, reply: Reply, d: Diagnostic) -> None:
        line, col = reply.line_col(d.start)
        end_line, end_col = reply.line_col(d.end)
        props = [f"file={_escape_property(reply.path)}", f"line={line}", f"col={col}"]
        if end_line == line:
            props.append(f"endColumn={end_col}")
        props.append(f"title={_escape_property(d.rule)}")
        message = d.message + _where(reply)
        if d.suggestions:
            message += " → " + " | ".join(d.suggestions)
        self.out.write(f"::{GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(message)}\n")
        self.count += 1


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

    def start(self) -> None:
        self.index = {rule.id: i for i, rule in enumerate(self.rules)}
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

    def write(self, reply: Reply, d: Diagnostic) -> None:
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
        text = json.dumps(result, ensure_ascii=False, indent=2).replace("\n", "\n        ")
        self.out.write(("," if self.count else "") + "\n        " + text)
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
