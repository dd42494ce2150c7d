"""``chatlint check -j N`` over a generated JSONL transcript: ``python -m bench.jobs``.

Runs the CLI as a child, polls ``/proc`` for its process tree every 100 ms and prints one JSON
line per run: wall time, the parent's own CPU time, each worker's CPU time and peak RSS
(VmHWM) of every process, plus the load average before and after. The parent's share of
the CPU and the total CPU of ``-j 2`` against ``-j 1`` predict the speed-up on an idle
machine, which wall time on a shared machine cannot show.

    python -m bench.jobs --mb 20 --jobs 1 2
    python -m bench.jobs --mb 500 --jobs 2 --format jsonl --output /dev/null
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime + stime seconds) of a live process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _tree(root: int) -> list[int]:
    """``root`` and its descendants."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(_children(pid))
    return out


def measure(cmd: list[str], output: str) -> dict:
    """Run ``cmd`` with stdout to ``output``; CPU seconds and peak RSS MB per process of its tree."""
    load_before = os.getloadavg()[0]
    cpu: dict[int, float] = {}
    hwm: dict[int, float] = {}
    with open(output, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.PIPE)
        while proc.poll() is None:
            for pid in _tree(proc.pid):
                st, mb = _stat(pid), _hwm_mb(pid)
                if st is not None:
                    cpu[pid] = st[1]
                if mb is not None:
                    hwm[pid] = mb
            time.sleep(0.1)
        wall = time.monotonic() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    parent = cpu.pop(proc.pid, 0.0)
    parent_mb = hwm.pop(proc.pid, 0.0)
    return {
        "cmd": " ".join(cmd[3:]),
        "exit": proc.returncode,
        "wall_s": round(wall, 2),
        "parent_cpu_s": round(parent, 2),
        "workers_cpu_s": [round(c, 2) for c in cpu.values()],
        "total_cpu_s": round(parent + sum(cpu.values()), 2),
        "parent_share": round(parent / max(parent + sum(cpu.values()), 1e-9), 3),
        "parent_peak_mb": round(parent_mb, 1),
        "workers_peak_mb": [round(m, 1) for m in hwm.values()],
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "stderr": err[-300:],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs")
    parser.add_argument("--mb", type=int, default=20, help="transcript size in MB (default 20)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--format", default="json")
    parser.add_argument("--seed", type=int, default=49)
    parser.add_argument("--file", type=Path, default=None, help="an existing transcript (else one is generated)")
    parser.add_argument("--output", default=os.devnull, help="where the findings go (default: nowhere)")
    parser.add_argument("--select", default=None, help="chatlint check --select (default: the full pack)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            from bench.corpus import ReplyGenerator, write_transcript

            path = Path(tmp) / "transcript.jsonl"
            write_transcript(path, ReplyGenerator(args.seed), args.mb * 1024 * 1024)
        for j in args.jobs:
            cmd = [sys.executable, "-m", "chatlint.cli", "check", "--no-progress", "--format", args.format]
            cmd += ["-j", str(j), *(["--select", args.select] if args.select else []), str(path)]
            result = measure(cmd, args.output)
            result["mb"] = round(path.stat().st_size / 2**20, 1)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
