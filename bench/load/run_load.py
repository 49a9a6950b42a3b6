"""District-scale load benchmark: N teachers take N batches of 30 essays from upload to READY.

One command starts everything it needs on loopback, runs the load, checks the database and
stops what it started::

    .venv/bin/python bench/load/run_load.py --batches 100 --qclusters 1

* a fresh PostgreSQL database (``huleedu_load``, dropped and created) and a flushed Redis
  database (db 3), both on 127.0.0.1;
* ``--web`` web processes (default 2, ports 8101, 8102, ...): gunicorn, one worker each, as
  in production, with one daphne for the WebSocket on the next port (``--server daphne``:
  daphne serving HTTP through Django's ASGI handler and a connection pool instead), and ``--qclusters``
  ``manage.py qcluster`` processes (``--qcluster-workers`` worker processes each), with
  ``HULEEDU_TASKS_INLINE=0`` so every follow-up task travels through Redis to a qcluster, and
  ``PROMETHEUS_MULTIPROC_DIR`` set so ``/metrics`` sums all of them;
* N teachers, each with their own class (roster 30), register a REGULAR batch, upload its 30
  essays in several requests, wait for the suggestions, bulk-accept the high-confidence ones
  and decide the rest one by one (with the true author), until the batch is READY.

Two ways to drive them:

* saturating (the default): every teacher starts at once and acts without pause, so the
  machine is always busy: this measures throughput (batches/min), and its latencies are
  mostly time spent queueing for a CPU;
* human pace (``--ramp-seconds R``): teachers start uploading at random over R seconds; each
  opens the review at a random moment between 0.8 R and R + ``--review-seconds`` W (not
  before their own upload), looks at the suggestions for 5-20 seconds (``--glance-seconds``)
  before accepting the high-confidence ones, and takes ``--think-seconds`` per essay they
  decide by hand. Reviews overlap the last uploads and the open batches pile up towards N, as
  when a district's teachers all hand in the same national test: this measures what a teacher
  waits for at a load the machine can carry (choose R so that it can; the report gives the CPU
  use).

Requests round-robin over the web ports (a load balancer without sticky sessions), at most
``--concurrency`` in flight. The run is bounded by ``--max-requests`` and ``--max-seconds``.
It prints throughput, client-side latency percentiles per kind of request (with how late the
client's own event loop ran, which each of them includes), the server-side
view from ``/metrics``, the matching job latency from the batches' own timestamps, Redis and
PostgreSQL peaks, errors, and the database's verdict (no lost or duplicated essay, every
batch READY). Exit status 0 only if there were no errors and the verdict is clean.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from essay_texts import EssayFile, RosterEntry, make_class_essays, make_roster

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
ESSAYS_PER_BATCH = 30
READY = "READY_FOR_PIPELINE_EXECUTION"
VALIDATING = "AWAITING_STUDENT_VALIDATION"


# --- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    batches: int
    web: int
    first_port: int
    qclusters: int
    qcluster_workers: int
    concurrency: int
    files_per_upload: int
    postgres_url: str
    database: str
    redis_url: str
    max_requests: int
    max_seconds: float
    seed: int
    log_level: str
    relay_grace_seconds: int | None
    json_out: Path | None
    keep_logs: bool
    ramp_seconds: float = 0.0
    review_seconds: float = 0.0
    think_seconds: tuple[float, float] = (2.0, 8.0)
    glance_seconds: tuple[float, float] = (5.0, 20.0)
    split_routes: bool = False
    server: str = "gunicorn"

    @property
    def paced(self) -> bool:
        return self.ramp_seconds > 0

    @property
    def database_url(self) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit(parts._replace(path=f"/{self.database}"))

    @property
    def ports(self) -> list[int]:
        return [self.first_port + i for i in range(self.web)]


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100, help="teachers = batches (default 100)")
    parser.add_argument("--web", type=int, default=2, help="web processes (default 2)")
    parser.add_argument("--server", choices=("gunicorn", "daphne"), default="gunicorn",
                        help="HTTP server: gunicorn (production; default) or daphne with Django's ASGI "
                             "handler and a database connection pool")
    parser.add_argument("--first-port", type=int, default=8101)
    parser.add_argument("--qclusters", type=int, default=1, help="qcluster processes (default 1)")
    parser.add_argument("--qcluster-workers", type=int, default=1,
                        help="worker processes inside each qcluster (default 1)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at most")
    parser.add_argument("--files-per-upload", type=int, default=10, help="files per upload request")
    parser.add_argument("--postgres-url", default=f"postgres://postgres@{LOOPBACK}:5432/postgres",
                        help="a maintenance database to create the load database from")
    parser.add_argument("--database", default="huleedu_load", help="dropped and created afresh")
    parser.add_argument("--redis-url", default=f"redis://{LOOPBACK}:6379/3", help="this db is flushed")
    parser.add_argument("--max-requests", type=int, default=0, help="default: 400 per batch")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="wall-time bound of the load")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--log-level", default="INFO", help="servers' HULEEDU_LOG_LEVEL")
    parser.add_argument("--relay-grace-seconds", type=int, default=None,
                        help="servers' HULEEDU_OUTBOX_RELAY_GRACE_SECONDS (default: the app's); must "
                             "exceed the longest queue wait, see docs/operations.md")
    parser.add_argument("--ramp-seconds", type=float, default=0.0,
                        help="human pace: teachers start over this many seconds (default 0: saturate)")
    parser.add_argument("--review-seconds", type=float, default=300.0,
                        help="human pace: reviews start at random up to this long after the ramp")
    parser.add_argument("--think-seconds", type=_seconds_range, default=(2.0, 8.0),
                        help="human pace: MIN,MAX seconds a teacher takes per hand decision")
    parser.add_argument("--glance-seconds", type=_seconds_range, default=(5.0, 20.0),
                        help="human pace: MIN,MAX seconds a teacher looks at the suggestions before "
                             "accepting the high-confidence ones")
    parser.add_argument("--split-routes", action="store_true",
                        help="route as a balancer with two pools would: uploads, essay lists, "
                             "accept-alls and class set-up to the last web process, the rest to the others")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the report as JSON")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' log directory")
    args = parser.parse_args(argv)
    for name in ("postgres_url", "redis_url"):
        host = urlsplit(getattr(args, name)).hostname
        if host not in (LOOPBACK, "localhost", "::1"):
            parser.error(f"--{name.replace('_', '-')} must point at this machine (loopback), not {host}")
    if not args.database.replace("_", "").isalnum():
        parser.error("--database must be a plain identifier")
    return Config(
        batches=args.batches, web=args.web, first_port=args.first_port, qclusters=args.qclusters,
        qcluster_workers=args.qcluster_workers, concurrency=args.concurrency,
        files_per_upload=args.files_per_upload, postgres_url=args.postgres_url,
        database=args.database, redis_url=args.redis_url,
        max_requests=args.max_requests or 400 * args.batches, max_seconds=args.max_seconds,
        seed=args.seed, log_level=args.log_level, relay_grace_seconds=args.relay_grace_seconds,
        json_out=args.json_out, keep_logs=args.keep_logs, ramp_seconds=max(0.0, args.ramp_seconds),
        review_seconds=max(0.0, args.review_seconds), think_seconds=args.think_seconds,
        glance_seconds=args.glance_seconds,
        split_routes=args.split_routes, server=args.server,
    )


def _seconds_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        bounds = (float(low), float(high or low))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected MIN,MAX in seconds") from exc
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError("expected 0 <= MIN <= MAX")
    return bounds


# --- the processes under test ------------------------------------------------------------------


class Stack:
    """Fresh database and Redis db, then the web and qcluster processes; stopped on exit."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.workdir = Path(tempfile.mkdtemp(prefix="huleedu-load-"))
        self.metrics_dir = self.workdir / "prometheus"
        # A deployment on PostgreSQL refuses to start without a key of its own.
        self.secret_key = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(64)
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def env(self, *, conn_max_age: int) -> dict[str, str]:
        relay = self.config.relay_grace_seconds
        return {
            **({"HULEEDU_OUTBOX_RELAY_GRACE_SECONDS": str(relay)} if relay is not None else {}),
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "huleedu.settings",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.config.database_url,
            "DATABASE_CONN_MAX_AGE": str(conn_max_age),
            "REDIS_URL": self.config.redis_url,
            "HULEEDU_TASKS_INLINE": "0",
            "HULEEDU_QCLUSTER_WORKERS": str(self.config.qcluster_workers),
            "HULEEDU_LOG_LEVEL": self.config.log_level,
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "DJANGO_ALLOWED_HOSTS": f"{LOOPBACK},localhost",
            "PYTHONUNBUFFERED": "1",
        }

    def prepare_stores(self) -> None:
        with psycopg.connect(self.config.postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.config.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.config.database}"')
        redis.Redis.from_url(self.config.redis_url).flushdb()
        self.metrics_dir.mkdir()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                       env=self.env(conn_max_age=0), check=True)

    def seed_teachers(self, count: int) -> list[dict[str, str]]:
        out = subprocess.run([sys.executable, str(Path(__file__).parent / "seed_teachers.py"), str(count)],
                             cwd=ROOT, env=self.env(conn_max_age=0), check=True, capture_output=True)
        return [json.loads(line) for line in out.stdout.decode().splitlines() if line.startswith("{")]

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - open for the child's lifetime
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=_terminate_with_parent)
        self.processes.append((name, process))

    def start(self) -> None:
        # gunicorn's threads and qcluster workers are long-lived: both keep their database
        # connections (the application's default). Under daphne, Django's ASGI handler runs
        # each request on a thread of its own, so connections come from a pool instead.
        for port in self.config.ports:
            if self.config.server == "gunicorn":
                self._spawn(f"web-{port}", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                            "-b", f"{LOOPBACK}:{port}", "--workers", "1"],
                            self.env(conn_max_age=60))
            else:
                self._spawn(f"web-{port}", [sys.executable, "-m", "daphne", "-b", LOOPBACK, "-p", str(port),
                                            "huleedu.asgi:application"],
                            {**self.env(conn_max_age=0), "DATABASE_POOL_MAX_SIZE": "8"})
        if self.config.server == "gunicorn":  # the teachers' WebSocket, as the proxy routes /ws/
            port = self.config.first_port + self.config.web
            self._spawn(f"ws-{port}", [sys.executable, "-m", "daphne", "-b", LOOPBACK, "-p", str(port),
                                       "huleedu.asgi:application"], self.env(conn_max_age=0))
        for number in range(self.config.qclusters):
            self._spawn(f"qcluster-{number}", [sys.executable, "manage.py", "qcluster"],
                        self.env(conn_max_age=60))
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.config.ports)
        while pending and time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {self.workdir / (name + '.log')}")
            for port in list(pending):
                try:
                    if httpx.get(f"http://{LOOPBACK}:{port}/readyz", timeout=2).status_code == 200:
                        pending.discard(port)
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"not ready after {timeout:.0f}s: {sorted(pending)}; logs in {self.workdir}")

    def stop(self) -> None:
        for name, process in self.processes:
            if process.poll() is None:
                # A qcluster's first process stops its workers itself on SIGTERM, in a second or
                # two; SIGTERM to its whole group reaches the workers first, and it then waits on
                # them until killed. The web servers' groups stop on it at once.
                if name.startswith("qcluster"):
                    process.send_signal(signal.SIGTERM)
                else:
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # a leader past the deadline, or
                os.killpg(process.pid, signal.SIGKILL)  # whatever outlived its group's leader
            process.wait()
        self.processes.clear()

    def cleanup(self, keep_logs: bool) -> None:
        if keep_logs:
            print(f"server logs kept in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _terminate_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark dies, however it dies (Linux), so no
    server outlives it and serves the next run's queue."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


ANALYZE_EVERY_SECONDS = 60.0  # autovacuum's default naptime


class ResourceSampler(threading.Thread):
    """Once a second: PostgreSQL connections to the load database, Redis memory, open batches.

    It also stands in for autovacuum when the server runs without it (a test server may):
    the load database grows from nothing to tens of thousands of rows in minutes, and without
    statistics the planner joins whole tables where a production server, whose autovacuum
    analyzes a table once a tenth of it has changed, uses the indexes. So then it runs
    ANALYZE once per autovacuum naptime, and the report says so.
    """

    def __init__(self, config: Config) -> None:
        super().__init__(daemon=True)
        self.config = config
        self.stopped = threading.Event()
        self.peak_pg_connections = 0
        self.peak_pg_connections_total = 0
        self.peak_redis_used_memory = 0
        self.redis_used_memory_peak = 0
        self.peak_open_batches = 0  # registered and not READY yet
        self.peak_awaiting_validation = 0
        self.busy_samples: list[float] = []
        self._last_cpu = _machine_cpu_ticks()
        self.server_autovacuum = ""
        self.analyze_runs = 0

    def busy_percent_avg(self) -> float:
        return sum(self.busy_samples) / len(self.busy_samples) if self.busy_samples else 0.0

    def run(self) -> None:
        client = redis.Redis.from_url(self.config.redis_url)
        with (psycopg.connect(self.config.postgres_url, autocommit=True) as conn,
              psycopg.connect(self.config.database_url, autocommit=True) as load_db):
            self.server_autovacuum = str(conn.execute("SHOW autovacuum").fetchone()[0])
            last_analyze = time.monotonic()
            while not self.stopped.wait(1.0):
                self.sample(conn, client)
                self.sample_batches(load_db)
                due = time.monotonic() - last_analyze >= ANALYZE_EVERY_SECONDS
                if self.server_autovacuum != "on" and due:
                    load_db.execute("ANALYZE")
                    self.analyze_runs += 1
                    last_analyze = time.monotonic()
            self.sample(conn, client)

    def sample_batches(self, load_db: psycopg.Connection) -> None:
        row = load_db.execute(
            "SELECT count(*) FILTER (WHERE status NOT IN (%s, 'FAILED', 'CANCELLED')), "
            "count(*) FILTER (WHERE status = %s) FROM batches_batch", (READY, VALIDATING)).fetchone()
        assert row is not None
        self.peak_open_batches = max(self.peak_open_batches, row[0])
        self.peak_awaiting_validation = max(self.peak_awaiting_validation, row[1])

    def sample(self, conn: psycopg.Connection, client: redis.Redis) -> None:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE datname = %s), count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend'", (self.config.database,)
        ).fetchone()
        assert row is not None
        self.peak_pg_connections = max(self.peak_pg_connections, row[0])
        self.peak_pg_connections_total = max(self.peak_pg_connections_total, row[1])
        memory = client.info("memory")
        self.peak_redis_used_memory = max(self.peak_redis_used_memory, int(memory["used_memory"]))
        self.redis_used_memory_peak = int(memory["used_memory_peak"])
        busy, total = _machine_cpu_ticks()
        if total > self._last_cpu[1]:
            self.busy_samples.append(100 * (busy - self._last_cpu[0]) / (total - self._last_cpu[1]))
        self._last_cpu = (busy, total)


