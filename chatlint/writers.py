"""Streaming writers for ``chatlint check``: text, json, jsonl, sarif (2.1.0) and github annotations.

A writer gets findings one at a time (``write``) and never holds them all, so the output of a
large transcript streams. ``json`` and ``sarif`` open their array in ``start`` and close it in ``end``.
``write`` is ``emit(item(...))``: ``item`` formats one finding into a string (worker processes of
``-j N`` do that), ``emit`` writes it with what goes between items (the parent does that).
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
from pathlib import Path
from typing import IO
from urllib.parse import quote

from chatlint import __version__
from chatlint.diagnostic import Diagnostic
from chatlint.output import finding_dict, safe, safe_json, write_text
from chatlint.reply import Reply

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"  # the base of relative artifact URIs: the folder chatlint ran in
PLACEHOLDER = re.compile(r"\{\w+(?::[^{}]*)?\}")  # {match}, {count:раз} in a rule's message
FILE_SPECIAL = re.compile(r'["\\\r\n\t]')  # a replacement with these is not inserted into a file as is
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
        text = safe_json(json.dumps(finding_dict(reply, d), ensure_ascii=False, indent=2))
        return "\n  " + text.replace("\n", "\n  ")

    def emit(self, item: str) -> None:
        self.out.write(("," if self.count else "") + item)
        self.count += 1

    def end(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")


class JsonlWriter(Writer):
    """One finding object per line."""

    def item(self, reply: Reply, d: Diagnostic) -> str:
        return safe_json(json.dumps(finding_dict(reply, d), ensure_ascii=False)) + "\n"


def _escape_data(text: str) -> str:
    """A workflow command's data: GitHub's own escapes for «%», CR and LF, then the other
    control characters written visibly (``output.safe``), so no ANSI reaches the log."""
    return safe(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


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
        bits.append(f"operator {meta['author']}")  # escaped with the message it is part of
    return f" [{', '.join(bits)}]"


class SarifWriter(Writer):
    """A SARIF 2.1.0 log with one run; rules in ``tool.driver.rules``, results streamed."""

    def __init__(self, out: IO[str], rules: list, root: str | None = None) -> None:
        super().__init__(out, rules)
        self.index = {rule.id: i for i, rule in enumerate(rules)}
        self.root = Path(root or os.getcwd())

    def start(self) -> None:
        driver = {
            "name": "chatlint",
            "version": __version__,
            "informationUri": docs_url() or None,
            "rules": [_sarif_rule(rule) for rule in self.rules],
        }
        driver = {k: v for k, v in driver.items() if v is not None}
        run = {
            "tool": {"driver": driver},
            "originalUriBaseIds": {SRCROOT: {"uri": self.root.as_uri().rstrip("/") + "/"}},
            "results": [],
        }
        head = safe_json(
            json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2)
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
        artifact = self.artifact(reply.path)
        result = {
            "ruleId": d.rule,
            "level": SARIF_LEVEL[d.severity],
            "message": {"text": d.message + _where(reply)},
            "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
            "partialFingerprints": {"chatlintFinding/v1": fingerprint(reply, d)},
            "properties": props,
        }
        fix = _sarif_fix(reply, d, artifact)
        if fix:
            result["fixes"] = [fix]
        if d.rule in self.index:
            result["ruleIndex"] = self.index[d.rule]
        text = safe_json(json.dumps(result, ensure_ascii=False, indent=2))
        return "\n        " + text.replace("\n", "\n        ")

    def emit(self, item: str) -> None:
        self.out.write(("," if self.count else "") + item)
        self.count += 1

    def end(self) -> None:
        self.out.write(("\n      " if self.count else "") + self.tail + "\n")

    def artifact(self, path: str) -> dict:
        """The artifactLocation of a file: relative to ``%SRCROOT%`` when it is under the run's folder."""
        if path in ("-", "<stdin>") or path.startswith("<"):
            return {"uri": _uri(path)}
        full = Path(path) if os.path.isabs(path) else self.root / path
        try:
            relative = os.path.relpath(full, self.root)
        except ValueError:  # another drive
            relative = ".."
        if relative == ".." or relative.startswith(".." + os.sep):
            return {"uri": full.as_uri()}
        return {"uri": _uri(relative), "uriBaseId": SRCROOT}


def fingerprint(reply: Reply, d: Diagnostic) -> str:
    """A finding's identity that survives lines moving: rule, file, conversation and message (in a
    transcript), the flagged text with up to 20 characters either side on its line; not its line number or offset."""
    meta = reply.meta
    where = (meta.get("conversation_id"), meta.get("message_id")) if meta.get("conversation_id") is not None else ()
    text = reply.text
    line_start = text.rfind("\n", 0, d.start) + 1
    line_end = text.find("\n", d.end)
    context = text[max(line_start, d.start - 20) : min(d.end + 20, len(text) if line_end < 0 else line_end)]
    key = "\x1f".join(str(v) for v in (d.rule, reply.path, *where, d.text, context))
    import hashlib  # here: a plain ``check --text`` does not load it

    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]  # a name may hold undecodable bytes


def _sarif_fix(reply: Reply, d: Diagnostic, artifact: dict) -> dict | None:
    """The diagnostic's fix as a SARIF fix, when it can be written into the file as is: the
    replaced characters sit on one line of the file unescaped and the new text needs no escaping."""
    fix = d.fix
    if fix is None or FILE_SPECIAL.search(fix.replacement):
        return None
    line, col = reply.line_col(fix.start)
    end_line, end_col = reply.line_col(fix.end)
    if end_line != line or end_col - col != fix.end - fix.start:
        return None
    region = {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}
    return {
        "description": {"text": f"«{reply.text[fix.start : fix.end]}» → «{fix.replacement}»"},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": fix.replacement}}],
            }
        ],
    }


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/:._-~", errors="surrogateescape")  # an undecodable name: its bytes


@functools.cache
def docs_url() -> str:
    """The published docs/ folder: the package's ``Documentation`` URL with a trailing «/»; "" when unknown."""
    try:
        from importlib.metadata import metadata

        for entry in metadata("chatlint").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "documentation":
                return url.strip().rstrip("/") + "/"
    except Exception:  # noqa: BLE001 - not installed as a distribution: no link
        return ""
    return ""


URL_IN_SOURCE = re.compile(r"https?://[^\s»)\]]+")


def rule_help_uri(rule) -> str:
    """A stable link for a rule: a web address in its ``source``, else docs/rules-list.md of the
    published docs (``Documentation`` in the package's URLs); "" when neither is known."""
    found = URL_IN_SOURCE.search(rule.source or "")
    if found:
        return found.group(0)
    return f"{docs_url()}rules-list.md" if docs_url() else ""


def _sarif_rule(rule) -> dict:
    data: dict = {
        "id": rule.id,
        "shortDescription": {"text": PLACEHOLDER.sub("…", rule.message.split("\n")[0])[:200]},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(rule.severity, "warning"), "enabled": bool(rule.enabled)},
        "properties": {"source": rule.source, "kind": rule.kind},
    }
    if rule.why:
        data["fullDescription"] = {"text": rule.why}
        data["help"] = {"text": rule.why + (" → " + " | ".join(rule.suggest) if rule.suggest else "")}
    help_uri = rule_help_uri(rule)
    if help_uri:
        data["helpUri"] = help_uri
    return data


WRITERS: dict[str, type[Writer]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "jsonl": JsonlWriter,
    "sarif": SarifWriter,
    "github": GithubWriter,
}
