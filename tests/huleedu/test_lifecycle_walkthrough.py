"""The lifecycle walkthrough (scripts/lifecycle_walkthrough.py), an HTTP-only client of the
pinned contract, against daphne + a separate qcluster on PostgreSQL and Redis, and against the
embedded one-command app."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from tests.support.processes import ROOT, QCluster, free_port, serve_http, stop_process, worker_env

pytestmark = pytest.mark.slow


def lifecycle_walkthrough():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("lifecycle_walkthrough",
                                                  ROOT / "scripts" / "lifecycle_walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(outcome: dict) -> None:
    assert outcome["passes"] == [1, 2]
    assert outcome["skipped_by_accept_all"] == 1
    assert outcome["csv_rows"] == 5


@pytest.mark.django_db(transaction=True)
def test_lifecycle_on_postgres_redis_with_a_separate_qcluster(tmp_path, make_teacher):
    make_teacher("integrator")
    port = free_port()
    server = serve_http(["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "huleedu.asgi:application"],
                        worker_env(), port, tmp_path / "daphne.log")
    worker = QCluster(tmp_path / "qcluster.log").start()
    try:
        check(lifecycle_walkthrough().run(f"http://127.0.0.1:{port}", "integrator", "pw-integrator"))
    finally:
        worker.stop()
        stop_process(server)


def test_lifecycle_on_the_embedded_default(tmp_path):
    port = free_port()
    own = {"DATABASE_URL", "REDIS_URL", "HULEEDU_TASKS_INLINE"}
    env = {k: v for k, v in os.environ.items() if k not in own}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    server = serve_http(["manage.py", "serve", "--port", str(port)], env, port, tmp_path / "serve.log")
    try:
        check(lifecycle_walkthrough().run(f"http://127.0.0.1:{port}", "demo", "demo"))
    finally:
        stop_process(server)
