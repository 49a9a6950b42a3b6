"""The load benchmarks themselves, small: they must keep working, and what they report must
mean something.

Three teachers at human pace through the whole stack the benchmark starts (its own PostgreSQL
database, a Redis db of its own, two gunicorn web processes, the WebSocket's daphne and one
qcluster process on free loopback ports),
and the request-cost benchmark with five requests of each kind. Timing is not asserted here:
figures come from running the benchmarks, not from a test.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.parallel import bench_redis_url

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "load" / "run_load.py"

pytestmark = pytest.mark.slow


def free_ports(count: int) -> int:
    """A port p such that p ... p + count - 1 are free now (the web processes and the
    WebSocket's daphne after them)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if all(_free(port + offset) for offset in range(1, count)):
            return port
    raise RuntimeError(f"no {count} adjacent free ports")


def _free(port: int) -> bool:
    with socket.socket() as neighbour:
        try:
            neighbour.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class Stores:
    """Where the benchmark may create its database and flush a Redis db: the servers the test
    run uses, with a maintenance database to create it from."""

    postgres_url: str
    database: str  # dropped and created afresh by the benchmark
    redis_url: str  # flushed by the benchmark

    def args(self) -> list[str]:
        return ["--postgres-url", self.postgres_url, "--database", self.database,
                "--redis-url", self.redis_url]


@pytest.fixture
def stores(django_db_setup: None) -> Stores:
    """A database and a Redis db nobody else uses, also when tests run in parallel: named after
    this worker's test database (pytest-django names it per worker), and the Redis db eight
    above this worker's own (tests/support/parallel.py)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL:
        pytest.skip("the load benchmark runs on PostgreSQL and Redis")
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    postgres = f"postgres://{user}{password}@{host}:{port}/postgres"
    return Stores(postgres, f"{database['NAME']}_bench", bench_redis_url(settings.REDIS_URL))


def test_three_teachers_at_human_pace_reach_ready_with_a_clean_verdict(tmp_path: Path,
                                                                      stores: Stores) -> None:
    report_path = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--batches", "3", "--qclusters", "1", "--ramp-seconds", "2",
         "--review-seconds", "2", "--think-seconds", "0.1,0.3", "--glance-seconds", "0.2,0.5",
         *stores.args(),
         "--first-port", str(free_ports(3)),
         "--max-seconds", "240", "--json-out", str(report_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=420,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "VERDICT: OK" in run.stdout
    report = json.loads(report_path.read_text())

    database = report["database"]
    assert database["batches"] == 4  # three teachers and the one measured alone afterwards
    assert database["batch_statuses"] == {"READY_FOR_PIPELINE_EXECUTION": 4}
    assert database["lost_essays"] == database["duplicated_essays"] == 0
    assert database["wrong_attributions"] == 0
    assert database["associations_by_method"] == {"human": 4 * 30}
    assert report["errors"]["http"] == 0 and report["errors"]["teacher_flows_failed"] == 0

    latencies = report["client_latency_ms"]
    assert latencies["upload"]["n"] == 3 * 3 and latencies["bulk_confirm"]["n"] == 3
    assert latencies["decision_at_rest"]["n"] == 30
    loop_lag = report["client_loop_lag_ms"]
    assert loop_lag["n"] > 0 and 0 <= loop_lag["p50"] <= loop_lag["p95"] <= loop_lag["max"]
    assert report["config"]["pace"]["ramp_seconds"] == 2.0
    assert report["config"]["pace"]["glance_seconds"] == [0.2, 0.5]
    assert 1 <= report["peak_open_batches"] <= 4
    assert {"web", "ws", "qcluster", "postgres"} <= {
        key.removesuffix("_cpu_seconds") for key in report["cpu"] if key.endswith("_cpu_seconds")}
    assert report["matching_job_seconds"]["initiated_to_suggestions"]["n"] == 4


def test_request_cost_reports_every_kind_of_request(tmp_path: Path, stores: Stores) -> None:
    # /proc counts CPU in 10 ms ticks: 5 health checks of ~2 ms each can read as 0 or 20 ms.
    # 40 requests of each kind put even the cheapest over several ticks.
    repeat = 40
    report_path = tmp_path / "cost.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "request_cost.py"), "--repeat", str(repeat),
         *stores.args(), "--port", str(free_ports(2)), "--json-out", str(report_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert set(report["kinds"]) == {"healthz", "poll", "decision", "list_essays"}
    for kind, row in report["kinds"].items():
        assert row["n"] == repeat, kind
        assert row["web_cpu_ms"] >= row["web_cpu_resolution_ms"] > 0, (kind, row)
        assert 0 < row["p50_ms"] <= row["p99_ms"], (kind, row)
    assert "web CPU ms" in run.stdout and "gunicorn" in run.stdout


def test_request_cost_beside_essay_lists_reports_latency_but_not_cpu(tmp_path: Path,
                                                                    stores: Stores) -> None:
    report_path = tmp_path / "beside.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "request_cost.py"), "--repeat", "10",
         "--kinds", "decision", "--beside-lists", "2",
         *stores.args(), "--port", str(free_ports(2)), "--json-out", str(report_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["beside_lists"] == 2 and set(report["kinds"]) == {"decision"}
    decision = report["kinds"]["decision"]
    assert decision["n"] == 10 and decision["web_cpu_ms"] is None  # the lists' CPU is in the web's too
    assert 0 < decision["p50_ms"] <= decision["p99_ms"]
    assert "beside 2 clients fetching essay lists" in run.stdout
