"""Real server processes for tests: a django-q2 qcluster, the embedded server and the production
topology (gunicorn, daphne, qcluster) on the test database and Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test_ database)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "HULEEDU_TASKS_INLINE": "0",
           "PYTHONUNBUFFERED": "1"}
    env.update(extra)
    return env


class QCluster:
    """A `manage.py qcluster` process group that tests can start, SIGKILL and restart."""

    def __init__(self, log_path: Path, **extra_env: str) -> None:
        self.log_path = log_path
        self.extra_env = extra_env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> QCluster:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=worker_env(**self.extra_env),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, like a machine losing power."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop as ``kill <pid>`` of the qcluster does: django-q2's cluster process stops its
        pusher, workers and monitor itself, in a second or two. SIGTERM sent to the whole group
        instead reaches the guard and the workers first, and the cluster then waits on them until
        it is killed (15 s here)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # whatever outlived the cluster process
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def wait_for(condition: Callable[[], bool], *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_http(args: list[str], env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers on the port."""
    import urllib.request

    log = open(log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return True
        except OSError:
            return process.poll() is not None  # stop waiting if it died

    wait_for(answers, timeout=60, interval=0.2)
    if process.poll() is not None:
        raise RuntimeError(f"server exited early: {log_path.read_text(errors='replace')[-2000:]}")
    return process


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def embedded_server(tmp_path: Path) -> Iterator[str]:
    """The one-command app (``manage.py serve``) on a SQLite file of its own; yields its URL."""
    port = free_port()
    own = {"DATABASE_URL", "REDIS_URL", "HULEEDU_TASKS_INLINE"}
    env = {k: v for k, v in os.environ.items() if k not in own}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    server = serve_http(["manage.py", "serve", "--port", str(port)], env, port, tmp_path / "serve.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(server)


@dataclass(frozen=True)
class Deployment:
    """Where the production topology serves: HTTP (gunicorn) and the WebSocket (daphne), on the
    two addresses a proxy routes ``/`` and ``/ws/`` to."""

    url: str
    ws_url: str


@contextmanager
def deployed_servers(tmp_path: Path) -> Iterator[Deployment]:
    """The production topology on the test run's PostgreSQL and Redis: gunicorn for HTTP, daphne
    for the WebSocket and a separate qcluster."""
    http_port, ws_port = free_port(), free_port()
    web = serve_http(["-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{http_port}",
                      "--workers", "2"], worker_env(), http_port, tmp_path / "gunicorn.log")
    sockets = serve_http(["-m", "daphne", "-b", "127.0.0.1", "-p", str(ws_port), "huleedu.asgi:application"],
                         worker_env(DATABASE_CONN_MAX_AGE="0"), ws_port, tmp_path / "daphne.log")
    worker = QCluster(tmp_path / "qcluster.log").start()
    try:
        yield Deployment(url=f"http://127.0.0.1:{http_port}", ws_url=f"ws://127.0.0.1:{ws_port}")
    finally:
        worker.stop()
        stop_process(sockets)
        stop_process(web)
