"""What the HTML report shows, gathered from a run's results: one compact record per
conversation (every one is reachable in the page), the ``full`` worst conversations with
their messages, and per operator and per week the times and QA scores.

Memory: a record per conversation (ids, counts, its findings; ~200 bytes plus the findings),
the messages of at most ``full`` conversations, and one float per answered client message
(response times). Times are shown in one zone, ``zone``.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from statistics import median

from chatlint.qa import QAConfig, score
from chatlint.summary import Summary, UnitResult


def local_time(iso: str, zone: tzinfo) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of an ISO timestamp in ``zone`` ("" for "")."""
    if not iso:
        return ""
    stamp = datetime.fromisoformat(iso)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(zone)
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


def week_of(day: str) -> str:
    """The ISO week of a ``YYYY-MM-DD…`` string, as ``2024-W05``."""
    year, week, _ = datetime.strptime(day[:10], "%Y-%m-%d").isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class OperatorTimes:
    """One operator's first-response and response times (seconds) and QA scores."""

    first: array = field(default_factory=lambda: array("d"))
    waits: array = field(default_factory=lambda: array("d"))
    qa: array = field(default_factory=lambda: array("d"))
    conversations: int = 0


@dataclass
class ReportData:
    """Collects a run's results for ``chatlint.report.render_report``."""

    zone: tzinfo
    zone_name: str
    dialogue_rules: frozenset[str] = frozenset()  # shown as notes on the exchange, not as wording marks
    enabled: frozenset[str] | None = None  # enabled rule ids (which QA categories apply)
    qa_config: QAConfig = field(default_factory=QAConfig)
    qa_of: Callable[[int], tuple[frozenset[str] | None, QAConfig]] | None = None  # the same, by settings key
    full: int = 1000  # conversations shown with all their messages (the worst ones)
    summary: Summary = field(default_factory=lambda: Summary(keep_worst=0))
    records: list[dict] = field(default_factory=list)
    operators: dict[str, OperatorTimes] = field(default_factory=lambda: defaultdict(OperatorTimes))
    weeks: dict[tuple[str, str], array] = field(default_factory=lambda: defaultdict(lambda: array("d")))
    rules_by_operator: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    strings: dict[str, int] = field(default_factory=dict)  # findings' messages and suggestions, each once
    _worst: list = field(default_factory=list)  # heap of (weight, -index, index)
    _events: dict[int, list] = field(default_factory=dict)

    def add(self, unit: UnitResult) -> None:
        events = unit.events
        self.summary.add(unit)
        if unit.conversation_id is None:
            return
        index = len(self.records)
        record = self._record(unit, index)
        self.records.append(record)
        self._times(unit, record)
        if events is not None and unit.findings and self.full > 0:
            item = (unit.weight, -index, index)
            if len(self._worst) < self.full:
                heapq.heappush(self._worst, item)
            elif item > self._worst[0]:
                self._events.pop(heapq.heapreplace(self._worst, item)[2], None)
            else:
                return
            self._events[index] = [self._event(e) for e in events]

    def _record(self, unit: UnitResult, index: int) -> dict:
        marks = unit.tally()
        enabled, config = self.qa_of(unit.settings_key) if self.qa_of else (self.enabled, self.qa_config)
        qa = score([(r, s, m) for r, s, _, m in marks], sum(unit.replies.values()), enabled, config)
        severity = Counter(s for _, s, _, _ in marks)
        for rule, _, author, _ in marks:
            if author:
                self.rules_by_operator[author][rule] += 1
        return {
            "i": index,
            "id": str(unit.conversation_id),
            "path": unit.path,
            "ops": sorted(unit.replies),
            "start": local_time(unit.started, self.zone),
            "sev": [severity["error"], severity["warning"], severity["info"]],
            "frt": unit.frt,
            "qa": qa.score,
            "qac": {name: c.score for name, c in qa.categories.items() if c.score is not None},
            "f": [self._finding(reply, d) for reply, d in unit.findings],
        }

    def _finding(self, reply, d) -> list:
        meta = reply.meta
        author = meta.get("author") or "" if meta.get("role") == "operator" else ""
        note = 1 if d.rule in self.dialogue_rules else 0
        suggestions = self._string("\x1f".join(d.suggestions)) if d.suggestions else -1
        return [d.rule, d.severity, author, str(meta.get("message_id")), d.start, d.end, self._string(d.message),
                d.text, suggestions, note]  # fmt: skip

    def _string(self, text: str) -> int:
        """The index of ``text`` in the page's string table (a message repeats over thousands of chats)."""
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def _event(self, e: dict) -> list:
        return [str(e["message_id"]), local_time(e["time"], self.zone), e["role"], e["type"], e["author"], e["text"]]

    def _times(self, unit: UnitResult, record: dict) -> None:
        if unit.frt is not None and unit.first_author:
            self.operators[unit.first_author].first.append(unit.frt)
        for author, seconds in unit.waits or ():
            self.operators[author].waits.append(seconds)
        for author in unit.replies:
            times = self.operators[author]
            times.conversations += 1
            if record["qa"] is not None:
                times.qa.append(record["qa"])
        if record["qa"] is not None and record["start"]:
            week = week_of(record["start"])
            for author in ("", *unit.replies):  # "": all operators, each conversation once
                self.weeks[(week, author)].append(record["qa"])

    def events_of(self, index: int) -> list | None:
        """The messages of conversation ``index`` when it is one shown in full."""
        return self._events.get(index)

    def operator_rows(self) -> list[dict]:
        """Per operator: score, counts, median first-response and response times, mean QA score."""
        rows = []
        for author, value, n, flagged, found in self.summary.operator_scores():
            times = self.operators.get(author, OperatorTimes())
            rows.append(
                {
                    "name": author,
                    "score": value,
                    "replies": n,
                    "flagged": flagged,
                    "findings": found,
                    "conversations": times.conversations,
                    "frt": median(times.first) if times.first else None,
                    "rt": median(times.waits) if times.waits else None,
                    "qa": round(sum(times.qa) / len(times.qa), 1) if times.qa else None,
                }
            )
        return rows

    def week_rows(self) -> list[dict]:
        """Mean QA score per ISO week and operator (over all operators: ``operator`` "")."""
        return [
            {"week": week, "operator": author, "qa": round(sum(values) / len(values), 1), "n": len(values)}
            for (week, author), values in sorted(self.weeks.items())
        ]
