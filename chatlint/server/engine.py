"""What both servers check with: one Linter per process, linters for rule selections, dialogue context.

Nothing here knows HTTP. A request's rule selection gets a Linter of its own (built from the
cached rules in about 0.1 s, then kept in a small LRU), never a filter over the default
linter's findings: which findings survive depends on which rules run (a guess yields to a
more precise finding of another rule), so only a real Linter gives what ``Linter.check`` gives.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chatlint.conversation import MESSAGE, OPERATOR, Conversation, Event
from chatlint.diagnostic import Diagnostic
from chatlint.linter import ConfigError, Linter
from chatlint.output import finding_dict
from chatlint.pipeline import check_conversation
from chatlint.project import CliOptions, Project
from chatlint.server.offsets import Utf16Map
from chatlint.sources import LineIndex, Reply

DRAFT_ID = "draft"
# Kinds of dialogue rule that judge how a conversation ended: a draft about to be sent is not
# the end of its conversation unless the request says so (``"ends": true``).
ENDING_KINDS = frozenset({"dialogue-closing"})


class SelectionError(ValueError):
    """A request names a rule or category that does not exist."""


@dataclass(frozen=True)
class Selection:
    """The rules a request asks for, over the server's configuration (``select`` replaces, the rest add)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()

    @property
    def default(self) -> bool:
        return not (self.select or self.ignore or self.extend_select)


@dataclass(frozen=True)
class Message:
    """A message of the conversation before the draft: who wrote it, when, what."""

    role: str
    text: str
    time: datetime | None = None
    author: str | None = None
    kind: str = MESSAGE  # an event type: message, note, transfer, close …


def config_linter_kwargs(config_file: str | None = None, folder: Path | None = None) -> dict:
    """The ``Linter`` arguments of the configuration a server uses: ``config_file``, else the
    configuration found from ``folder`` (the working folder) upwards, as ``chatlint check`` finds it."""
    project = Project(CliOptions(config=config_file))
    config = project.config_for(folder or Path.cwd())
    project.linter_for(config)  # raises with the file named when the configuration is wrong
    return Project.linter_kwargs(config)


class Engine:
    """The default Linter of a server process and the linters of recent rule selections."""

    def __init__(self, linter_kwargs: dict | None = None, max_selections: int = 16) -> None:
        self.kwargs = dict(linter_kwargs or {})
        gc.disable()  # as the CLI does: the loaded rules live as long as the process
        try:
            self.linter = Linter(**self.kwargs)
            gc.freeze()
        finally:
            gc.enable()
        self.max_selections = max_selections
        self._cache: OrderedDict[Selection, Linter] = OrderedDict()
        self._lock = threading.Lock()

    def for_selection(self, selection: Selection) -> Linter:
        """The Linter for a rule selection; SelectionError when the selection names an unknown
        rule or category."""
        if selection.default:
            return self.linter
        with self._lock:
            found = self._cache.get(selection)
            if found is not None:
                self._cache.move_to_end(selection)
                return found
        kwargs = dict(self.kwargs)
        if selection.select:
            kwargs["select"] = list(selection.select)
        kwargs["ignore"] = list(kwargs.get("ignore") or ()) + list(selection.ignore)
        kwargs["extend_select"] = list(kwargs.get("extend_select") or ()) + list(selection.extend_select)
        try:
            linter = Linter(**kwargs)
        except ConfigError as exc:
            raise SelectionError(str(exc)) from None
        with self._lock:
            self._cache[selection] = linter
            while len(self._cache) > self.max_selections:
                self._cache.popitem(last=False)
        return linter

    def ready(self, selection: Selection) -> bool:
        """The selection's Linter is built (asking for it will not take the 0.1 s of a build)."""
        return selection.default or selection in self._cache

    def check(self, text: str, selection: Selection = Selection()) -> list[Diagnostic]:
        """``Linter.check`` of the draft with the selection's linter."""
        return self.for_selection(selection).check(text)

    def check_in_conversation(
        self,
        text: str,
        context: Sequence[Message],
        selection: Selection = Selection(),
        time: datetime | None = None,
        ends: bool = False,
    ) -> list[Diagnostic]:
        """The findings on a draft about to be sent after ``context``: the reply rules and the
        dialogue rules, the latter seeing the earlier messages (findings on those are dropped);
        rules on how a conversation ended only when the draft ``ends`` it."""
        linter = self.for_selection(selection)
        conv = conversation_with_draft(text, context, time)
        found = [d for reply, d in check_conversation(conv, linter) if reply.meta.get("message_id") == DRAFT_ID]
        if not ends:
            found = [d for d in found if linter.rule(d.rule).kind not in ENDING_KINDS]
        return found


def conversation_with_draft(text: str, context: Sequence[Message], time: datetime | None) -> Conversation:
    """The conversation of the context messages followed by the draft, an operator reply."""
    conv = Conversation("request", path="<text>", source_format="request")
    for i, m in enumerate(context):
        conv.events.append(
            Event("request", str(i + 1), m.time, m.role, m.text, m.kind, author_name=m.author, seq=i, line=0)
        )
    conv.events.append(Event("request", DRAFT_ID, time, OPERATOR, text, MESSAGE, seq=len(context)))
    return conv.sort()


def findings_json(text: str, diagnostics: Sequence[Diagnostic], offsets: str = "codepoint") -> list[dict]:
    """The ``--format json`` objects of a draft's findings; with ``offsets="utf16"`` the offsets
    (``start``, ``end``, ``fix.start``, ``fix.end``) and columns count UTF-16 code units."""
    if not diagnostics:
        return []
    position = LineIndex(text).line_col if "\n" in text or "\r" in text else _one_line
    reply = Reply(text, "<text>", position)  # one line index for all the findings
    items = [finding_dict(reply, d) for d in diagnostics]
    if offsets == "utf16" and items and not text.isascii():
        umap = Utf16Map(text)
        if umap.astral:
            for item, d in zip(items, diagnostics):
                _to_utf16(item, d, umap)
    return items


def _one_line(offset: int) -> tuple[int, int]:
    """(line, column) of an offset in a text without line breaks: what ``LineIndex`` gives, without its scan."""
    return 1, offset + 1


def _to_utf16(item: dict, d: Diagnostic, umap: Utf16Map) -> None:
    item["column"] = umap.to_utf16(d.start) - umap.to_utf16(d.start - item["column"] + 1) + 1
    item["end_column"] = umap.to_utf16(d.end) - umap.to_utf16(d.end - item["end_column"] + 1) + 1
    item["start"], item["end"] = umap.to_utf16(d.start), umap.to_utf16(d.end)
    if item.get("fix"):
        item["fix"] = dict(item["fix"], start=umap.to_utf16(d.fix.start), end=umap.to_utf16(d.fix.end))