def _machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_seconds_by_role(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by the web, WebSocket and qcluster processes (with the workers
    qcluster forks: each was started in its own process group) and by PostgreSQL (every
    ``postgres`` process; the postmaster's waited-for children count the backends that
    ended). Read from /proc; the difference of two readings is what a stretch of load cost."""
    role_of_group = {process.pid: name.split("-")[0] for name, process in stack.processes}
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = defaultdict(float)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, tail = stat.read_text().rpartition(")")
        except OSError:
            continue
        fields = tail.split()  # state, ppid, pgrp, ...; utime, stime, cutime, cstime at 11..14
        role = role_of_group.get(int(fields[2])) or ("postgres" if head.endswith("(postgres") else None)
        if role:
            used[role] += sum(int(value) for value in fields[11:15]) / ticks
    return dict(used)


# --- the load ----------------------------------------------------------------------------------


class BudgetExceeded(Exception):
    pass


@dataclass
class Teacher:
    number: int
    token: str
    roster: list[RosterEntry]
    essays: list[EssayFile]
    class_id: str = ""
    student_ids: list[str] = field(default_factory=list)
    batch_id: str = ""
    true_author_of: dict[str, str] = field(default_factory=dict)  # essay_id -> student_id
    ready: bool = False
    rng: random.Random = field(default_factory=random.Random)
    start_at: float = 0.0  # human pace: seconds after the load starts
    review_at: float = 0.0


class Pace:
    """When teachers act. Saturating, they never wait; at human pace they start, open the
    review and decide at the moments drawn for them (see the module docstring)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.started = time.monotonic()

    async def until(self, offset: float) -> None:
        delay = self.started + offset - time.monotonic()
        if self.config.paced and delay > 0:
            await asyncio.sleep(delay)

    async def think(self, teacher: Teacher, bounds: tuple[float, float]) -> None:
        if self.config.paced:
            await asyncio.sleep(teacher.rng.uniform(*bounds))


# Requests that hold a web process for tens of milliseconds of CPU (--split-routes).
BULK_KINDS = frozenset({"upload", "list_essays", "bulk_confirm", "create_class"})


class LoadClient:
    """HTTP over the web ports, round-robin, bounded in flight, timing every request.

    With ``split_routes`` the ports are two pools, as behind a balancer that routes by path:
    the bulk requests go to the last web process, the short interactive ones (decisions, polls,
    registrations) to the others, so that a decision never shares a process with an upload.
    """

    def __init__(self, config: Config, kind_suffix: str = "") -> None:
        self.config = config
        self.kind_suffix = kind_suffix
        # Idle connections are dropped before gunicorn's own keep-alive (5 s) closes them, as a
        # proxy in front of it must: reusing one as the server closes it is a lost request.
        limits = httpx.Limits(max_connections=config.concurrency,
                              max_keepalive_connections=config.concurrency, keepalive_expiry=2.0)
        self.clients = [httpx.AsyncClient(base_url=f"http://{LOOPBACK}:{port}", limits=limits, timeout=120)
                        for port in config.ports]
        split = config.split_routes and len(self.clients) > 1
        self.next_interactive = itertools.cycle(self.clients[:-1] if split else self.clients)
        self.next_bulk = itertools.cycle(self.clients[-1:]) if split else self.next_interactive
        self.in_flight = asyncio.Semaphore(config.concurrency)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.requests = 0

    async def call(self, kind: str, method: str, url: str, token: str, expect: int, **kwargs: Any) -> Any:
        if self.requests >= self.config.max_requests:
            raise BudgetExceeded(f"request budget of {self.config.max_requests} spent")
        self.requests += 1
        headers = {"Authorization": f"Token {token}"}
        async with self.in_flight:
            started = time.perf_counter()
            pool = self.next_bulk if kind in BULK_KINDS else self.next_interactive
            response = await next(pool).request(method, url, headers=headers, **kwargs)
            self.latencies[kind + self.kind_suffix].append(time.perf_counter() - started)
        if response.status_code != expect:
            message = f"{kind} {method} {url} -> {response.status_code}: {response.text[:300]}"
            self.errors.append(message)
            raise RuntimeError(message)
        return response.json()

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


class LoopLagWatch:
    """How late the benchmark client's own event loop wakes: a timer due every ``interval``
    seconds records how far past due it ran. One loop sends every teacher's requests and
    shares the machine's cores with the servers, so each client-side latency includes such a
    delay at both ends, which a teacher's own browser would not add. Reported beside the
    client-side figures to tell the client's delay from the servers'."""

    # Every 50 ms: a wake-up costs the client ~0.13 ms of CPU, 18 s over a human-pace run at 10 ms.
    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.lags: list[float] = []

    async def run(self) -> None:
        while True:
            due = time.perf_counter() + self.interval
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, time.perf_counter() - due))


