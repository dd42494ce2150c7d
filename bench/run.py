"""The benchmark: ``python -m bench [--replies N] [--quick]``, from the repository root.

Runs in one process, on the same generated replies: a regex alternation of 60 literal
phrases, a minimal lemma matcher, yargy with 5 and 60 lemma rules (if the ``bench``
extra is installed) and chatlint with its full default pack; then, in subprocesses, the
cold start of ``chatlint check --text`` against a bare pymorphy3 start, peak memory over
a stream of replies, and ``-j 2`` against ``-j 1`` on a JSONL transcript when the CLI has
``--jobs``. Prints a table and writes every number to ``bench/results/<time>.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
START_TEXT = "Здравствуйте! Я не знаю, когда придёт ваш заказ, уточните номер, пожалуйста."


# CPU time of this process, not wall time: on a shared machine other processes steal the
# CPU, and wall time then measures them. Single-threaded work, so the two agree when idle.
clock = time.process_time


def throughput(check, replies: list[str]) -> tuple[float, float]:
    """(replies per CPU second, CPU seconds) of one pass of ``check`` over ``replies``."""
    start = clock()
    for text in replies:
        check(text)
    elapsed = clock() - start
    return len(replies) / elapsed, elapsed


def percentile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def words_in(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalpha() for c in w))


def _hwm_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a live process, in MB; 0 when it is gone.

    Not ``ru_maxrss`` of the child: Linux carries the parent's peak across fork and exec,
    so every child of this big process would report at least this process's size.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def run_child(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB of the largest process in its tree)."""
    start = time.perf_counter()
    env = {**os.environ, **env} if env else None
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0.0
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            peak = max(peak, _hwm_mb(pid))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # cumulative: callers take differences
    return wall, usage.ru_utime + usage.ru_stime, peak


