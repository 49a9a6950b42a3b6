"""Load-balancer probes: ``/healthz`` (the process answers) and ``/readyz`` (it can do work).

Both are unauthenticated and cheap. ``/readyz`` checks what a request or its follow-up work
needs: the database, Redis when configured (channel layer and task broker), and a live
django-q2 cluster when tasks do not run inline. It answers 503 with a JSON body naming every
failing check, so whoever is paged can see which dependency is down without logging in; the
reason (exception text can name hosts and users) goes to the log only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# A probe must answer before the load balancer gives up on it (typically 2-5 s).
REDIS_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str
    milliseconds: float

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "ms": round(self.milliseconds, 1)}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_redis() -> str:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ping ok"


class NoLiveCluster(Exception):
    pass


def check_task_cluster() -> str:
    """A qcluster refreshes its status in the broker every few seconds and it expires soon
    after, so "a status exists" means "a cluster was alive seconds ago"."""
    from django_q.status import Stat

    clusters = Stat.get_all()
    if not clusters:
        raise NoLiveCluster("no django-q2 cluster has reported in the last few seconds")
    workers = sum(len(getattr(cluster, "workers", []) or []) for cluster in clusters)
    return f"{len(clusters)} cluster(s), {workers} worker(s)"


def readiness_checks() -> dict[str, Callable[[], str]]:
    """The checks that apply to this configuration, in dependency order."""
    checks: dict[str, Callable[[], str]] = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if not settings.TASKS_INLINE:
        checks["task_cluster"] = check_task_cluster
    return checks


def _run(check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except NoLiveCluster as exc:  # our own sentence, with nothing of the deployment in it
        detail, ok = str(exc), False
    except Exception:  # any failure of a dependency means "not ready"
        # The probe is public: it names the failing check, never the exception's text (hosts,
        # users, paths). The log has the whole story.
        logger.warning("readiness check failed", exc_info=True, extra={"check": check.__name__})
        detail = "unavailable"
        ok = False
    return CheckResult(ok, detail, (time.perf_counter() - started) * 1000)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving. Touches nothing else: restart me only if this fails."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: 200, or 503 naming the failing checks."""
    results: dict[str, CheckResult] = {}
    for name, check in readiness_checks().items():
        if name == "task_cluster" and results.get("redis") and not results["redis"].ok:
            # The cluster's heartbeat lives in Redis: with Redis down it cannot be read.
            results[name] = CheckResult(False, "skipped: redis is unreachable", 0.0)
            continue
        results[name] = _run(check)
    failing = [name for name, result in results.items() if not result.ok]
    body = {
        "status": "unavailable" if failing else "ready",
        "failing": failing,
        "checks": {name: result.as_dict() for name, result in results.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)
