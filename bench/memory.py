"""Peak memory of a process that checks a stream of replies: ``python -m bench.memory``.

Prints one JSON line: peak RSS after building the Linter and after each pass over
``--replies`` fresh replies (new seed every pass, so new vocabulary keeps arriving).
Flat means the later passes do not raise the peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys


def peak_mb() -> float:
    """Peak resident set size of this process, in MB.

    VmHWM, not ``ru_maxrss``: Linux carries the parent's peak into ``ru_maxrss`` across
    fork and exec, and the parent here is the benchmark, bigger than this process.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--replies", type=int, default=50_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    from bench.corpus import ReplyGenerator
    from chatlint.linter import Linter

    linter = Linter()
    result = {"after_linter_mb": round(peak_mb(), 1), "passes_mb": []}
    for p in range(args.passes):
        generator = ReplyGenerator(args.seed + 1000 * p)
        for _ in range(args.replies):
            linter.check(generator.reply())
        result["passes_mb"].append(round(peak_mb(), 1))
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