async def create_class(client: LoadClient, teacher: Teacher) -> None:
    body = {"name": f"9B-{teacher.number:04d}", "students": [
        {"first_name": s.first_name, "last_name": s.last_name, "email": s.email} for s in teacher.roster]}
    created = await client.call("create_class", "POST", "/api/v1/classes/", teacher.token, 201, json=body)
    teacher.class_id = created["class_id"]
    by_name = {(s["first_name"], s["last_name"]): s["student_id"] for s in created["students"]}
    teacher.student_ids = [by_name[(s.first_name, s.last_name)] for s in teacher.roster]


async def wait_for_suggestions(client: LoadClient, teacher: Teacher) -> None:
    """Poll with back-off, capped so that all teachers together poll about 25 times a second:
    a browser is told by a WebSocket push, and a thousand tight pollers would measure the
    polling instead of the product (matching latency is read from the batches' timestamps)."""
    delay, longest = 0.5, max(4.0, client.config.batches / 25)
    while True:
        batch = await client.call("poll_batch", "GET", f"/api/v1/batches/{teacher.batch_id}/",
                                  teacher.token, 200)
        if batch["status"] in (VALIDATING, READY):
            return
        if batch["status"] in ("FAILED", "CANCELLED"):
            raise RuntimeError(f"batch {teacher.batch_id} ended {batch['status']}")
        await asyncio.sleep(delay * random.uniform(0.8, 1.2))
        delay = min(delay * 1.6, longest)


