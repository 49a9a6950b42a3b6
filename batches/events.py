"""Writing and delivering outbox events.

``event_record`` writes the row inside the caller's transaction and schedules delivery on
commit. ``event_deliver`` runs the handlers of one event (each at most once, keyed by
handler + event id), pushes the live notification, and marks the event delivered.
``events_relay`` hands out again whatever was committed but never delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from batches.models import Batch, BatchEvent, ProcessedEvent
from huleedu import metrics, tracing
from huleedu.correlation import bound
from huleedu.tasks import enqueue_now, enqueue_on_commit

logger = logging.getLogger(__name__)

DELIVER_TASK = "batches.tasks.deliver_event"

# Event type → the services that act on it (dotted paths: the apps import each other lazily).
HANDLERS: dict[str, tuple[str, ...]] = {
    "batch.content.provisioning.completed": ("batches.services.batch_route_after_content",),
    "batch.student.matching.initiate.command": ("matching.services.matching_request",),
    "batch.student.matching.requested": ("matching.services.matching_run",),
    "essay.added.late": ("matching.services.matching_match_new_essays",),
    "batch.student.rematch.requested": ("matching.services.matching_rematch_run",),
}

# Event type → what runs instead once its handlers have failed their last attempt, so that a
# batch never waits forever for work that keeps failing (matching: the teacher decides by hand).
FALLBACKS: dict[str, str] = {
    "batch.student.matching.requested": "matching.services.matching_give_up",
    "essay.added.late": "matching.services.matching_give_up",
}


def event_record(batch: Batch, event_type: str, payload: dict[str, Any] | None = None) -> BatchEvent:
    """Write an event in the current transaction; it is delivered once that commits."""
    return events_record(batch, [(event_type, payload or {})])[0]


def events_record(batch: Batch, events: Sequence[tuple[str, dict[str, Any]]]) -> list[BatchEvent]:
    """Write events (type, payload) in the current transaction, in one INSERT, in this order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events are written in the transaction of the change they report")
    recorded = BatchEvent.objects.bulk_create([
        BatchEvent(batch=batch, event_type=event_type, correlation_id=batch.correlation_id, payload=payload)
        for event_type, payload in events
    ])
    for event in recorded:
        logger.info(
            "event recorded",
            extra={"event_type": event.event_type, "event_id": str(event.event_id),
                   "batch_id": str(batch.id), "correlation_id": batch.correlation_id},
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
        if HANDLERS.get(event.event_type):
            enqueue_on_commit(DELIVER_TASK, event.sequence, task_name=f"{event.event_type}:{event.event_id}")
        else:
            informing.append(event)
    if informing:
        transaction.on_commit(lambda: _inform_quietly(informing))


def _inform_quietly(events: list[BatchEvent]) -> None:
    try:
        events_inform(events)
    except Exception:  # the change is committed; the relay delivers the events later
        logger.exception("event delivery failed; the outbox relay will retry",
                         extra={"sequences": [event.sequence for event in events]})


def events_inform(events: list[BatchEvent]) -> None:
    """Finish delivering events whose handlers (if any) have run: mark them delivered, push them.

    One UPDATE marks them all, and only those it marked are pushed: of two deliveries of one
    event (the committing process and a relayed copy) only one pushes. The pushes do not wait
    (batches.notifications).
    """
    from batches.notifications import notify_event

    marked = _mark_delivered([event.sequence for event in events])
    for event in events:
        if event.sequence in marked:
            # An event with handlers is already inside its delivery span (event_deliver).
            traced = nullcontext() if HANDLERS.get(event.event_type) else tracing.event_delivery_span(event)
            with traced, bound(event.correlation_id, str(event.batch_id)):
                notify_event(event)


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


def _resolve(path: str) -> Callable[[BatchEvent], None]:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def event_run_handler_once(event: BatchEvent, handler_path: str) -> bool:
    """Run one handler for one event unless it already ran; True if it ran now."""
    handler = _resolve(handler_path)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(handler=handler_path, event=event)
        except IntegrityError:
            return False
        handler(event)
    return True


def event_deliver(sequence: int) -> None:
    event = BatchEvent.objects.select_related("batch").filter(sequence=sequence).first()
    if event is None or event.delivered_at is not None:
        return
    attempt = event.delivery_attempts + 1
    with tracing.event_delivery_span(event, in_task=True), bound(event.correlation_id, str(event.batch_id)):
        BatchEvent.objects.filter(sequence=sequence).update(delivery_attempts=attempt)
        try:
            for handler_path in HANDLERS.get(event.event_type, ()):
                event_run_handler_once(event, handler_path)
        except Exception:
            fallback = FALLBACKS.get(event.event_type)
            if fallback is None or attempt < settings.MATCHING_MAX_ATTEMPTS:
                raise
            logger.exception("event handler failed its last attempt; running its fallback",
                             extra={"event_type": event.event_type, "attempt": attempt})
            event_run_handler_once(event, fallback)
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
