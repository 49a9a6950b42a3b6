"""Prometheus metrics: their definitions, the small functions the services call, and ``/metrics``.

Two rules keep these numbers trustworthy:

* Facts are counted once they are true in the database: the recording functions for business
  facts (a batch registered, matching finished, associations confirmed) defer themselves with
  ``transaction.on_commit``, so a rolled-back transaction (a lost race, a crash half-way)
  counts nothing. Durations are measurements and are recorded when they end.
* No business logic here: callers pass plain values (counts, timestamps, labels) they already
  have. The pure matching engine never imports this module; it is timed around its call.

Several processes. daphne and ``qcluster`` are separate processes (and qcluster forks its
workers), so each keeps its own counters. Set ``PROMETHEUS_MULTIPROC_DIR`` to an empty,
writable directory shared by every HuleEdu process of one machine *before* they start:
prometheus_client then writes each process's values to files there and ``/metrics`` of any
daphne on that machine reports the sum. Empty the directory when the machine's processes are
(re)started. Without the variable (the embedded one-process mode, tests) the values live in
the process and ``/metrics`` reports them directly.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# --- buckets ------------------------------------------------------------------------------------

# Web requests: the decision target is 50 ms, so the buckets are fine below it (a request's
# CPU and database wait are a few ms each); uploads of several files take longer.
HTTP_SECONDS = (
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.025,
    0.03,
    0.04,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
# Background work: from a few milliseconds (event delivery) to a task timeout (minutes).
TASK_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# Waiting for a worker: near zero normally, tens of minutes behind a burst of uploads.
QUEUE_WAIT_SECONDS = (*TASK_SECONDS, 600.0, 1200.0, 1800.0, 3600.0, 7200.0)

# --- the serving and worker series (each domain app defines its own in its metrics.py) ----------

API_ERRORS = Counter(
    "huleedu_api_errors_total",
    "API error responses by error code (the JSON error body's code) and HTTP status.",
    ["code", "status"],
)
UNHANDLED_EXCEPTIONS = Counter(
    "huleedu_unhandled_exceptions_total",
    "Exceptions that escaped a view (HTTP 500), by exception class.",
    ["exception"],
)
HTTP_REQUESTS = Counter(
    "huleedu_http_requests_total",
    "HTTP requests, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "huleedu_http_request_duration_seconds",
    "HTTP request latency, by route name and method.",
    ["route", "method"],
    buckets=HTTP_SECONDS,
)
# Where a request's time went: its thread's CPU, and the wait for answers from the database.
# What is left of the duration is the wait for a core or for the process's GIL.
HTTP_REQUEST_CPU_SECONDS = Histogram(
    "huleedu_http_request_cpu_seconds",
    "CPU time of the thread serving an HTTP request, by route name and method.",
    ["route", "method"],
    buckets=HTTP_SECONDS,
)
HTTP_REQUEST_DATABASE_WAIT_SECONDS = Histogram(
    "huleedu_http_request_database_wait_seconds",
    "Time an HTTP request waited for database statements to be answered (their wall time "
    "less the request thread's CPU in them), by route name and method.",
    ["route", "method"],
    buckets=HTTP_SECONDS,
)
HTTP_DATABASE_STATEMENTS = Counter(
    "huleedu_http_database_statements_total",
    "Database statements (round trips) made while serving HTTP requests, by route name and method.",
    ["route", "method"],
)
TASK_SECONDS_HISTOGRAM = Histogram(
    "huleedu_task_duration_seconds",
    "django-q2 task execution time, by task function and outcome.",
    ["task", "outcome"],
    buckets=TASK_SECONDS,
)
TASK_QUEUE_WAIT_SECONDS = Histogram(
    "huleedu_task_queue_wait_seconds",
    "From enqueue to the start of execution, by task function.",
    ["task"],
    buckets=QUEUE_WAIT_SECONDS,
)
TASK_FAILURES = Counter(
    "huleedu_task_failures_total",
    "django-q2 tasks that raised or timed out, by task function.",
    ["task"],
)

# --- recording functions (called from services) -------------------------------------------------


def when_committed(record: Callable[[], None]) -> None:
    """Count a fact only once the transaction that makes it true commits (at once outside one)."""
    transaction.on_commit(record, robust=True)


def api_error(*, code: str, status: int) -> None:
    API_ERRORS.labels(code, str(status)).inc()


# --- signal receivers (connected in HuleEduConfig.ready) ----------------------------------------

# django-q2 runs one task at a time per worker process; the start time waits here for the end.
_task_started: dict[str, float] = {}


def _task_label(task: Mapping[str, Any]) -> str:
    func = task.get("func")
    return func if isinstance(func, str) else getattr(func, "__qualname__", "unknown")


def on_task_pre_execute(sender: object, func: object, task: dict[str, Any], **_: Any) -> None:
    _task_started[str(task.get("id"))] = time.perf_counter()
    enqueued_at = task.get("started")  # django-q2 stamps "started" when the task is enqueued
    if isinstance(enqueued_at, datetime):
        from django.utils import timezone

        wait = (timezone.now() - enqueued_at).total_seconds()
        TASK_QUEUE_WAIT_SECONDS.labels(_task_label(task)).observe(max(0.0, wait))


def on_task_executed(sender: object, task: dict[str, Any], **_: Any) -> None:
    started = _task_started.pop(str(task.get("id")), None)
    # Inline (sync) tasks that raise reach this signal before django-q2 sets "success".
    succeeded = bool(task.get("success", False))
    label = _task_label(task)
    if started is not None:
        TASK_SECONDS_HISTOGRAM.labels(label, "success" if succeeded else "failure").observe(
            time.perf_counter() - started
        )
    if not succeeded:
        TASK_FAILURES.labels(label).inc()


def on_unhandled_exception(sender: object, request: HttpRequest | None = None, **_: Any) -> None:
    import sys

    exc = sys.exc_info()[1]
    UNHANDLED_EXCEPTIONS.labels(type(exc).__name__ if exc else "unknown").inc()


def connect_signal_receivers() -> None:
    from django.core.signals import got_request_exception
    from django_q.signals import post_execute_in_worker, pre_execute

    pre_execute.connect(on_task_pre_execute, dispatch_uid="huleedu.metrics.task_pre_execute")
    post_execute_in_worker.connect(on_task_executed, dispatch_uid="huleedu.metrics.task_executed")
    got_request_exception.connect(on_unhandled_exception, dispatch_uid="huleedu.metrics.unhandled")


# --- HTTP figures --------------------------------------------------------------------------------

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetricsMiddleware:
    """Counts and times every request by its route *name*, never its path.

    Paths carry ids, and a label per batch id would grow without bound; requests that match
    no route are one ``unmatched`` series. Put it first in MIDDLEWARE to time the whole stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = _StatementTimer()
        started, cpu_started = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(statements):
            response = self.get_response(request)
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route) if match else "unmatched"
        method = request.method if request.method in _KNOWN_METHODS else "other"
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        HTTP_REQUEST_SECONDS.labels(route, method).observe(elapsed)
        HTTP_REQUEST_CPU_SECONDS.labels(route, method).observe(cpu)
        HTTP_REQUEST_DATABASE_WAIT_SECONDS.labels(route, method).observe(statements.waited)
        if statements.count:
            HTTP_DATABASE_STATEMENTS.labels(route, method).inc(statements.count)
        return response


