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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
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
HTTP_SECONDS = (0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5,
                1.0, 2.5, 5.0, 10.0, 30.0)
# Background work: from a few milliseconds (event delivery) to a task timeout (minutes).
TASK_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# Waiting for a worker: near zero normally, tens of minutes behind a burst of uploads.
QUEUE_WAIT_SECONDS = (*TASK_SECONDS, 600.0, 1200.0, 1800.0, 3600.0, 7200.0)
# The original design's buckets, exactly (its dashboards and alerts are written against them).
DESIGN_MATCHING_SECONDS = (60, 300, 3600, 21600, 86400)  # initiation → confirmation: 1m … 24h
DESIGN_BATCH_SIZE = (1, 5, 10, 20, 30, 50, 100)
DESIGN_BATCH_PROCESSING_SECONDS = (1, 5, 10, 30, 60, 120)
DESIGN_CONFIDENCE = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
# The design names no buckets for one essay's cue extraction: it takes tens of microseconds to
# a few milliseconds per essay and strategy.
EXTRACTION_SECONDS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)

# --- the original design's Phase 1 metrics (names, labels and buckets as it names them) ----------

# Label values known in advance are created at import, so every series is scraped (at 0) from
# the start: ``rate()`` and the alerts see a zero instead of "no data".
BATCH_TYPES = ("REGULAR", "GUEST")
VALIDATION_METHODS = ("human", "timeout", "auto")
OUTCOMES = ("matched", "no_match", "error")
ERROR_TYPES = ("roster_not_found", "content_fetch_failed", "timeout")
EXTRACTION_STRATEGIES = ("text", "filename")

STUDENT_MATCHING_INITIATED = Counter(
    "nlp_phase1_student_matching_initiated_total",
    "Student matching phases initiated (a REGULAR batch's content provisioned), by batch type.",
    ["batch_type"],
)
ASSOCIATIONS_CONFIRMED = Counter(
    "nlp_phase1_associations_confirmed_total",
    "Essay-student associations confirmed with their batch, by validation method (human, timeout, auto).",
    ["validation_method"],
)
MATCHING_DURATION_SECONDS = Histogram(
    "nlp_phase1_matching_duration_seconds",
    "From matching initiation to the batch's associations being confirmed.",
    buckets=DESIGN_MATCHING_SECONDS,
)
BATCH_SIZE = Histogram(
    "nlp_phase1_batch_size",
    "Essays a batch's matching run actually matched (provisioned essays handed to the engine).",
    buckets=DESIGN_BATCH_SIZE,
)
BATCH_PROCESSING_SECONDS = Histogram(
    "nlp_phase1_batch_processing_seconds",
    "One batch's whole matching run: lock, read essays and roster, run the engine, store suggestions.",
    buckets=DESIGN_BATCH_PROCESSING_SECONDS,
)
EXTRACTION_DURATION_SECONDS = Histogram(
    "nlp_extraction_duration_seconds",
    "Cue extraction of one essay, by strategy (text: headers, labels, signatures, e-mails; filename).",
    ["strategy_name"], buckets=EXTRACTION_SECONDS,
)
MATCH_CONFIDENCE = Histogram(
    "nlp_match_confidence_score",
    "Confidence of each matched essay's top suggestion.",
    buckets=DESIGN_CONFIDENCE,
)
BATCH_MATCH_OUTCOMES = Counter(
    "nlp_phase1_batch_match_outcomes_total",
    "Essays by matching outcome: matched (a suggestion), no_match (none), error (could not be matched).",
    ["outcome"],
)
BATCH_ERRORS = Counter(
    "nlp_phase1_batch_errors_total",
    "Matching errors by type: roster_not_found (a batch's class has no students), content_fetch_failed "
    "(an essay whose text could not be read), timeout (matching gave up after its last attempt).",
    ["error_type"],
)

for _batch_type in BATCH_TYPES:
    STUDENT_MATCHING_INITIATED.labels(_batch_type)
for _method in VALIDATION_METHODS:
    ASSOCIATIONS_CONFIRMED.labels(_method)
for _outcome in OUTCOMES:
    BATCH_MATCH_OUTCOMES.labels(_outcome)
for _error_type in ERROR_TYPES:
    BATCH_ERRORS.labels(_error_type)
for _strategy in EXTRACTION_STRATEGIES:
    EXTRACTION_DURATION_SECONDS.labels(_strategy)

# --- the product's own series (what the design does not cover) ----------------------------------

