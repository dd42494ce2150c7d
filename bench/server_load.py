"""Load on a running ``chatlint serve``: ``python -m bench.server_load [--clients 200] [--seconds 30]``.

Starts the server (``--workers``) on 127.0.0.1, then ``--clients`` keep-alive connections each
send drafts from the benchmark corpus to ``POST /v1/check`` one after another (closed loop)
for ``--seconds``; with ``--batch N`` each request carries N drafts. Every answer is compared
with ``Linter.check`` in this process. Prints requests and drafts per second, per second of the
server's CPU (what a worker gives on a machine shared with others), latency p50/p90/p99 and
the same figure for ``Linter.check`` in-process (both after a pass over the corpus that fills
the word-form caches); ``--rate R`` paces the clients to R requests
a second in all (open loop), to read latency below saturation; ``--procs N`` shares the
clients among N load-generator processes (one cannot always keep the server busy). The test
suite runs it short.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int = 1, extra: list[str] | None = None, cwd: str | None = None) -> tuple:
    """(process, port) of a ``chatlint serve`` on 127.0.0.1, once /healthz answers (90 s at most)."""
    port = free_port()
    cmd = [sys.executable, "-c", "from chatlint.cli import main; main()", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", *(extra or [])]
    proc = subprocess.Popen(cmd, cwd=cwd or tempfile.gettempdir(), stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not answer /healthz within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (the uvicorn workers), from /proc."""
    return sum(cpu_times(pid))


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU time of a process and its children (the uvicorn workers), from /proc."""
    user = system = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11]) / tick
        system += int(fields[12]) / tick
    return user, system


async def post(reader, writer, path: str, body: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a keep-alive connection: (status, body)."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    raw = await reader.readuntil(b"\r\n\r\n")
    status = int(raw[9:12])
    length = 0
    for line in raw.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    drafts: int = 0
    errors: list[str] = field(default_factory=list)
    mismatches: int = 0


async def client(port: int, bodies: list[tuple], stop: float, stats: Stats, interval: float) -> None:
    """One client: a connection, requests until ``stop``; ``interval`` > 0 paces them."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        next_at = time.perf_counter() + random.uniform(0, interval)  # staggered: no bursts of all clients
        while time.perf_counter() < stop:
            body, expected, expected_bytes = bodies[i % len(bodies)]
            i += 1
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            t0 = time.perf_counter()
            status, data = await post(reader, writer, "/v1/check", body)
            stats.latencies.append(time.perf_counter() - t0)
            stats.requests += 1
            stats.drafts += len(expected)
            if status != 200:
                stats.errors.append(f"{status}: {data[:200]!r}")
                continue
            if data != expected_bytes:  # the same JSON written otherwise still counts as the same
                got = json.loads(data)["results"]
                if [r["findings"] for r in got] != expected:
                    stats.mismatches += 1
    except (OSError, asyncio.IncompleteReadError) as exc:
        stats.errors.append(f"connection: {exc!r}")
    finally:
        writer.close()


def request_bodies(drafts: list[str], batch: int) -> list[tuple[bytes, list, bytes]]:
    """Request bodies of ``batch`` drafts each, with the findings ``Linter.check`` gives them and
    the answer encoded as the server encodes it (compared first: cheaper than decoding the answer)."""
    import chatlint
    from chatlint.server.engine import findings_json
    from chatlint.server.http import encode_json

    linter = chatlint.Linter()
    bodies = []
    for i in range(0, len(drafts) - batch + 1, batch):
        group = drafts[i : i + batch]
        expected = [findings_json(t, linter.check(t)) for t in group]
        answer = encode_json({"offsets": "codepoint", "results": [{"id": None, "findings": f} for f in expected]})
        bodies.append((json.dumps({"drafts": group}, ensure_ascii=False).encode(), expected, answer))
    return bodies


async def run_load(port: int, bodies, clients: int, seconds: float, rate: float = 0.0) -> Stats:
    stats = Stats()
    stop = time.perf_counter() + seconds
    interval = clients / rate if rate else 0.0
    offsets = [bodies[i % len(bodies) :] + bodies[: i % len(bodies)] for i in range(min(clients, 50))]
    tasks = [client(port, offsets[i % len(offsets)], stop, stats, interval) for i in range(clients)]
    await asyncio.gather(*tasks)
    return stats


