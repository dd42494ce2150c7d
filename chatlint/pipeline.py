"""The one check pipeline: a unit of input and its file's settings in, findings out.

A *unit* is one reply (a draft, ``--text``, stdin), a ``Library`` (the replies of one
canned-reply file) or a ``Conversation`` (a chat from a transcript). Every entry point —
``Linter.check`` users, ``chatlint check`` serial and ``-j``, ``--statistics``, ``--fix``,
``chatlint report``, the HTTP server and the Dask runner — turns its input into units and
calls ``check_unit``, so per-file ignores, inline suppressions, unused-suppression findings
and dialogue rules apply the same way everywhere. Findings come in position order.

Inline suppressions are read by the template readers (chatlint/templates); this module
only uses what a reply carries: ``reply.ignores`` (objects with ``covers(rule_id)`` and a
``used`` set) and ``reply.file_ignores`` (every suppression of its file), with
``reply.source.file`` for the marker's position.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatlint.conversation import Conversation
from chatlint.diagnostic import Diagnostic
from chatlint.reply import Reply
from chatlint.selection import selector_matches

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.linter import Linter

Finding = tuple[Reply, Diagnostic]
UNUSED_IGNORE = "chatlint/unused-ignore"


@dataclass
class Library:
    """The replies of one canned-reply file (a ``.txt`` file is a library of one reply)."""

    path: str
    replies: list[Reply] = field(default_factory=list)


Unit = Reply | Library | Conversation


def check_unit(unit: Unit, linter: Linter, skip: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of one unit, without the rules ``skip`` (per-file ignores) names."""
    if isinstance(unit, Conversation):
        return check_conversation(unit, linter, skip)
    if isinstance(unit, Library):
        return check_library(unit, linter, skip)
    return check_reply(unit, linter, skip)


def _skipped(rule_id: str, skip: tuple[str, ...]) -> bool:
    return any(selector_matches(s, rule_id) for s in skip)


def check_reply(reply: Reply, linter: Linter, skip: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of one reply (a draft: no suppressions)."""
    return [(reply, d) for d in linter.check(reply.text) if not (skip and _skipped(d.rule, skip))]


def check_library(library: Library, linter: Linter, skip: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of one file's replies: inline suppressions applied, then the suppressions
    that silenced nothing (``chatlint/unused-ignore``), all in position order."""
    findings: list[Finding] = []
    files_seen: dict[int, tuple[Reply, list]] = {}
    for reply in library.replies:
        ignores = getattr(reply, "ignores", None)
        for d in linter.check(reply.text):
            if (skip and _skipped(d.rule, skip)) or (ignores and _suppressed(ignores, d.rule)):
                continue
            findings.append((reply, d))
        every = getattr(reply, "file_ignores", None)
        if every:
            files_seen.setdefault(id(every), (reply, every))
    if files_seen and UNUSED_IGNORE in linter.enabled_ids and not _skipped(UNUSED_IGNORE, skip):
        known = [r.id for r in linter.all_rules]
        for reply, suppressions in files_seen.values():
            findings.extend(_unused(reply, suppressions, linter, known))
    return sorted(findings, key=_position)


def _position(finding: Finding) -> tuple[int, int]:
    reply, d = finding
    return reply.line_col(d.start)


def _suppressed(ignores: list, rule_id: str) -> bool:
    for supp in ignores:
        selector = supp.covers(rule_id)
        if selector is not None:
            supp.used.add(selector)
            return True
    return False


@dataclass(frozen=True)
class _MarkerPosition:
    """Positions inside a suppression marker: offsets from the marker's place in its file."""

    file: object
    base: int

    def __call__(self, offset: int) -> tuple[int, int]:
        return self.file.line_col(self.base + offset)


def _unused(reply: Reply, suppressions: list, linter: Linter, known: list[str]) -> list[Finding]:
    source = getattr(reply, "source", None)
    file = source.file if source is not None else None
    if file is None:
        return []
    rule = linter.rule(UNUSED_IGNORE)
    severity = linter.severity_of(UNUSED_IGNORE)
    out: list[Finding] = []
    for supp in dict.fromkeys(suppressions):
        for selector in supp.rules or ("*",):
            if selector in supp.used:
                continue
            marker = file.text[supp.offset : supp.offset + supp.length].rstrip()
            if selector != "*" and not any(selector_matches(selector, k) for k in known):
                why = f"нет правила или категории {selector!r}"
            elif selector == "*":
                why = "ни одно правило здесь не срабатывает"
            else:
                why = f"{selector} здесь не срабатывает"
            message = f"Подавление «{marker}» ничего не подавило: {why}. Уберите его или исправьте id правила."
            note = Reply(marker, file.path, _MarkerPosition(file, supp.offset))
            out.append((note, Diagnostic(UNUSED_IGNORE, severity, 0, len(marker), message, marker, source=rule.source)))
    return out


_CHECKERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_conversation(conv: Conversation, linter: Linter, skip: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of a conversation: reply rules on the operator's replies, then dialogue rules;
    in event order, then by offset within the message."""
    checker = _CHECKERS.get(linter)
    if checker is None:
        from chatlint.dialogue import ConversationChecker

        checker = _CHECKERS.setdefault(linter, ConversationChecker(linter))
    findings = checker.check(conv)
    return [f for f in findings if not _skipped(f[1].rule, skip)] if skip else findings


def check_conversations(
    conversations: Iterable[Conversation], linter: Linter | None = None
) -> Iterator[tuple[Conversation, list[Finding]]]:
    """Each conversation with its findings, in the order given (``linter``: the default pack)."""
    if linter is None:
        from chatlint.linter import Linter

        linter = Linter()
    for conv in conversations:
        yield conv, check_conversation(conv, linter)
