"""Load-balancer probes: /healthz says the process is up, /readyz names what is down."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client, override_settings

from huleedu import health

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on: bind one, and let it go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_cluster(monkeypatch):
    """A qcluster heartbeat as django-q2 reports it, without starting a cluster."""
    heartbeat = [SimpleNamespace(workers=[1, 2])]
    monkeypatch.setattr("django_q.status.Stat.get_all", staticmethod(lambda: heartbeat))


@pytest.fixture
def no_cluster(monkeypatch):
    monkeypatch.setattr("django_q.status.Stat.get_all", staticmethod(lambda: []))


def test_healthz_answers_without_login_and_touches_nothing(monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: pytest.fail("healthz must not query the database"))
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_200_when_everything_is_up(live_cluster):
    with override_settings(TASKS_INLINE=False):
        response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready" and body["failing"] == []
    expected = {"database", "task_cluster"} | ({"redis"} if settings.REDIS_URL else set())
    assert set(body["checks"]) == expected
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["task_cluster"]["detail"] == "1 cluster(s), 2 worker(s)"


def test_readyz_names_redis_when_its_port_is_closed(live_cluster):
    port = closed_port()
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0", TASKS_INLINE=False):
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis", "task_cluster"]  # the heartbeat lives in Redis
    # The public probe names the check, never the exception's text (host, port, errno).
    assert body["checks"]["redis"]["detail"] == "unavailable"
    assert str(port) not in response.content.decode()
    assert "Error" not in response.content.decode()
    assert body["checks"]["task_cluster"]["detail"] == "skipped: redis is unreachable"
    assert body["checks"]["database"]["ok"] is True


def test_readyz_names_the_task_cluster_when_no_qcluster_reported(no_cluster):
    with override_settings(TASKS_INLINE=False):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["task_cluster"]
    assert "no django-q2 cluster" in response.json()["checks"]["task_cluster"]["detail"]


def test_readyz_names_the_database_when_it_fails(monkeypatch, live_cluster):
    def database_down() -> str:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(health, "check_database", database_down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_inline_tasks_need_no_cluster(no_cluster):
    """Embedded mode runs tasks in the web process: no qcluster to wait for."""
    with override_settings(TASKS_INLINE=True, REDIS_URL=""):
        response = Client().get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database"}