def run(coro):
    """``asyncio.run`` on uvloop when it is installed (the load generator's own cost is less)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _load_child(port: int, bodies, clients: int, seconds: float, rate: float, out) -> None:
    stats = run(run_load(port, bodies, clients, seconds, rate))
    out.send(stats)
    out.close()


def load_in_processes(port: int, bodies, clients: int, seconds: float, rate: float = 0.0, procs: int = 1) -> Stats:
    """``run_load`` with the clients shared among ``procs`` processes (forked: they have the
    bodies): one Python process cannot always send as fast as the server answers, and a server
    left idle between requests spends more CPU on each (cold caches, a wake-up a request)."""
    if procs <= 1:
        return run(run_load(port, bodies, clients, seconds, rate))
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    shares = [clients // procs + (i < clients % procs) for i in range(procs)]
    pipes, children = [], []
    for share in shares:
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_load_child, args=(port, bodies, share, seconds, rate * share / clients, sender))
        child.start()
        pipes.append(receiver)
        children.append(child)
    total = Stats()
    for receiver, child in zip(pipes, children):
        part = receiver.recv()
        child.join()
        total.latencies += part.latencies
        total.requests += part.requests
        total.drafts += part.drafts
        total.errors += part.errors
        total.mismatches += part.mismatches
    return total


async def warm_up(port: int, bodies, connections: int = 20) -> None:
    """Every body once, so that the server's word-form caches hold the corpus as the in-process
    baseline's do after its warm-up pass."""
    queue = list(bodies)

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                await post(reader, writer, "/v1/check", queue.pop()[0])
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def in_process(drafts: list[str]) -> float:
    """Drafts per CPU second of ``Linter.check`` in this process (after a warm-up pass)."""
    import chatlint

    linter = chatlint.Linter()
    for t in drafts:
        linter.check(t)
    t0 = time.process_time()
    for t in drafts:
        linter.check(t)
    return len(drafts) / (time.process_time() - t0)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.server_load")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0, help="requests a second in all (0: as fast as answered)")
    parser.add_argument("--drafts", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=1, help="load-generator processes sharing the clients")
    args = parser.parse_args(argv)
    from bench.corpus import iter_replies

    drafts = list(iter_replies(7, args.drafts))
    bodies = request_bodies(drafts, args.batch)
    baseline = in_process(drafts)
    proc, port = start_server(args.workers)
    try:
        run(warm_up(port, bodies))
        load0, (user0, sys0), t0 = os.getloadavg()[0], cpu_times(proc.pid), time.perf_counter()
        stats = load_in_processes(port, bodies, args.clients, args.seconds, args.rate, args.procs)
        user1, sys1 = cpu_times(proc.pid)
        wall, user, system = time.perf_counter() - t0, user1 - user0, sys1 - sys0
        cpu = user + system
    finally:
        stop_server(proc)
    # once more, after: the machine's load changes while the server runs; the mean of the two
    baselines = (baseline, in_process(drafts))
    baseline = sum(baselines) / 2
    result = {
        "clients": args.clients, "seconds": round(wall, 1), "workers": args.workers, "batch": args.batch,
        "procs": args.procs,
        "rate": args.rate, "requests": stats.requests, "errors": len(stats.errors), "mismatches": stats.mismatches,
        "requests_per_s": round(stats.requests / wall), "drafts_per_s": round(stats.drafts / wall),
        "drafts_per_server_cpu_s": round(stats.drafts / cpu) if cpu else None,
        "in_process_drafts_per_cpu_s": round(baseline),
        "in_process_before_after": [round(b) for b in baselines],
        "server_user_us_per_request": round(user / stats.requests * 1e6, 1) if stats.requests else None,
        "server_system_us_per_request": round(system / stats.requests * 1e6, 1) if stats.requests else None,
        "in_process_us_per_request": round(args.batch / baseline * 1e6, 1),
        "p50_ms": round(percentile(stats.latencies, 0.5) * 1000, 2),
        "p90_ms": round(percentile(stats.latencies, 0.9) * 1000, 2),
        "p99_ms": round(percentile(stats.latencies, 0.99) * 1000, 2),
        "load_before": round(load0, 2), "load_after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }  # fmt: skip
    if result["drafts_per_server_cpu_s"]:
        result["server_vs_in_process"] = round(result["drafts_per_server_cpu_s"] / baseline, 2)
    print(json.dumps(result, indent=2))
    for error in stats.errors[:5]:
        print("error:", error, file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
