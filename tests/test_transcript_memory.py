"""JSON exports are read as a stream: reading a Telegram export or a Zendesk Chat export four
times larger costs (nearly) no more memory. The 2 GB figure is measured by hand (docs/transcripts.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from transcript_gen import write_telegram, write_zendesk_chats

PROBE = """
import resource, sys
from pathlib import Path
from chatlint import formats
from chatlint.transcripts import ReadOptions
path = Path(sys.argv[1])
opts = ReadOptions()
events = sum(len(c.events) for c in formats.read(path, formats.detect(path, opts), opts))
print(events, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _peak_mb(path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True)
    events, peak = out.stdout.split()
    return int(events), int(peak)


@pytest.mark.parametrize("write", [write_telegram, write_zendesk_chats])
def test_memory_does_not_grow_with_the_export(tmp_path: Path, write) -> None:
    small = write(tmp_path / "small.json", 15_000)
    large = write(tmp_path / "large.json", 60_000)
    assert large.stat().st_size > 3.5 * small.stat().st_size
    (n_small, mb_small), (n_large, mb_large) = _peak_mb(small), _peak_mb(large)
    assert (n_small, n_large) == (15_000, 60_000)
    assert mb_large - mb_small < 8, (mb_small, mb_large)  # whole-file reading would add ~3x the 15 MB more
