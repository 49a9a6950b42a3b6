"""Matching's metrics: the original design's ``nlp_*`` series (names, labels and buckets as it
names them) and the engine's own timings. Business facts are counted once committed."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from huleedu.metrics import TASK_SECONDS, scrape_time_register, when_committed

# The original design's buckets, exactly (its dashboards and alerts are written against them).
DESIGN_MATCHING_SECONDS = (60, 300, 3600, 21600, 86400)  # initiation → confirmation: 1m … 24h
DESIGN_BATCH_SIZE = (1, 5, 10, 20, 30, 50, 100)
DESIGN_BATCH_PROCESSING_SECONDS = (1, 5, 10, 30, 60, 120)
DESIGN_CONFIDENCE = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
# The design names no buckets for one essay's cue extraction: it takes tens of microseconds to
# a few milliseconds per essay and strategy.
EXTRACTION_SECONDS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)

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
    ["strategy_name"],
    buckets=EXTRACTION_SECONDS,
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


def matching_initiated(*, batch_type: str) -> None:
    when_committed(lambda: STUDENT_MATCHING_INITIATED.labels(batch_type).inc())


def matching_skipped(*, reason: str) -> None:
    when_committed(lambda: MATCHING_SKIPPED.labels(reason).inc())


def matching_errors(*, error_type: str, count: int = 1) -> None:
    if count > 0:
        when_committed(lambda: BATCH_ERRORS.labels(error_type).inc(count))


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

    when_committed(record)


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

    when_committed(record)


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

    when_committed(record)


def overdue_validations() -> list[GaugeMetricFamily]:
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


def engine_build() -> list[GaugeMetricFamily]:
    """Whether this machine's matching engine is the compiled one (scripts/build_engine.py):
    a plain-Python engine gives the same results at about half the speed."""
    from matching.engine import compiled

    gauge = GaugeMetricFamily(
        "huleedu_matching_engine_compiled",
        "1 when the matching engine runs compiled (mypyc), 0 when it runs as plain Python.",
    )
    gauge.add_metric([], 1.0 if compiled.is_compiled() else 0.0)
    return [gauge]


def scrape_time_collector_register() -> None:
    scrape_time_register("validation deadlines", overdue_validations)
    scrape_time_register("matching engine build", engine_build)