class _StatementTimer:
    """An execute wrapper that counts a request's statements and adds up its wait for answers.

    A request's thread is the only one using its connection, so ``time.thread_time`` around a
    statement is the CPU spent sending it and reading its rows; the rest of its wall time the
    thread waited: for PostgreSQL, and for the GIL and a core once the answer was in.
    """

    def __init__(self) -> None:
        self.count = 0
        self.waited = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.waited += (time.perf_counter() - started) - (time.thread_time() - cpu_started)


# --- figures read at scrape time ------------------------------------------------------------------


ScrapeTimeReader = Callable[[], list[GaugeMetricFamily]]


class ScrapeTimeCollector:
    """Backlogs read when Prometheus scrapes: the same answer from every process.

    Each figure is a cheap indexed count, registered by the app that owns its table
    (``scrape_time_register`` in its ``AppConfig.ready()``). A figure whose source is down is
    left out (its absence is the signal; ``/readyz`` names the broken dependency) rather than
    failing the whole scrape.
    """

    def __init__(self) -> None:
        self.readers: dict[str, ScrapeTimeReader] = {"task queue": self._task_queue}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for what, read in list(self.readers.items()):
            yield from self._safely(what, read)

    @staticmethod
    def _safely(what: str, read: ScrapeTimeReader) -> list[GaugeMetricFamily]:
        try:
            return read()
        except Exception:
            logger.warning("metrics: could not read %s at scrape time", what, exc_info=True)
            return []

    @staticmethod
    def _task_queue() -> list[GaugeMetricFamily]:
        from django_q.brokers import get_broker

        broker = get_broker()
        queued = GaugeMetricFamily(
            "huleedu_task_queue_length", "Tasks waiting in the django-q2 broker for a worker."
        )
        queued.add_metric([], float(broker.queue_size() or 0))
        return [queued]


_SCRAPE_TIME_COLLECTOR = ScrapeTimeCollector()


def scrape_time_register(what: str, read: ScrapeTimeReader) -> None:
    """Add a figure read at scrape time (``what`` names it in the log when it cannot be read)."""
    _SCRAPE_TIME_COLLECTOR.readers[what] = read


_SCRAPE_TIME_REGISTRY = CollectorRegistry(auto_describe=False)
_SCRAPE_TIME_REGISTRY.register(_SCRAPE_TIME_COLLECTOR)


def multiprocess_enabled() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition() -> bytes:
    """Everything this machine's processes counted, plus the backlogs read now."""
    if multiprocess_enabled():
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    return generate_latest(process_registry) + generate_latest(_SCRAPE_TIME_REGISTRY)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics`` in the Prometheus text format (unauthenticated: keep it off the internet)."""
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
