"""Running the pipeline over the jobs of a run, in this process or in ``jobs`` processes.

Results come back in input order, so the output is the same for any ``jobs``. At most two
batches per process are in flight, so memory stays bounded however long the input is. With
``jobs > 1`` the workers check and format: a result carries its findings as finished output
strings (``UnitResult.items``) and the few fields the summary counts. Each worker keeps one
Linter per configuration: those built in the parent before the pool started come by
``fork``; others (and all of them where there is no ``fork``) are built from their arguments,
which travel with each batch.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Iterator

from chatlint.conversation import Conversation, first_response, response_times
from chatlint.pipeline import Library, Unit, check_unit
from chatlint.summary import UnitResult

BATCH_EVENTS = 2000


class Linters:
    """One Linter per settings key: given (the parent's), or built from its arguments (a worker's)."""

    def __init__(self, kwargs: dict[int, dict] | None = None, built: dict | None = None) -> None:
        self.kwargs = dict(kwargs or {})
        self.built = dict(built or {})

    def get(self, key: int):
        linter = self.built.get(key)
        if linter is None:
            from chatlint.linter import Linter

            linter = self.built[key] = Linter(**self.kwargs[key])
        return linter


class Worker:
    """Checks jobs into results: the Linters, and how results are sent (objects or output strings)."""

    def __init__(self, linters: Linters, output_format: str | None, keep_events: bool) -> None:
        self.linters = linters
        self.output_format = None if keep_events else output_format
        self.keep_events = keep_events
        self._items: dict[int, object] = {}

    def _item(self, key: int):
        """The output writer's ``item`` (finding -> output string) for the rules of ``key``."""
        item = self._items.get(key)
        if item is None:
            if self.output_format == "":
                item = _no_item  # --statistics: only the counts are needed
            else:
                from chatlint.writers import WRITERS

                item = WRITERS[self.output_format](None, self.linters.get(key).rules).item
            self._items[key] = item
        return item

    def check(self, unit: Unit, key: int, skip: tuple[str, ...]) -> UnitResult:
        findings = check_unit(unit, self.linters.get(key), skip)
        result = _result(unit, findings, self.keep_events)
        result.settings_key = key
        if self.output_format is not None:
            item = self._item(key)
            result.tally()
            result.items = [item(reply, d) for reply, d in result.findings]
            result.findings = []
        return result


def _no_item(reply, d) -> str:
    return ""


def _result(unit: Unit, findings: list, keep_events: bool) -> UnitResult:
    if not isinstance(unit, Conversation):
        return UnitResult(findings, unit.path)
    replies: dict[str, int] = {}
    for e in unit.replies:
        replies[e.author] = replies.get(e.author, 0) + 1
    frt = first_response(unit)
    events = None
    if keep_events and findings:
        events = [
            {
                "message_id": e.message_id,
                "role": e.role,
                "type": e.event_type,
                "author": e.author,
                "time": e.timestamp.isoformat() if e.timestamp else "",
                "text": e.text,
            }
            for e in unit.events
        ]
    last_line = max((e.line for e in unit.events), default=0)
    result = UnitResult(findings, unit.path, unit.conversation_id, replies, frt[1] if frt else None, events, last_line)
    if keep_events:  # the HTML report: when it started, who answered how fast
        started = next((e.timestamp for e in unit.events if e.timestamp is not None), None)
        result.started = started.isoformat() if started else ""
        result.first_author = frt[0].author if frt else ""
        result.waits = response_times(unit)
    return result


# --- worker processes -------------------------------------------------------------------------
_WORKER: Worker | None = None


def _init(kwargs: dict[int, dict], output_format: str | None, keep_events: bool) -> None:
    """A worker's initialiser where processes are spawned, not forked."""
    global _WORKER
    _WORKER = Worker(Linters(kwargs), output_format, keep_events)


def _check_batch(batch: list, kwargs: dict[int, dict]) -> list[UnitResult]:
    worker = _WORKER
    worker.linters.kwargs.update(kwargs)
    return [worker.check(unit, key, skip) for unit, key, skip in batch]


def _batches(jobs: Iterable, size: int = BATCH_EVENTS) -> Iterator[list]:
    """Lists of jobs of about ``size`` events each."""
    batch, weight = [], 0
    for job in jobs:
        batch.append(job)
        unit = job[0]
        weight += len(unit.events) if isinstance(unit, Conversation) else len(getattr(unit, "replies", (1,)))
        if weight >= size:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def run_jobs(
    jobs: Iterable, linters: Linters, processes: int = 1, output_format: str | None = None, keep_events: bool = False
) -> Iterator[UnitResult]:
    """Results for the jobs, in input order, from ``processes`` processes. With ``output_format``
    (and not ``keep_events``) the results carry formatted ``items`` instead of findings.
    ``linters.kwargs`` must hold the arguments of every key (read when a batch is sent)."""
    global _WORKER
    if processes <= 1:
        worker = Worker(linters, output_format, keep_events)
        for unit, key, skip in jobs:
            yield worker.check(unit, key, skip)
        return
    import multiprocessing  # here: a serial run never starts a pool
    from concurrent.futures import ProcessPoolExecutor

    if "fork" in multiprocessing.get_all_start_methods():  # the workers inherit the Linters built so far
        _WORKER = Worker(Linters(linters.kwargs, linters.built), output_format, keep_events)
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ProcessPoolExecutor(processes, initializer=_init, initargs=(linters.kwargs, output_format, keep_events))
    serial = _Fallback(linters, output_format, keep_events)
    with pool:
        pending: deque = deque()
        for batch in _batches(jobs):
            keys = {key for _, key, _ in batch}
            pending.append((batch, serial.submit(pool, batch, {k: linters.kwargs[k] for k in keys})))
            while len(pending) >= 2 * processes:
                yield from serial.result(*pending.popleft())
        while pending:
            yield from serial.result(*pending.popleft())


class _Fallback:
    """When a worker process dies (killed, out of memory), its batches and every later one are
    checked in this process, with one warning: no file's findings are lost."""

    def __init__(self, linters: Linters, output_format: str | None, keep_events: bool) -> None:
        self.args = (linters, output_format, keep_events)
        self.worker: Worker | None = None

    def submit(self, pool, batch: list, kwargs: dict):
        from concurrent.futures.process import BrokenProcessPool

        if self.worker is not None:
            return None
        try:
            return pool.submit(_check_batch, batch, kwargs)
        except BrokenProcessPool:
            self._broken()
            return None

    def result(self, batch: list, future) -> list:
        from concurrent.futures.process import BrokenProcessPool

        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                self._broken()
        return [self.worker.check(unit, key, skip) for unit, key, skip in batch]

    def _broken(self) -> None:
        if self.worker is None:
            sys.stderr.write("chatlint: warning: a worker process died; the rest is checked in the main process\n")
            self.worker = Worker(*self.args)


__all__ = ["Library", "Linters", "Worker", "run_jobs"]
