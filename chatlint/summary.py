"""Counting a run: findings by rule and by operator, operator scores, first-response times, worst chats.

Everything here is bounded: counters (by rule, severity and operator), the ``keep_worst``
conversations with the most weighted findings and, for the HTML report only, one 8-byte
float per conversation (first-response times).
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from chatlint.diagnostic import Diagnostic
from chatlint.output import safe
from chatlint.reply import Finding, Reply

# What the summary needs of a finding: (rule, severity, operator or "", message id).
Mark = tuple[str, str, str, str]
WEIGHT = {"error": 3, "warning": 2, "info": 1}


@dataclass
class UnitResult:
    """What checking one conversation (or one plain reply) produced."""

    findings: list[Finding]
    path: str
    conversation_id: str | None = None
    replies: dict[str, int] = field(default_factory=dict)  # operator -> replies sent
    frt: float | None = None  # first-response time, seconds
    events: list[dict] | None = None  # the conversation, kept only for the HTML report
    last_line: int = 0
    items: list[str] | None = None  # the findings as formatted output (then ``findings`` is empty)
    marks: list[Mark] | None = None  # what the summary needs of the findings (from ``findings`` if None)
    started: str = ""  # ISO time of the conversation's first timed event ("" when untimed)
    first_author: str = ""  # the operator who gave the first response (``frt``)
    waits: list[tuple[str, float]] | None = None  # (operator, seconds) per answered client message
    settings_key: int = 0  # which of the run's file settings applied (chatlint.inputs.Inputs.settings)

    def tally(self) -> list[Mark]:
        """(rule, severity, operator, message id) per finding; operator is "" unless an operator wrote it."""
        if self.marks is None:
            self.marks = [mark(reply, d) for reply, d in self.findings]
        return self.marks

    @property
    def weight(self) -> int:
        return sum(WEIGHT.get(d.severity, 1) for _, d in self.findings)


def mark(reply: Reply, d: Diagnostic) -> Mark:
    """The summary's view of one finding."""
    meta = reply.meta
    author = meta.get("author") or ""
    return d.rule, d.severity, author if meta.get("role") == "operator" else "", str(meta.get("message_id"))


@dataclass
class Summary:
    """Totals over a run."""

    keep_worst: int = 10
    conversations: int = 0
    replies: int = 0
    findings: int = 0
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    by_operator: Counter = field(default_factory=Counter)
    replies_by_operator: Counter = field(default_factory=Counter)
    flagged_by_operator: Counter = field(default_factory=Counter)  # replies with a warning or error
    keep_frt: bool = True  # first-response times, one float per conversation (the HTML report's chart)
    frt: array = field(default_factory=lambda: array("d"))
    worst: list = field(default_factory=list)  # heap of (weight, -order, UnitResult)
    _order: int = 0

    def add(self, unit: UnitResult) -> None:
        self._order += 1
        if unit.conversation_id is not None:
            self.conversations += 1
        if unit.frt is not None and self.keep_frt:
            self.frt.append(unit.frt)
        for author, n in unit.replies.items():
            self.replies_by_operator[author] += n
            self.replies += n
        flagged: set[tuple[str, str]] = set()
        for rule, severity, author, message_id in unit.tally():
            self.findings += 1
            self.by_rule[rule] += 1
            self.by_severity[severity] += 1
            if author:
                self.by_operator[author] += 1
                if severity in ("error", "warning"):
                    flagged.add((author, message_id))
        for author, _ in flagged:
            self.flagged_by_operator[author] += 1
        if unit.events is not None and unit.findings:
            item = (unit.weight, -self._order, unit)
            if len(self.worst) < self.keep_worst:
                heapq.heappush(self.worst, item)
            elif self.worst and item[:2] > self.worst[0][:2]:
                heapq.heapreplace(self.worst, item)
        else:
            unit.events = None

    def operator_scores(self) -> list[tuple[str, float, int, int, int]]:
        """(operator, score %, replies, flagged replies, findings), worst score first.

        The score is the share of an operator's replies with no warning or error.
        """
        rows = []
        for author, n in self.replies_by_operator.items():
            flagged = min(self.flagged_by_operator[author], n)
            rows.append(
                (author, round(100 * (n - flagged) / n, 1) if n else 100.0, n, flagged, self.by_operator[author])
            )
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def worst_conversations(self) -> list[UnitResult]:
        return [unit for _, _, unit in sorted(self.worst, reverse=True)]

    def write_text(self, out: IO[str]) -> None:
        """``--statistics``: counts by rule and by operator."""
        out.write(f"{self.findings} findings in {self.conversations} conversations, {self.replies} operator replies\n")
        if self.by_rule:
            out.write("\nBy rule:\n")
            for rule, n in sorted(self.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
                out.write(f"{n:8}  {safe(rule)}\n")
        if self.replies_by_operator or self.by_operator:
            out.write("\nBy operator (findings, replies, score = % replies without warnings/errors):\n")
            for author, score, n, _flagged, found in self.operator_scores():
                out.write(f"{found:8}  {n:6}  {score:5.1f}%  {safe(author)}\n")  # an operator name is input

    def to_dict(self) -> dict:
        return {
            "findings": self.findings,
            "conversations": self.conversations,
            "replies": self.replies,
            "by_rule": dict(sorted(self.by_rule.items())),
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_operator": [
                {"operator": a, "score": s, "replies": n, "flagged_replies": f, "findings": k}
                for a, s, n, f, k in self.operator_scores()
            ],
        }


def write_statistics(summary: Summary, fmt: str, out: IO[str]) -> None:
    """``--statistics`` output: the counts as JSON (``json``, ``jsonl``), else as text."""
    if fmt in ("json", "jsonl"):
        import json

        out.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
    else:
        summary.write_text(out)