async def teacher_flow(client: LoadClient, teacher: Teacher, *, bulk_accept: bool = True,
                       pace: Pace | None = None) -> None:
    token, config = teacher.token, client.config
    pace = pace or Pace(replace(config, ramp_seconds=0.0))
    await pace.until(teacher.start_at)
    batch = await client.call("register", "POST", "/api/v1/batches/", token, 201, json={
        "course_code": "SVE1", "expected_essay_count": len(teacher.essays), "class_id": teacher.class_id})
    teacher.batch_id = batch["batch_id"]
    for start in range(0, len(teacher.essays), config.files_per_upload):
        chunk = teacher.essays[start:start + config.files_per_upload]
        uploaded = await client.call(
            "upload", "POST", f"/api/v1/batches/{teacher.batch_id}/essays/", token, 201,
            files=[("files", (e.filename, e.content, "text/plain")) for e in chunk])
        for essay, result in zip(chunk, uploaded["results"], strict=True):
            teacher.true_author_of[result["essay_id"]] = teacher.student_ids[essay.author_index]
    await wait_for_suggestions(client, teacher)
    await pace.until(teacher.review_at)
    await pace.think(teacher, config.glance_seconds)
    batch_url = f"/api/v1/batches/{teacher.batch_id}"
    remaining = len(teacher.essays)
    if bulk_accept:
        bulk = await client.call("bulk_confirm", "POST", f"{batch_url}/associations/confirm/", token, 200,
                                 json={"accept": "high_confidence"})
        remaining = bulk["remaining"]
    if remaining:
        essays = await client.call("list_essays", "GET", f"{batch_url}/essays/", token, 200)
        for essay in essays:
            if essay["association"] and not essay["association"]["decided"]:
                await pace.think(teacher, config.think_seconds)
                decision_url = f"/api/v1/classes/{teacher.class_id}/associations/{essay['essay_id']}/"
                await client.call("decision", "PUT", decision_url, token, 200,
                                  json={"student_id": teacher.true_author_of[essay["essay_id"]]})
    final = await client.call("poll_batch", "GET", f"/api/v1/batches/{teacher.batch_id}/", token, 200)
    if final["status"] != READY:
        raise RuntimeError(f"batch {teacher.batch_id} is {final['status']} after every decision")
    teacher.ready = True


