"""What one request costs a web process, at rest: its CPU and latency per kind of request.

    .venv/bin/python bench/load/request_cost.py [--repeat 300]

It starts what ``run_load.py`` starts, on loopback only (a fresh PostgreSQL database and
Redis db, here one web process and one qcluster), takes a few teachers' batches up to their
suggestions, then sends each kind of request one at a time, ``--repeat`` times, and reads
the web process's own CPU time from /proc before and after. /proc counts CPU in clock ticks (10 ms on
most kernels), so the per-request figure is only as fine as a tick divided by ``--repeat``:
0.03 ms at the default, printed with the figures. CPU per request is what a request costs
the web process whatever else the machine does; the latency is what it waits for with
nobody else around. Under load both grow with the CPU the other requests take, so this is
the figure to watch when changing a hot path.

Kinds: ``healthz`` (the server stack alone: the HTTP server and the middleware), ``poll``
(GET a batch), ``decision`` (PUT an association; each batch keeps one essay undecided so
that it stays open) and ``list_essays`` (GET a batch's 30 essays with their suggestions).
The machine's speed is printed too (``sum(range(10**7))``): figures from machines of
different speeds are not comparable.

``--beside-lists K`` measures the same requests while K other clients fetch essay lists
without pause on the same web process: what a short request waits behind heavy ones sharing
its process (the GIL). Its CPU then includes theirs and is not reported.

``--server daphne`` measures daphne with Django's ASGI handler instead of gunicorn.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from essay_texts import make_class_essays, make_roster
from run_load import LOOPBACK, VALIDATING, Stack, _raise_interrupt, cpu_seconds_by_role, parse_args

BATCHES = 4


def machine_speed_seconds() -> float:
    """The best of three: seconds for ``sum(range(10**7))`` in this Python."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(10**7))
        best = min(best, time.perf_counter() - started)
    return best


def set_up_batches(client: httpx.Client, rng: random.Random) -> list[dict]:
    """A class of 30, a batch of its 30 essays, matched and awaiting validation, per teacher."""
    batches = []
    for number in range(BATCHES):
        roster = make_roster(rng, 30)
        created = client.post("/api/v1/classes/", json={"name": f"9B-{number}", "students": [
            {"first_name": s.first_name, "last_name": s.last_name, "email": s.email} for s in roster]})
        created.raise_for_status()
        school_class = created.json()
        batch = client.post("/api/v1/batches/", json={
            "course_code": "SVE1", "expected_essay_count": 30, "class_id": school_class["class_id"]}).json()
        files = [("files", (e.filename, e.content, "text/plain")) for e in make_class_essays(rng, roster)]
        client.post(f"/api/v1/batches/{batch['batch_id']}/essays/", files=files).raise_for_status()
        deadline = time.monotonic() + 60
        while client.get(f"/api/v1/batches/{batch['batch_id']}/").json()["status"] != VALIDATING:
            if time.monotonic() > deadline:
                raise RuntimeError(f"batch {batch['batch_id']} got no suggestions within 60 s")
            time.sleep(0.2)
        essays = client.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()
        batches.append({"class_id": school_class["class_id"], "batch_id": batch["batch_id"],
                        "students": [s["student_id"] for s in school_class["students"]],
                        "essays": [e["essay_id"] for e in essays[1:]]})  # the first stays open
    return batches


