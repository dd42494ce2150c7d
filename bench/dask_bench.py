"""chatlint on Dask against the serial run: ``python -m bench.dask_bench --messages 1000000``.

Generates ``--messages`` messages (tests/transcript_gen.py, 10 a conversation) as JSONL and as
Parquet files of ``--file-messages`` rows each, then checks them:

- ``serial``: ``chatlint check data.jsonl --format jsonl`` as a child process (its peak RSS);
- ``dask-N``: a ``distributed.LocalCluster`` of N single-threaded worker processes running
  ``check_frame(dd.read_parquet(...))``, the findings written to Parquet; each worker's peak
  RSS (``ru_maxrss``) and CPU time, the client process's CPU time.

One JSON line per run: wall seconds, messages/s, findings, peak memory, CPU seconds of each
worker, and the load average before and after. On a shared machine wall time moves with the
others' load; the workers' CPU time says what the same run costs on an idle one (the speed-up of
N workers on N idle cores is the 1-worker CPU time over the busiest worker's).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def generate(folder: Path, messages: int, file_messages: int) -> tuple[Path, Path]:
    """``data.jsonl`` and a ``parquet/`` folder of the same messages."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from transcript_gen import write_jsonl

    jsonl = write_jsonl(folder / "data.jsonl", messages)
    out = folder / "parquet"
    out.mkdir()
    rows: list[dict] = []
    part = 0
    with open(jsonl, encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if len(rows) >= file_messages:
                pq.write_table(pa.Table.from_pylist(rows), out / f"part-{part:04d}.parquet")
                rows, part = [], part + 1
    if rows:
        pq.write_table(pa.Table.from_pylist(rows), out / f"part-{part:04d}.parquet")
    return jsonl, out


def serial(jsonl: Path, messages: int) -> dict:
    """The serial CLI run as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "chatlint.cli", "check", str(jsonl), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    findings = proc.stdout.count(b"\n")
    return {
        "run": "serial", "workers": 0, "wall_s": round(wall, 1), "messages_per_s": round(messages / wall),
        "findings": findings, "peak_mb_per_worker": [round(after.ru_maxrss / 1024)], "cpu_s_workers": [round(cpu, 1)],
    }  # fmt: skip


def _peak_and_cpu() -> tuple[float, float]:
    """This process's peak RSS (MB) and CPU seconds. The peak is VmHWM, the high-water mark of this
    process's own memory: ``ru_maxrss`` of a worker spawned by a big parent starts at the parent's."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return peak, usage.ru_utime + usage.ru_stime


def on_dask(parquet: Path, messages: int, workers: int, out: Path) -> dict:
    """``check_frame`` on a LocalCluster of ``workers`` processes."""
    import dask.dataframe as dd
    from distributed import Client

    from chatlint.dask import LinterSpec, arrow_schema, check_frame, register
    from chatlint.dask_files import local_cluster

    cluster = local_cluster(workers)  # as chatlint check --dask local
    client = Client(cluster)
    try:
        register(client, LinterSpec.from_kwargs({}))  # each worker builds its Linter: start-up, not per message
        start_cpu = {w: c for w, (_, c) in client.run(_peak_and_cpu).items()}
        client_cpu = time.process_time()
        start = time.perf_counter()
        checked = check_frame(dd.read_parquet(str(parquet)), client=client)
        checked.diagnostics.to_parquet(str(out), write_index=False, schema=arrow_schema(checked.diagnostics))
        # the findings alone: computing several results of one check at once keeps partitions for
        # each of them (docs/scale.md); the summary is a pass of its own
        findings = dd.read_parquet(str(out)).shape[0].compute()
        wall = time.perf_counter() - start
        stats = client.run(_peak_and_cpu)
        return {
            "run": f"dask-{workers}", "workers": workers, "wall_s": round(wall, 1),
            "messages_per_s": round(messages / wall), "findings": int(findings),
            "peak_mb_per_worker": [round(p) for p, _ in stats.values()],
            "cpu_s_workers": [round(c - start_cpu.get(w, 0.0), 1) for w, (_, c) in stats.items()],
            "cpu_s_client": round(time.process_time() - client_cpu, 1),
            "npartitions": checked.diagnostics.npartitions,
        }  # fmt: skip
    finally:
        client.close()
        cluster.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--file-messages", type=int, default=5_000, help="rows per Parquet file (a partition)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-serial", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="chatlint-dask-bench-"))
    try:
        jsonl, parquet = generate(folder, args.messages, args.file_messages)
        runs = [] if args.no_serial else [lambda: serial(jsonl, args.messages)]
        runs += [lambda n=n: on_dask(parquet, args.messages, n, folder / f"findings-{n}.parquet") for n in args.workers]
        for run in runs:
            load = os.getloadavg()[0]
            result = run()
            result.update(messages=args.messages, load_before=round(load, 2), load_after=round(os.getloadavg()[0], 2))
            print(json.dumps(result), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