async def probe_at_rest(config: Config, teacher: Teacher) -> dict[str, list[float]]:
    """One more teacher, alone, after the load has drained: every request one at a time and
    every essay decided one by one. Separates what a request costs from what queueing behind
    a saturated machine adds; its request kinds are reported with the suffix ``_at_rest``."""
    client = LoadClient(replace(config, concurrency=1), kind_suffix="_at_rest")
    try:
        await create_class(client, teacher)
        await teacher_flow(client, teacher, bulk_accept=False)
    finally:
        await client.close()
    return dict(client.latencies)


async def run_load(config: Config, teachers: list[Teacher]) -> dict[str, Any]:
    client = LoadClient(config)
    failures: list[str] = []
    pace: Pace | None = None
    loop_lag = LoopLagWatch()
    watching = asyncio.create_task(loop_lag.run())

    async def paced_flow(client: LoadClient, teacher: Teacher) -> None:
        await teacher_flow(client, teacher, pace=pace)

    async def guarded(flow: Any, teacher: Teacher) -> None:
        try:
            await flow(client, teacher)
        except BudgetExceeded:
            raise
        except Exception as exc:  # one teacher's failure is reported, the others go on
            failures.append(f"teacher {teacher.number}: {type(exc).__name__}: {exc}"[:400])

    try:
        setup_started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(guarded(create_class, t) for t in teachers)),
                               timeout=config.max_seconds)
        setup_seconds = time.perf_counter() - setup_started
        load_started = time.perf_counter()
        pace = Pace(config)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(guarded(paced_flow, t) for t in teachers if t.class_id)),
                timeout=max(1.0, config.max_seconds - setup_seconds))
        except TimeoutError:  # bounded in time: report what was reached, as a failure
            failures.append(f"wall-time bound of {config.max_seconds:.0f}s reached")
        load_seconds = time.perf_counter() - load_started
    finally:
        watching.cancel()
        await client.close()
    return {"setup_seconds": setup_seconds, "load_seconds": load_seconds, "latencies": client.latencies,
            "errors": client.errors, "failures": failures, "requests": client.requests,
            "client_loop_lags": loop_lag.lags}


def wait_for_drain(config: Config) -> float:
    """READY is visible before the batch's last events (the decisions' audit events) are
    delivered: give the workers time to finish them. Returns the seconds it took."""
    started = time.monotonic()
    deadline = started + max(120.0, 3.0 * config.batches)
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM batches_batchevent WHERE delivered_at IS NULL").fetchone()
            if row is not None and row[0] == 0:
                break
            time.sleep(0.5)
    return time.monotonic() - started


# Where a request's time went, from the servers' own histograms (see huleedu.metrics).
BREAKDOWN = {"huleedu_http_request_duration_seconds": "", "huleedu_http_request_cpu_seconds": "cpu_",
             "huleedu_http_request_database_wait_seconds": "db_wait_"}


