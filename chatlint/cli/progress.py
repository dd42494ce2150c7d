"""A one-line progress bar on a terminal: lines read of all input files, conversations, findings."""

from __future__ import annotations

import os
import time
from typing import IO


class Progress:
    """Redrawn at most five times a second; ``final`` draws 100% and ends the line."""

    def __init__(self, stream: IO[str], total_lines: int) -> None:
        self.stream, self.total = stream, max(total_lines, 1)
        self.last = 0.0

    def update(self, done_lines: int, conversations: int, findings: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        done = min(done_lines, self.total) if not final else self.total
        width = 30
        filled = int(width * done / self.total)
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{bar} {100 * done // self.total:3d}%  {conversations} conversations, {findings} findings")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def show_progress(requested: bool | None, stream: IO[str]) -> bool:
    """A bar only on a terminal, never in CI; ``--progress``/``--no-progress`` override."""
    if requested is not None:
        return requested
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")