def start_time(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu, peak = run_child(cmd, env)
    return wall, cpu - (before.ru_utime + before.ru_stime), peak


def timed_child(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB of the largest process in its tree)."""
    wall, _, peak = run_child(cmd)
    return wall, peak


def cli_has_jobs() -> bool:
    """The CLI takes ``-j/--jobs`` (it came with the transcript readers)."""
    help_text = subprocess.run(
        [sys.executable, "-m", "chatlint.cli", "check", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    return "--jobs" in help_text


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=100_000, help="replies per pass (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--latency", type=int, default=20_000, help="typical replies timed one by one")
    parser.add_argument("--yargy", type=int, default=1_000, help="replies for yargy with 5 rules (60 rules: a fifth)")
    parser.add_argument("--starts", type=int, default=7, help="cold starts timed for each command (median)")
    parser.add_argument("--transcript-mb", type=int, default=100, help="size of the JSONL transcript for -j")
    parser.add_argument("--memory-replies", type=int, default=50_000, help="replies per pass of the memory probe")
    parser.add_argument("--quick", action="store_true", help="a small run to see that everything works")
    parser.add_argument("--output", type=Path, default=None, help="JSON file (default bench/results/<time>.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.replies, args.latency, args.yargy, args.starts = 5_000, 2_000, 100, 3
        args.transcript_mb, args.memory_replies = 5, 5_000

    import pymorphy3

    from bench.baselines import (
        TABOO_PHRASES,
        LemmaMatcher,
        RegexAlternation,
        YargyMatcher,
        lemma_sequences,
        yargy_available,
    )
    from bench.corpus import ReplyGenerator, write_transcript
    from chatlint.linter import Linter
    from chatlint.morph import Morphology

    result: dict = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "dawg": "C (DAWG2)" if importlib.util.find_spec("dawg") else "pure Python (DAWG2-Python)",
        "replies": args.replies,
        "seed": args.seed,
        "rows": {},
        "load_before": os.getloadavg()[0],
    }
    rows = result["rows"]
    log = _logger()

    log(f"generating {args.replies} replies (seed {args.seed})")
    generator = ReplyGenerator(args.seed)
    replies = generator.replies(args.replies)
    result["corpus"] = {
        "mean_words": round(statistics.mean(words_in(r) for r in replies), 1),
        "distinct_words": len({w.lower() for r in replies for w in r.split()}),
    }
    analyzer = pymorphy3.MorphAnalyzer()

    log("regex alternation")
    regex_rate, _ = throughput(RegexAlternation().check, replies)
    rows["regex"] = {"name": "regex alternation, 60 phrases", "rps": regex_rate}

    log("minimal lemma matcher")
    matcher = LemmaMatcher(analyzer)
    cold, _ = throughput(matcher.check, replies)
    warm, _ = throughput(matcher.check, replies)
    rows["lemma_cold"] = {"name": "lemma matcher, 60 sequences, cold", "rps": cold}
    rows["lemma_warm"] = {"name": "lemma matcher, 60 sequences, warm", "rps": warm}

    log("pymorphy3 parse, uncached")
    words = list(dict.fromkeys(w.lower() for r in replies[:3000] for w in _words(r)))
    start = clock()
    for w in words:
        analyzer.parse(w)
    rate = len(words) / (clock() - start)
    rows["pymorphy_parse"] = {"name": "pymorphy3 parse() uncached (words/s)", "rps": rate}

    if yargy_available():
        sequences = lemma_sequences(TABOO_PHRASES, analyzer)
        for count, sample in ((5, args.yargy), (60, max(20, args.yargy // 5))):
            log(f"yargy, {count} rules, {sample} replies")
            yargy = YargyMatcher(sequences[:count], analyzer)
            throughput(yargy.check, replies[:sample])  # warm its cache
            rate, _ = throughput(yargy.check, replies[:sample])
            rows[f"yargy{count}"] = {"name": f"yargy, {count} lemma rules, warm", "rps": rate, "sample": sample}
    else:
        log("yargy is not installed (pip install -e '.[bench]'): skipped")

    log("chatlint, cold")
    linter = Linter(morphology=Morphology())
    result["rules"] = len(linter.rules)
    cold, cold_s = throughput(linter.check, replies)
    log("chatlint, warm")
    warm, warm_s = throughput(linter.check, replies)
    rows["chatlint_cold"] = {"name": f"chatlint, {len(linter.rules)} rules, cold", "rps": cold}
    rows["chatlint_warm"] = {"name": f"chatlint, {len(linter.rules)} rules, warm", "rps": warm}
    for row in rows.values():
        row["vs_regex"] = row["rps"] / regex_rate

    log("latency of typical replies")
    typical = [r for r in replies if 10 <= words_in(r) <= 30][: args.latency]
    timings = []
    for text in typical:  # CPU time too: on a busy machine wall time counts the time others run
        t0 = time.process_time_ns()
        linter.check(text)
        timings.append((time.process_time_ns() - t0) / 1000)
    timings.sort()
    result["latency_us"] = {
        "replies": len(typical),
        "p50": percentile(timings, 0.50),
        "p99": percentile(timings, 0.99),
        "max": timings[-1],
    }
    result["peak_rss_bench_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del replies, matcher

    log("cold starts")
    # as after `pip install`: bytecode compiled once (PYTHONDONTWRITEBYTECODE would otherwise
    # make every start compile chatlint from source, which an installed package never does)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "chatlint"], cwd=ROOT, check=True)
    chatlint_cmd = [sys.executable, "-m", "chatlint.cli", "check", "--text", START_TEXT]
    pymorphy_cmd = [sys.executable, "-c", "import pymorphy3; pymorphy3.MorphAnalyzer()"]
    start_time(chatlint_cmd)  # warm the OS file cache for both
    start_time(pymorphy_cmd)
    c_times, p_times, cold_times = [], [], []
    for _ in range(args.starts):
        c_times.append(start_time(chatlint_cmd))
        p_times.append(start_time(pymorphy_cmd))
        with tempfile.TemporaryDirectory() as empty:  # as after an install or a rule edit: no rule cache
            cold_times.append(start_time(chatlint_cmd, {"CHATLINT_CACHE_DIR": empty}))
    result["start_s"] = {
        "chatlint": statistics.median(t[1] for t in c_times),
        "pymorphy3": statistics.median(t[1] for t in p_times),
        "chatlint_wall": statistics.median(t[0] for t in c_times),
        "pymorphy3_wall": statistics.median(t[0] for t in p_times),
        "chatlint_no_cache": statistics.median(t[1] for t in cold_times),
        "chatlint_no_cache_wall": statistics.median(t[0] for t in cold_times),
        "chatlint_rss_mb": max(t[2] for t in c_times),
        "pymorphy3_rss_mb": max(t[2] for t in p_times),
    }

    log("memory over a stream of replies")
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--replies", str(args.memory_replies), "--seed", str(args.seed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result["memory_stream"] = {"replies_per_pass": args.memory_replies, **json.loads(out)}

    if cli_has_jobs():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "transcript.jsonl"
            log(f"writing a {args.transcript_mb} MB JSONL transcript")
            lines = write_transcript(path, ReplyGenerator(args.seed + 7), args.transcript_mb * 1024 * 1024)
            jobs = {}
            for j in (1, 2):
                log(f"chatlint check -j {j}")
                cmd = [sys.executable, "-m", "chatlint.cli", "check", "--format", "json", "-j", str(j), str(path)]
                seconds, rss = timed_child(cmd)
                jobs[f"j{j}"] = {"seconds": seconds, "peak_rss_mb": rss}
            result["jobs"] = {"transcript_mb": args.transcript_mb, "lines": lines, **jobs}
    else:
        result["jobs"] = None

    result["load_after"] = os.getloadavg()[0]
    result["targets"] = targets(result)
    output = args.output or RESULTS / f"{result['when'].replace(':', '')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    print(f"\nresults: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return result


def targets(r: dict) -> list[dict]:
    """The issue's targets, each with the measured value and whether it is met."""
    rows = r["rows"]
    warm = rows["chatlint_warm"]["rps"]
    out = [
        _target("throughput ≥ ½ lemma matcher (warm)", warm / rows["lemma_warm"]["rps"], 0.5, "≥"),
    ]
    if "yargy5" in rows:
        out.append(_target("throughput ≥ 20 × yargy with 5 rules", warm / rows["yargy5"]["rps"], 20, "≥"))
    out.append(_target("p99 latency of a 10–30-word reply < 0.3 ms (µs)", r["latency_us"]["p99"], 300, "<"))
    out.append(_target("max latency of a 10–30-word reply < 5 ms (µs)", r["latency_us"]["max"], 5000, "<"))
    out.append(_target("cold pass ≤ 1.5 × warm (time ratio)", warm / rows["chatlint_cold"]["rps"], 1.5, "≤"))
    start = r["start_s"]["chatlint"] / r["start_s"]["pymorphy3"]
    out.append(_target("cold start, rule cache warm ≤ 1.5 × pymorphy3 start", start, 1.5, "≤"))
    if "chatlint_no_cache" in r["start_s"]:
        start = r["start_s"]["chatlint_no_cache"] / r["start_s"]["pymorphy3"]
        out.append(_target("cold start, no rule cache ≤ 2.5 × pymorphy3 start", start, 2.5, "≤"))
    if r["jobs"]:
        speedup = r["jobs"]["j1"]["seconds"] / r["jobs"]["j2"]["seconds"]
        out.append(_target("-j 2 ≥ 1.6 × -j 1", speedup, 1.6, "≥"))
        out.append(_target("peak RSS per process on the transcript < 150 MB", r["jobs"]["j1"]["peak_rss_mb"], 150, "<"))
    else:
        out.append({"target": "-j 2 ≥ 1.6 × -j 1", "value": None, "met": None})
    passes = r["memory_stream"]["passes_mb"]
    out.append(_target("peak RSS over a stream of replies < 150 MB", passes[-1], 150, "<"))
    return out


def _target(name: str, value: float, limit: float, op: str) -> dict:
    met = {"≥": value >= limit, "<": value < limit, "≤": value <= limit}[op]
    return {"target": name, "value": round(value, 3), "met": met}


def render(r: dict) -> str:
    """The table, as Markdown."""
    lines = [
        f"chatlint bench {r['when']} commit {r['commit']} · Python {r['python']} · {r['machine']} · DAWG {r['dawg']}",
        f"load average {r['load_before']:.1f} → {r['load_after']:.1f}; throughput in replies per CPU second",
        f"{r['replies']} replies, mean {r['corpus']['mean_words']} words, "
        f"{r['corpus']['distinct_words']} distinct words; chatlint rules on: {r['rules']}",
        "",
        "| matcher | replies/s | × regex |",
        "|---|---:|---:|",
    ]
    for row in r["rows"].values():
        sample = f" ({row['sample']} replies)" if "sample" in row else ""
        lines.append(f"| {row['name']}{sample} | {row['rps']:,.0f} | {row['vs_regex']:.3f} |")
    lat = r["latency_us"]
    start = r["start_s"]
    mem = r["memory_stream"]
    lines += [
        "",
        "| measure | value |",
        "|---|---:|",
        f"| Linter.check latency, {lat['replies']} replies of 10–30 words, p50 | {lat['p50']:.0f} µs |",
        f"| … p99 | {lat['p99']:.0f} µs |",
        f"| … max | {lat['max']:.0f} µs |",
        f"| cold / warm pass time | {r['rows']['chatlint_warm']['rps'] / r['rows']['chatlint_cold']['rps']:.2f} |",
        f"| cold start `chatlint check --text`, median CPU (wall) | {start['chatlint']:.3f} s "
        f"({start['chatlint_wall']:.3f} s) |",
        f"| cold start `chatlint check --text`, no rule cache, median CPU (wall) | "
        f"{start.get('chatlint_no_cache', float('nan')):.3f} s "
        f"({start.get('chatlint_no_cache_wall', float('nan')):.3f} s) |",
        f"| cold start `import pymorphy3; MorphAnalyzer()`, median CPU (wall) | {start['pymorphy3']:.3f} s "
        f"({start['pymorphy3_wall']:.3f} s) |",
        f"| peak RSS, `chatlint check --text` / bare pymorphy3 start | {start['chatlint_rss_mb']:.0f} / "
        f"{start['pymorphy3_rss_mb']:.0f} MB |",
        f"| peak RSS, this bench process | {r['peak_rss_bench_mb']:.0f} MB |",
        f"| peak RSS, Linter after load / after each pass of {mem['replies_per_pass']} new replies | "
        f"{mem['after_linter_mb']:.0f} / {' / '.join(f'{m:.0f}' for m in mem['passes_mb'])} MB |",
    ]
    jobs = r["jobs"]
    if jobs:
        lines += [
            f"| `check -j 1`, {jobs['transcript_mb']} MB JSONL ({jobs['lines']} lines) | "
            f"{jobs['j1']['seconds']:.1f} s, peak {jobs['j1']['peak_rss_mb']:.0f} MB |",
            f"| `check -j 2`, same | {jobs['j2']['seconds']:.1f} s, peak {jobs['j2']['peak_rss_mb']:.0f} MB |",
        ]
    else:
        lines.append("| `check -j 2` vs `-j 1` | not yet measurable (no --jobs / JSONL reader) |")
    lines += ["", "| target | value | met |", "|---|---:|:-:|"]
    for t in r["targets"]:
        value = "—" if t["value"] is None else f"{t['value']:,}"
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "NO")
        lines.append(f"| {t['target']} | {value} | {met} |")
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    import regex

    return regex.findall(r"\p{L}+", text)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _logger():
    start = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return log