BATCHES_REGISTERED = Counter(
    "huleedu_batches_registered_total", "Batches registered.", ["batch_type"]
)
EVENTS_RECORDED = Counter(
    "huleedu_events_recorded_total", "Outbox events committed, by event type.", ["event_type"]
)
MATCHING_SKIPPED = Counter(
    "huleedu_matching_skipped_total",
    "REGULAR batches that went to validation without automatic matching, by reason "
    "(kill_switch: BOS_STUDENT_MATCHING_ENABLED=false; rollout: the class is switched off).",
    ["reason"],
)
MATCHING_ENGINE_SECONDS = Histogram(
    "huleedu_matching_engine_duration_seconds",
    "The pure matching engine's call for one batch (cue extraction and scoring).",
    buckets=TASK_SECONDS,
)
MATCH_CUES = Counter(
    "huleedu_match_cues_total",
    "Cue kinds in the evidence of top suggestions (header_label, email, filename, ...).",
    ["kind"],
)
TEXT_EXTRACTION_SECONDS = Histogram(
    "huleedu_text_extraction_duration_seconds",
    "Text extraction of one uploaded file, by file format and outcome (ok or the failure code).",
    ["file_format", "outcome"], buckets=HTTP_SECONDS,
)
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
    "huleedu_http_requests_total", "HTTP requests, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "huleedu_http_request_duration_seconds", "HTTP request latency, by route name and method.",
    ["route", "method"], buckets=HTTP_SECONDS,
)
# Where a request's time went: its thread's CPU, and the wait for answers from the database.
# What is left of the duration is the wait for a core or for the process's GIL.
HTTP_REQUEST_CPU_SECONDS = Histogram(
    "huleedu_http_request_cpu_seconds",
    "CPU time of the thread serving an HTTP request, by route name and method.",
    ["route", "method"], buckets=HTTP_SECONDS,
)
HTTP_REQUEST_DATABASE_WAIT_SECONDS = Histogram(
    "huleedu_http_request_database_wait_seconds",
    "Time an HTTP request waited for database statements to be answered (their wall time "
    "less the request thread's CPU in them), by route name and method.",
    ["route", "method"], buckets=HTTP_SECONDS,
)
HTTP_DATABASE_STATEMENTS = Counter(
    "huleedu_http_database_statements_total",
    "Database statements (round trips) made while serving HTTP requests, by route name and method.",
    ["route", "method"],
)
TASK_SECONDS_HISTOGRAM = Histogram(
    "huleedu_task_duration_seconds", "django-q2 task execution time, by task function and outcome.",
    ["task", "outcome"], buckets=TASK_SECONDS,
)
TASK_QUEUE_WAIT_SECONDS = Histogram(
    "huleedu_task_queue_wait_seconds", "From enqueue to the start of execution, by task function.",
    ["task"], buckets=QUEUE_WAIT_SECONDS,
)
TASK_FAILURES = Counter(
    "huleedu_task_failures_total", "django-q2 tasks that raised or timed out, by task function.",
    ["task"],
)

# --- recording functions (called from services) -------------------------------------------------


def _when_committed(record: Callable[[], None]) -> None:
    """Count a fact only once the transaction that makes it true commits (at once outside one)."""
    transaction.on_commit(record, robust=True)


def batch_registered(*, batch_type: str) -> None:
    _when_committed(lambda: BATCHES_REGISTERED.labels(batch_type).inc())


def event_recorded(event_type: str) -> None:
    _when_committed(lambda: EVENTS_RECORDED.labels(event_type).inc())


def matching_initiated(*, batch_type: str) -> None:
    _when_committed(lambda: STUDENT_MATCHING_INITIATED.labels(batch_type).inc())


def matching_skipped(*, reason: str) -> None:
    _when_committed(lambda: MATCHING_SKIPPED.labels(reason).inc())


def matching_errors(*, error_type: str, count: int = 1) -> None:
    if count > 0:
        _when_committed(lambda: BATCH_ERRORS.labels(error_type).inc(count))


@contextmanager
def matching_engine_timer() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        MATCHING_ENGINE_SECONDS.observe(time.perf_counter() - started)


def extraction_timed(*, strategy_name: str, seconds: Iterable[float]) -> None:
    """Each essay's extraction time by one strategy (a measurement: recorded as it ends)."""
    histogram = EXTRACTION_DURATION_SECONDS.labels(strategy_name)
    for value in seconds:
        histogram.observe(value)


def batch_processed(*, duration_seconds: float, essays_matched: int) -> None:
    """A batch's first matching run committed: its size (essays matched) and how long it took."""
    def record() -> None:
        BATCH_PROCESSING_SECONDS.observe(duration_seconds)
        BATCH_SIZE.observe(essays_matched)

    _when_committed(record)


