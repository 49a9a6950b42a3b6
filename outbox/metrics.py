"""The outbox's metrics: events committed, and the undelivered backlog read at scrape time."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from huleedu.metrics import scrape_time_register, when_committed

EVENTS_RECORDED = Counter(
    "huleedu_events_recorded_total", "Outbox events committed, by event type.", ["event_type"]
)


def event_recorded(event_type: str) -> None:
    when_committed(lambda: EVENTS_RECORDED.labels(event_type).inc())


def undelivered_backlog() -> list[GaugeMetricFamily]:
    from django.db.models import Count, Min
    from django.utils import timezone

    from outbox.models import BatchEvent

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


def scrape_time_collector_register() -> None:
    scrape_time_register("outbox", undelivered_backlog)
