"""The integrator's walkthrough (scripts/api_walkthrough.py) against real servers: the embedded
one-command app, and daphne + a separate qcluster on PostgreSQL and Redis."""

from __future__ import annotations

import importlib.util
import os

import pytest

from tests.support.processes import ROOT, QCluster, free_port, serve_http, stop_process, worker_env

pytestmark = pytest.mark.slow


def walkthrough():
    spec = importlib.util.spec_from_file_location("api_walkthrough", ROOT / "scripts" / "api_walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(outcome: dict) -> None:
    assert outcome["regular_status"] == "READY_FOR_PIPELINE_EXECUTION"
    assert outcome["suggestions_after_last_upload_s"] <= 5
    assert outcome["guest_events"][-1] == "batch.essays.ready"


def test_walkthrough_on_the_embedded_default(tmp_path):
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "HULEEDU_TASKS_INLINE"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    server = serve_http(["manage.py", "serve", "--port", str(port)], env, port, tmp_path / "serve.log")
    try:
        check(walkthrough().run(f"http://127.0.0.1:{port}", "demo", "demo"))
    finally:
        stop_process(server)


@pytest.mark.django_db(transaction=True)
def test_walkthrough_on_postgres_redis_with_a_separate_qcluster(tmp_path, make_teacher):
    make_teacher("integrator")
    port = free_port()
    server = serve_http(
        ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "huleedu.asgi:application"],
        worker_env(),
        port,
        tmp_path / "daphne.log",
    )
    worker = QCluster(tmp_path / "qcluster.log").start()
    try:
        check(walkthrough().run(f"http://127.0.0.1:{port}", "integrator", "pw-integrator"))
    finally:
        worker.stop()
        stop_process(server)