def essays_matched(
    *,
    matched: int,
    no_match: int,
    error: int,
    top_suggestions: Iterable[tuple[float, Iterable[str]]],
) -> None:
    """Outcomes of essays matched for the first time (a batch's first run, late essays).

    ``top_suggestions``: per matched essay, its top suggestion's confidence and evidence kinds.
    """
    top = [(confidence, tuple(kinds)) for confidence, kinds in top_suggestions]

    def record() -> None:
        for outcome, count in (("matched", matched), ("no_match", no_match), ("error", error)):
            if count:
                BATCH_MATCH_OUTCOMES.labels(outcome).inc(count)
        for confidence, kinds in top:
            MATCH_CONFIDENCE.observe(confidence)
            for kind in set(kinds):
                MATCH_CUES.labels(kind).inc()

    _when_committed(record)


class text_extraction_timer:  # lowercase: it reads like a function, ``with text_extraction_timer(fmt):``
    """Time one file's extraction; the outcome is ``ok`` or the raised failure's ``code``.

    A class rather than ``@contextmanager``: the generator form re-raises by assigning the
    exception's ``__traceback__``, which frozen-dataclass exceptions (ExtractionFailure) refuse.
    """

    def __init__(self, file_format: str) -> None:
        # Unknown extensions share one series: a label per typo would grow without bound.
        self.file_format = file_format if file_format in ("txt", "docx", "pdf") else "other"

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        outcome = "ok" if exc is None else str(getattr(exc, "code", "") or "error")
        TEXT_EXTRACTION_SECONDS.labels(self.file_format, outcome).observe(time.perf_counter() - self.started)
        return False  # never swallow the exception


def associations_confirmed(
    *,
    by_method: Mapping[str, int],
    matching_requested_at: datetime | None,
    confirmed_at: datetime,
) -> None:
    def record() -> None:
        for method, count in by_method.items():
            ASSOCIATIONS_CONFIRMED.labels(method).inc(count)
        if matching_requested_at is not None:
            elapsed = (confirmed_at - matching_requested_at).total_seconds()
            MATCHING_DURATION_SECONDS.observe(max(0.0, elapsed))

    _when_committed(record)


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


class ScrapeTimeCollector:
    """Backlogs read when Prometheus scrapes: the same answer from every process.

    Each figure is a cheap indexed count. A figure whose source is down is left out (its
    absence is the signal; ``/readyz`` names the broken dependency) rather than failing the
    whole scrape.
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._safely("task queue", self._task_queue)
        yield from self._safely("outbox", self._outbox)
        yield from self._safely("validation deadlines", self._overdue_validations)

    @staticmethod
    def _safely(what: str, read: Callable[[], list[GaugeMetricFamily]]) -> list[GaugeMetricFamily]:
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

    @staticmethod
    def _outbox() -> list[GaugeMetricFamily]:
        from django.db.models import Count, Min
        from django.utils import timezone

        from batches.models import BatchEvent

        backlog = BatchEvent.objects.filter(delivered_at__isnull=True).aggregate(
            count=Count("sequence"), oldest=Min("created_at")
        )
        undelivered = GaugeMetricFamily(
            "huleedu_outbox_undelivered_events", "Committed outbox events not delivered yet."
        )
        undelivered.add_metric([], float(backlog["count"]))
        oldest = GaugeMetricFamily(
            "huleedu_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered outbox event (0 when none).",
        )
        age = (timezone.now() - backlog["oldest"]).total_seconds() if backlog["oldest"] else 0.0
        oldest.add_metric([], max(0.0, age))
        return [undelivered, oldest]

    @staticmethod
    def _overdue_validations() -> list[GaugeMetricFamily]:
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone

        from batches.models import Batch, BatchStatus

        # The timeout job runs every check interval (a minute by default); five intervals past
        # the deadline (at least five minutes) means it is stuck.
        late = timedelta(minutes=5 * max(1, settings.VALIDATION_CHECK_INTERVAL_MINUTES))
        overdue = Batch.objects.filter(
            status=BatchStatus.AWAITING_STUDENT_VALIDATION,
            validation_deadline__lt=timezone.now() - late,
        ).count()
        gauge = GaugeMetricFamily(
            "huleedu_batches_overdue_validation",
            "Batches still awaiting validation five check intervals (at least 5 min) after their deadline.",
        )
        gauge.add_metric([], float(overdue))
        return [gauge]


_SCRAPE_TIME_REGISTRY = CollectorRegistry(auto_describe=False)
_SCRAPE_TIME_REGISTRY.register(ScrapeTimeCollector())


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
