"""Writing and delivering outbox events.

``event_record`` writes the row inside the caller's transaction and schedules delivery on
commit. ``event_deliver`` runs the handlers of one event (each at most once, keyed by
handler + event id), calls the delivered callbacks (the live push), and marks the event
delivered. ``events_relay`` hands out again whatever was committed but never delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from huleedu import tracing
from huleedu.correlation import bound
from outbox import metrics
from outbox.models import BatchEvent, ProcessedEvent
from outbox.queue import enqueue_now, enqueue_on_commit, schedule_ensure
from outbox.registry import EventHandler, delivered_callbacks, handler_key, handling_of, starts_work
from outbox.types import EventType

logger = logging.getLogger(__name__)

DELIVER_TASK = "outbox.tasks.deliver_event"


def event_record(
    batch: models.Model, event_type: EventType, payload: dict[str, Any] | None = None
) -> BatchEvent:
    """Write an event in the current transaction; it is delivered once that commits."""
    return events_record(batch, [(event_type, payload or {})])[0]


def events_record(
    batch: models.Model, events: Sequence[tuple[EventType, dict[str, Any]]]
) -> list[BatchEvent]:
    """Write events (type, payload) of one batch in the current transaction, in one INSERT, in order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events are written in the transaction of the change they report")
    correlation_id = batch.correlation_id  # type: ignore[attr-defined]
    recorded = BatchEvent.objects.bulk_create(
        [
            BatchEvent(
                batch=batch, event_type=EventType(event_type), correlation_id=correlation_id, payload=payload
            )
            for event_type, payload in events
        ]
    )
    for event in recorded:
        logger.info(
            "event recorded",
            extra={
                "event_type": event.event_type,
                "event_id": str(event.event_id),
                "batch_id": str(batch.pk),
                "correlation_id": correlation_id,
            },
        )
        metrics.event_recorded(event.event_type)
    _schedule_delivery(recorded)
    return recorded


def _schedule_delivery(events: list[BatchEvent]) -> None:
    """After commit: events that start work go through the task queue; events that only
    inform (the live notification and the delivered mark) are delivered right away by the
    committing process. A queue round trip for every uploaded essay or decision would only
    add load and latency; if this process dies first, the relay delivers them."""
    informing = []
    for event in events:
        if starts_work(event.event_type):
            enqueue_on_commit(DELIVER_TASK, event.sequence, task_name=f"{event.event_type}:{event.event_id}")
        else:
            informing.append(event)
    if informing:
        transaction.on_commit(lambda: _inform_quietly(informing))


def _inform_quietly(events: list[BatchEvent]) -> None:
    try:
        events_inform(events)
    except Exception:  # the change is committed; the relay delivers the events later
        logger.exception(
            "event delivery failed; the outbox relay will retry",
            extra={"sequences": [event.sequence for event in events]},
        )


def events_inform(events: list[BatchEvent]) -> None:
    """Finish delivering events whose handlers (if any) have run: mark them delivered, call the
    delivered callbacks. One UPDATE marks them all, and only those it marked are passed on: of
    two deliveries of one event (the committing process and a relayed copy) only one informs."""
    marked = _mark_delivered([event.sequence for event in events])
    for event in events:
        if event.sequence not in marked:
            continue
        # An event with handlers is already inside its delivery span (event_deliver).
        traced = nullcontext() if starts_work(event.event_type) else tracing.event_delivery_span(event)
        with traced, bound(event.correlation_id, str(event.batch_id)):
            for callback in delivered_callbacks():
                callback(event)


def _mark_delivered(sequences: list[int]) -> set[int]:
    """Set delivered_at on those of these events not delivered yet; return which they were.
    Raw SQL for UPDATE ... RETURNING, which the ORM has no form for (PostgreSQL and SQLite)."""
    placeholders = ", ".join(["%s"] * len(sequences))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {BatchEvent._meta.db_table} SET delivered_at = %s "
            f"WHERE sequence IN ({placeholders}) AND delivered_at IS NULL RETURNING sequence",
            [connection.ops.adapt_datetimefield_value(timezone.now()), *sequences],
        )
        return {row[0] for row in cursor.fetchall()}


def event_run_handler_once(event: BatchEvent, handler: EventHandler) -> bool:
    """Run one handler for one event unless it already ran; True if it ran now."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(handler=handler_key(handler), event=event)
        except IntegrityError:
            return False
        handler(event)
    return True


def event_deliver(sequence: int) -> None:
    event = BatchEvent.objects.select_related("batch").filter(sequence=sequence).first()
    if event is None or event.delivered_at is not None:
        return
    attempt = event.delivery_attempts + 1
    handling = handling_of(event.event_type)
    with tracing.event_delivery_span(event, in_task=True), bound(event.correlation_id, str(event.batch_id)):
        BatchEvent.objects.filter(sequence=sequence).update(delivery_attempts=attempt)
        try:
            for handler in handling.handlers:
                event_run_handler_once(event, handler)
        except Exception:
            if handling.fallback is None or attempt < handling.attempts():
                raise
            logger.exception(
                "event handler failed its last attempt; running its fallback",
                extra={"event_type": event.event_type, "attempt": attempt},
            )
            event_run_handler_once(event, handling.fallback)
        events_inform([event])


def events_relay(*, older_than_seconds: int | None = None) -> int:
    """Re-enqueue committed events nobody delivered (crash between commit and enqueue)."""
    grace = settings.OUTBOX_RELAY_GRACE_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    # relayed_at keeps a long queue from being flooded with copies of what is still waiting in it.
    undelivered = BatchEvent.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff).filter(
        Q(relayed_at__isnull=True) | Q(relayed_at__lte=cutoff)
    )
    # An event whose handler keeps failing is parked, not retried forever: it is reported
    # here on every run until someone fixes the cause and resets its attempts (admin).
    stuck = undelivered.filter(delivery_attempts__gte=settings.OUTBOX_MAX_DELIVERY_ATTEMPTS).count()
    if stuck:
        logger.error("outbox events exceeded their delivery attempts", extra={"count": stuck})
    pending = list(
        undelivered.filter(delivery_attempts__lt=settings.OUTBOX_MAX_DELIVERY_ATTEMPTS)
        .order_by("sequence")
        .values_list("sequence", "event_type")[:1000]
    )
    BatchEvent.objects.filter(sequence__in=[sequence for sequence, _ in pending]).update(
        relayed_at=timezone.now()
    )
    for sequence, event_type in pending:
        enqueue_now(DELIVER_TASK, sequence, task_name=f"relay:{event_type}:{sequence}")
    if pending:
        logger.warning("outbox relay re-enqueued undelivered events", extra={"count": len(pending)})
    return len(pending)


def schedules_ensure() -> None:
    schedule_ensure("outbox-relay", "outbox.tasks.relay_outbox", every_minutes=1)
