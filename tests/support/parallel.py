"""Running the suite on several processes (pytest-xdist): what each worker process keeps to itself.

pytest-django gives each worker a PostgreSQL database of its own (test_<name>_gw0, ...); this
gives each one a Redis database of its own too. django-q2's queue and the channel layer's groups
live in Redis, so two workers sharing a database would run each other's tasks and hear each
other's pushes.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis' default `databases`
# A worker's own database is one of the lower eight; its load benchmark's is eight above it.
MAX_PARALLEL_WORKERS = REDIS_DATABASES // 2
_MARKER = "HULEEDU_TEST_REDIS_WORKER"


def worker_redis_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """What a worker process changes in its environment before the product's settings read it:
    REDIS_URL moved to the worker's own database, and a marker naming the worker, so the
    servers and qclusters its tests start (which inherit both) keep the URL as it is, also
    when a test gives them another Redis. Nothing outside a worker (a serial run)."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or not environ.get("REDIS_URL") or environ.get(_MARKER) == worker:
        return {}
    number = int(worker.removeprefix("gw"))
    if number >= MAX_PARALLEL_WORKERS:
        raise RuntimeError(f"at most {MAX_PARALLEL_WORKERS} test workers: each needs two of Redis' "
                           f"{REDIS_DATABASES} databases (run pytest with a smaller -n)")
    return {"REDIS_URL": redis_database_url(environ["REDIS_URL"], number), _MARKER: worker}


def bench_redis_url(redis_url: str) -> str:
    """The Redis database the load benchmark may flush: eight above the worker's own."""
    return redis_database_url(redis_url, MAX_PARALLEL_WORKERS)


def redis_database_url(redis_url: str, offset: int) -> str:
    parts = urlsplit(redis_url)
    first = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(first + offset) % REDIS_DATABASES}"))
