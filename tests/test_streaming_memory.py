"""Streaming a large generated JSONL transcript: peak memory does not grow with the file.

Each run is a fresh subprocess that reports its own peak RSS (ru_maxrss). A file ten times
longer may cost only a few MB more (caches warming up), never memory proportional to its size.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from transcript_gen import write_jsonl

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import resource, sys
from chatlint.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_kb(path: Path) -> int:
    args = ["check", str(path), "--select", "dialogue", "--statistics", "--tz", "UTC"]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    line = next(line for line in done.stderr.splitlines() if line.startswith("PEAK_KB"))
    assert "findings in" in done.stdout
    return int(line.split()[1])


def test_peak_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small = write_jsonl(tmp_path / "small.jsonl", 3_000)
    large = write_jsonl(tmp_path / "large.jsonl", 30_000)
    assert large.stat().st_size > 9 * small.stat().st_size
    small_kb, large_kb = peak_kb(small), peak_kb(large)
    # Holding the large file's events would take well over 15 MB; streaming keeps the difference small.
    assert large_kb - small_kb < 8_000, (small_kb, large_kb)