def scrape_metrics(config: Config) -> dict[str, Any]:
    """The servers' own view: latency by route from the histograms and where it went (CPU,
    database wait, the rest), failures, errors."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"http://{LOOPBACK}:{config.ports[0]}/metrics", timeout=30).text
    buckets: dict[tuple[str, str], dict[float, float]] = defaultdict(lambda: defaultdict(float))
    sums: dict[tuple[str, str], float] = defaultdict(float)
    statements: dict[str, float] = defaultdict(float)
    counters: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            base, _, part = sample.name.rpartition("_")
            if base in BREAKDOWN:
                route = f"{sample.labels['method']} {sample.labels['route']}"
                if part == "bucket":
                    buckets[(base, route)][float(sample.labels["le"])] += sample.value
                elif part == "sum":
                    sums[(base, route)] += sample.value
            elif sample.name == "huleedu_http_database_statements_total":
                statements[f"{sample.labels['method']} {sample.labels['route']}"] += sample.value
            elif sample.name in ("huleedu_task_failures_total", "huleedu_api_errors_total",
                                 "huleedu_unhandled_exceptions_total"):
                counters[sample.name] += sample.value
            elif sample.name == "huleedu_task_duration_seconds_count":
                counters["tasks_executed"] += sample.value
    duration = "huleedu_http_request_duration_seconds"
    breakdown: dict[str, dict[str, float]] = {}
    for (name, route), cumulative in buckets.items():
        if name != duration:
            continue
        count = max(cumulative.values())
        row = breakdown[route] = {"requests": count}
        for histogram, prefix in BREAKDOWN.items():
            row[f"{prefix}mean_ms"] = sums[(histogram, route)] / count * 1000 if count else 0.0
            row[f"{prefix}p95_ms"] = histogram_quantile(0.95, buckets[(histogram, route)]) * 1000
        # Neither the thread's CPU nor a statement's answer: waiting for the GIL or a core.
        row["other_wait_mean_ms"] = row["mean_ms"] - row["cpu_mean_ms"] - row["db_wait_mean_ms"]
        row["statements_per_request"] = statements[route] / count if count else 0.0
    return {"route_p95_ms": {route: row["p95_ms"] for route, row in breakdown.items()},
            "route_breakdown": breakdown, **counters}


def histogram_quantile(q: float, cumulative: dict[float, float]) -> float:
    """Prometheus' estimate: linear interpolation inside the bucket holding the quantile."""
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]]
    if total == 0:
        return 0.0
    rank, lower, below = q * total, 0.0, 0.0
    for bound in bounds:
        count = cumulative[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = bound, count
    return lower


# --- the database's verdict ----------------------------------------------------------------------


def verify_database(config: Config, teachers: list[Teacher]) -> dict[str, Any]:
    expected_ids = {essay_id for t in teachers for essay_id in t.true_author_of}
    truth = {essay_id: student for t in teachers for essay_id, student in t.true_author_of.items()}
    with psycopg.connect(config.database_url) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM batches_batch GROUP BY status").fetchall())
        per_batch = conn.execute(
            "SELECT b.expected_essay_count, count(e.id) FROM batches_batch b "
            "LEFT JOIN essays_essay e ON e.batch_id = b.id GROUP BY b.id").fetchall()
        duplicate_contents = conn.execute(
            "SELECT count(*) FROM (SELECT batch_id, sha256 FROM essays_essay "
            "GROUP BY batch_id, sha256 HAVING count(*) > 1) d").fetchone()[0]
        stored = {str(row[0]): (str(row[1]) if row[1] else None) for row in conn.execute(
            "SELECT id, student_id FROM essays_essay").fetchall()}
        undecided = conn.execute(
            "SELECT count(*) FROM matching_studentassociation WHERE method = ''").fetchone()[0]
        by_method = dict(conn.execute(
            "SELECT method, count(*) FROM matching_studentassociation GROUP BY method").fetchall())
        undelivered = conn.execute(
            "SELECT count(*) FROM batches_batchevent WHERE delivered_at IS NULL").fetchone()[0]
        failed_tasks = conn.execute("SELECT count(*) FROM django_q_task WHERE success = false").fetchone()[0]
        timings = conn.execute(
            "SELECT extract(epoch FROM suggestions_ready_at - matching_requested_at), "
            "(processing_summary->>'duration_ms')::float / 1000, "
            "extract(epoch FROM suggestions_ready_at - content_provisioned_at), "
            "extract(epoch FROM ready_at - created_at) "
            "FROM batches_batch WHERE suggestions_ready_at IS NOT NULL").fetchall()
    return {
        "batches": sum(statuses.values()),
        "batch_statuses": statuses,
        "lost_essays": sum(max(0, expected - count) for expected, count in per_batch),
        "duplicated_essays": sum(max(0, count - expected) for expected, count in per_batch)
        + duplicate_contents,
        "uploaded_but_missing": len(expected_ids - stored.keys()),
        "stored_but_never_uploaded": len(stored.keys() - expected_ids),
        "undecided_associations": undecided,
        "associations_by_method": by_method,
        "wrong_attributions": sum(1 for essay_id, student in truth.items()
                                  if stored.get(essay_id) != student),
        "undelivered_events": undelivered,
        "failed_tasks": failed_tasks,
        # extract(epoch ...) is a numeric (Decimal): seconds as floats for the report.
        "matching_job_latency": [float(row[0]) for row in timings],
        "matching_job_runtime": [float(row[1]) for row in timings if row[1] is not None],
        "provisioned_to_suggestions": [float(row[2]) for row in timings],
        "registered_to_ready": [float(row[3]) for row in timings if row[3] is not None],
    }


# --- report ------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)

    def rank(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    return {"n": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1]}


def build_report(config: Config, load: dict[str, Any], verdict: dict[str, Any],
                 sampler: ResourceSampler) -> dict[str, Any]:
    ready = load["ready_batches"]  # of the load itself, without the probe at rest
    essays = ready * ESSAYS_PER_BATCH
    minutes = load["load_seconds"] / 60
    return {
        "config": {"batches": config.batches, "web": config.web, "server": config.server,
                   "qclusters": config.qclusters,
                   "relay_grace_seconds": config.relay_grace_seconds,
                   "qcluster_workers": config.qcluster_workers, "concurrency": config.concurrency,
                   "files_per_upload": config.files_per_upload, "cpus": os.cpu_count(),
                   "routing": "split" if config.split_routes and config.web > 1 else "round-robin",
                   "pace": ({"ramp_seconds": config.ramp_seconds, "review_seconds": config.review_seconds,
                             "think_seconds": config.think_seconds, "glance_seconds": config.glance_seconds}
                            if config.paced else "saturating")},
        "peak_open_batches": sampler.peak_open_batches,
        "peak_awaiting_validation": sampler.peak_awaiting_validation,
        "setup_seconds": round(load["setup_seconds"], 1),
        "load_seconds": round(load["load_seconds"], 1),
        "drain_seconds": round(load["drain_seconds"], 1),
        "batches_per_minute": round(ready / minutes, 1) if minutes else 0.0,
        "essays_per_second": round(essays / load["load_seconds"], 1) if load["load_seconds"] else 0.0,
        "requests": load["requests"],
        "client_latency_ms": {kind: {k: (round(v * 1000, 1) if k != "n" else v)
                                     for k, v in percentiles(values).items()}
                              for kind, values in sorted(load["latencies"].items())},
        "client_loop_lag_ms": {k: (round(v * 1000, 1) if k != "n" else v)
                               for k, v in percentiles(load["client_loop_lags"]).items()},
        "server_p95_ms": {route: round(ms, 1)
                          for route, ms in sorted(load["server_side"]["route_p95_ms"].items())},
        "server_side_ms": {route: {k: round(v, 1) for k, v in row.items()}
                           for route, row in sorted(load["server_side"]["route_breakdown"].items())},
        "matching_job_seconds": {
            name: {k: (round(v, 3) if k != "n" else v) for k, v in percentiles(verdict[key]).items()}
            for name, key in (("initiated_to_suggestions", "matching_job_latency"),
                              ("job_runtime", "matching_job_runtime"),
                              ("provisioned_to_suggestions", "provisioned_to_suggestions"),
                              ("registered_to_ready", "registered_to_ready"))},
        "cpu": {"machine_busy_percent_avg": round(sampler.busy_percent_avg(), 1),
                # seconds of CPU during the load, by who used them
                **{f"{role}_cpu_seconds": round(seconds, 1) for role, seconds in load["cpu_by_role"].items()},
                "bench_client_cpu_seconds": round(load["client_cpu_seconds"], 1),
                "load_wall_seconds_x_cpus": round(load["load_seconds"] * (os.cpu_count() or 1), 1)},
        "redis": {"sampled_peak_used_memory_mb": round(sampler.peak_redis_used_memory / 2**20, 2),
                  "info_used_memory_peak_mb": round(sampler.redis_used_memory_peak / 2**20, 2)},
        "postgres": {"peak_connections_load_db": sampler.peak_pg_connections,
                     "peak_connections_server": sampler.peak_pg_connections_total,
                     "server_autovacuum": sampler.server_autovacuum,
                     "analyze_runs_by_benchmark": sampler.analyze_runs},
        "errors": {"http": len(load["errors"]), "teacher_flows_failed": len(load["failures"]),
                   "tasks_failed_metric": load["server_side"].get("huleedu_task_failures_total", 0.0),
                   "api_errors_metric": load["server_side"].get("huleedu_api_errors_total", 0.0),
                   "unhandled_exceptions_metric":
                       load["server_side"].get("huleedu_unhandled_exceptions_total", 0.0),
                   "first": (load["errors"] + load["failures"])[:5]},
        "tasks_executed": load["server_side"].get("tasks_executed", 0.0),
        "database": {key: verdict[key] for key in (
            "batches", "batch_statuses", "lost_essays", "duplicated_essays", "uploaded_but_missing",
            "stored_but_never_uploaded", "undecided_associations", "associations_by_method",
            "wrong_attributions", "undelivered_events", "failed_tasks")},
    }


def clean(report: dict[str, Any], expected_batches: int) -> bool:
    db, errors = report["database"], report["errors"]
    return (errors["http"] == 0 and errors["teacher_flows_failed"] == 0 and errors["tasks_failed_metric"] == 0
            and errors["unhandled_exceptions_metric"] == 0
            and db["batches"] == expected_batches and db["batch_statuses"].get(READY, 0) == expected_batches
            and db["lost_essays"] == 0 and db["duplicated_essays"] == 0 and db["uploaded_but_missing"] == 0
            and db["stored_but_never_uploaded"] == 0 and db["undecided_associations"] == 0
            and db["undelivered_events"] == 0 and db["failed_tasks"] == 0)


def print_report(report: dict[str, Any], ok: bool) -> None:
    c = report["config"]
    print(f"\n== HuleEdu load: {c['batches']} batches x {ESSAYS_PER_BATCH} essays, {c['web']} {c['server']}, "
          f"{c['qclusters']} qcluster x {c['qcluster_workers']} worker(s), {c['concurrency']} in flight, "
          f"{c['cpus']} CPUs, {c['routing']} routing ==")
    print(f"setup (classes): {report['setup_seconds']} s   load: {report['load_seconds']} s   "
          f"outbox drained {report['drain_seconds']} s after the last READY   "
          f"requests: {report['requests']}   tasks executed: {report['tasks_executed']:.0f}")
    print(f"pace: {c['pace']}   open batches at once (peak): {report['peak_open_batches']}, "
          f"of them awaiting validation: {report['peak_awaiting_validation']}")
    print(f"throughput: {report['batches_per_minute']} batches/min, {report['essays_per_second']} essays/s")
    print("client-side latency (ms):        n      p50      p95      p99      max")
    for kind, p in report["client_latency_ms"].items():
        print(f"  {kind:<26} {p['n']:>7} {p['p50']:>8} {p['p95']:>8} {p['p99']:>8} {p['max']:>8}")
    lag = report["client_loop_lag_ms"]
    print(f"  {'(client loop lag)':<26} {lag['n']:>7} {lag['p50']:>8} {lag['p95']:>8} {lag['p99']:>8} "
          f"{lag['max']:>8}   how late the client's own loop ran: part of every figure above")
    print("server-side (ms, from /metrics): requests, mean and p95 of the whole, of the thread's CPU and "
          "of the database wait; the rest of the mean (GIL or core); statements per request")
    print(f"  {'route':<40} {'n':>7} {'mean':>6} {'p95':>6} {'cpu':>6} {'p95':>6} {'db':>6} {'p95':>6} "
          f"{'rest':>6} {'stmts':>6}")
    for route, r in report["server_side_ms"].items():
        print(f"  {route:<40} {r['requests']:>7.0f} {r['mean_ms']:>6} {r['p95_ms']:>6} {r['cpu_mean_ms']:>6} "
              f"{r['cpu_p95_ms']:>6} {r['db_wait_mean_ms']:>6} {r['db_wait_p95_ms']:>6} "
              f"{r['other_wait_mean_ms']:>6} {r['statements_per_request']:>6}")
    print("matching (s, from batch timestamps):  n      p50      p95      p99      max")
    for name, p in report["matching_job_seconds"].items():
        print(f"  {name:<28} {p['n']:>7} {p['p50']:>8} {p['p95']:>8} {p['p99']:>8} {p['max']:>8}")
    print(f"redis: {report['redis']}   postgres: {report['postgres']}")
    print(f"cpu: {report['cpu']}")
    print(f"errors: {report['errors']}")
    print(f"database: {report['database']}")
    print("VERDICT:", "OK" if ok else "FAILED")


# --- main --------------------------------------------------------------------------------------


def make_teachers(config: Config, seeded: list[dict[str, str]]) -> list[Teacher]:
    teachers = []
    for number, account in enumerate(seeded):
        rng = random.Random(config.seed * 100_003 + number)
        roster = make_roster(rng, ESSAYS_PER_BATCH)
        teacher = Teacher(number, account["token"], roster, make_class_essays(rng, roster), rng=rng)
        if config.paced:
            ramp, review = config.ramp_seconds, config.review_seconds
            teacher.start_at = rng.uniform(0, ramp)
            teacher.review_at = max(teacher.start_at, rng.uniform(0.8 * ramp, ramp + review))
        teachers.append(teacher)
    return teachers


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # stop the servers on `kill` too
    stack = Stack(config)
    sampler = ResourceSampler(config)
    try:
        print(f"preparing {config.database} and {config.redis_url} ...", flush=True)
        stack.prepare_stores()
        *teachers, probe = make_teachers(config, stack.seed_teachers(config.batches + 1))
        print(f"starting {config.web} {config.server}, {config.qclusters} qcluster(s) ...", flush=True)
        stack.start()
        sampler.start()
        print(f"running {config.batches} teachers ...", flush=True)
        client_cpu_before, cpu_before = time.process_time(), cpu_seconds_by_role(stack)
        load = asyncio.run(run_load(config, teachers))
        load["client_cpu_seconds"] = time.process_time() - client_cpu_before
        load["drain_seconds"] = wait_for_drain(config)
        cpu_after = cpu_seconds_by_role(stack)
        load["cpu_by_role"] = {role: used - cpu_before.get(role, 0.0) for role, used in cpu_after.items()}
        load["latencies"].update(asyncio.run(probe_at_rest(config, probe)))
        wait_for_drain(config)
        load["ready_batches"] = sum(1 for t in teachers if t.ready)
        load["server_side"] = scrape_metrics(config)
        sampler.stopped.set()
        sampler.join()
        verdict = verify_database(config, [*teachers, probe])
    finally:
        sampler.stopped.set()
        stack.stop()
    report = build_report(config, load, verdict, sampler)
    ok = clean(report, config.batches + 1)  # the load's batches and the probe's
    print_report(report, ok)
    if config.json_out:
        config.json_out.write_text(json.dumps(report, indent=2, default=str))
    stack.cleanup(config.keep_logs or not ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