def request_kinds(client: httpx.Client, batches: list[dict]) -> dict[str, Callable[[int], httpx.Response]]:
    versions: dict[str, int] = {}  # what the teacher's page shows: each change names the version it saw

    def decision(i: int) -> httpx.Response:
        batch = batches[i % len(batches)]
        essay = batch["essays"][(i // len(batches)) % len(batch["essays"])]
        response = client.put(f"/api/v1/classes/{batch['class_id']}/associations/{essay}/", json={
            "student_id": batch["students"][i % len(batch["students"])],
            "expected_version": versions.get(essay, 0), "allow_second_essay": True})
        if response.status_code == 200:
            versions[essay] = response.json()["version"]
        return response

    def batch_url(i: int) -> str:
        return f"/api/v1/batches/{batches[i % len(batches)]['batch_id']}/"

    return {
        "healthz": lambda i: client.get("/healthz"),
        "poll": lambda i: client.get(batch_url(i)),
        "decision": decision,
        "list_essays": lambda i: client.get(batch_url(i) + "essays/"),
    }


def cpu_resolution_ms(repeat: int) -> float:
    """The smallest step of the per-request CPU figure: one clock tick shared by ``repeat`` requests."""
    return round(1000 / os.sysconf("SC_CLK_TCK") / repeat, 3)


class EssayListLoops:
    """``count`` clients, each on a thread of its own, fetching essay lists one after another
    until stopped."""

    def __init__(self, count: int, client: httpx.Client, batches: list[dict]) -> None:
        self.stopping = threading.Event()
        self.urls = [f"/api/v1/batches/{batch['batch_id']}/essays/" for batch in batches]
        self.settings = {"base_url": client.base_url, "headers": client.headers, "timeout": 60}
        self.threads = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(count)]

    def _loop(self, first: int) -> None:
        with httpx.Client(**self.settings) as client:
            n = first
            while not self.stopping.is_set():
                client.get(self.urls[n % len(self.urls)]).raise_for_status()
                n += 1

    def __enter__(self) -> EssayListLoops:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def measure(stack: Stack, send: Callable[[int], httpx.Response], repeat: int) -> dict[str, float | None]:
    for i in range(min(30, repeat)):  # warm: connections, caches, the first compile of each statement
        send(i).raise_for_status()
    latencies = []
    cpu_before = cpu_seconds_by_role(stack)["web"]
    for i in range(repeat):
        started = time.perf_counter()
        send(i).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    cpu_ms = (cpu_seconds_by_role(stack)["web"] - cpu_before) * 1000 / repeat
    cuts = statistics.quantiles(latencies, n=100)
    return {"n": repeat, "web_cpu_ms": round(cpu_ms, 2),
            "web_cpu_resolution_ms": cpu_resolution_ms(repeat), "p50_ms": round(cuts[49], 1),
            "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300, help="requests of each kind (default 300)")
    parser.add_argument("--kinds", default="healthz,poll,decision,list_essays")
    parser.add_argument("--beside-lists", type=int, default=0, metavar="K",
                        help="measure while K clients fetch essay lists without pause (default 0)")
    parser.add_argument("--postgres-url", default=f"postgres://postgres@{LOOPBACK}:5432/postgres",
                        help="a maintenance database to create the benchmark's database from")
    parser.add_argument("--database", default="huleedu_cost", help="dropped and created afresh")
    parser.add_argument("--redis-url", default=f"redis://{LOOPBACK}:6379/4", help="this db is flushed")
    parser.add_argument("--port", type=int, default=8151, help="the web process's loopback port")
    parser.add_argument("--server", choices=("gunicorn", "daphne"), default="gunicorn")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    config = parse_args(["--web", "1", "--qclusters", "1", "--batches", "1", "--database", args.database,
                         "--first-port", str(args.port), "--postgres-url", args.postgres_url,
                         "--redis-url", args.redis_url, "--server", args.server])
    signal.signal(signal.SIGTERM, _raise_interrupt)
    speed = machine_speed_seconds()
    stack = Stack(config)
    try:
        stack.prepare_stores()
        token = stack.seed_teachers(1)[0]["token"]
        stack.start()
        with httpx.Client(base_url=f"http://{LOOPBACK}:{config.first_port}", timeout=60,
                          headers={"Authorization": f"Token {token}"}) as client:
            batches = set_up_batches(client, random.Random(config.seed))
            kinds = request_kinds(client, batches)
            with EssayListLoops(args.beside_lists, client, batches):
                results = {kind: measure(stack, kinds[kind], args.repeat) for kind in args.kinds.split(",")}
            if args.beside_lists:  # their CPU is in the web process's too
                for row in results.values():
                    row["web_cpu_ms"] = None
    finally:
        stack.stop()
        stack.cleanup(keep_logs=False)
    print(f"machine: sum(range(10**7)) in {speed:.3f} s; one {args.server} web process, "
          "requests one at a time; "
          f"CPU figures in steps of {cpu_resolution_ms(args.repeat)} ms"
          + (f"; beside {args.beside_lists} clients fetching essay lists" if args.beside_lists else ""))
    print(f"{'kind':<14}{'n':>6}{'web CPU ms':>15}{'p50':>8}{'p95':>8}{'p99':>8}")
    for kind, row in results.items():
        cpu = "-" if row["web_cpu_ms"] is None else f"{row['web_cpu_ms']:.2f}"
        print(f"{kind:<14}{row['n']:>6}{cpu:>15}{row['p50_ms']:>8.1f}"
              f"{row['p95_ms']:>8.1f}{row['p99_ms']:>8.1f}")
    if args.json_out:
        report = {"machine_sum_range_seconds": speed, "server": args.server,
                  "beside_lists": args.beside_lists, "kinds": results}
        args.json_out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
