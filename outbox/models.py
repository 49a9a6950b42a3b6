"""The transactional outbox: events written with the change they report, delivered after commit."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from outbox.types import ONCE_PER_BATCH, ONCE_PER_PASS, EventType


class BatchEvent(models.Model):
    """The outbox, and the batch's timeline and audit trail.

    A row is written in the same transaction as the state change it reports; delivery (the
    follow-up task and the live notification) happens after commit and is retried by the relay
    until ``delivered_at`` is set. The batch is named by reference, not imported: the outbox
    serves the domain apps and depends on none of them.
    """

    sequence = models.BigAutoField(primary_key=True, verbose_name=_("sequence"))
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("event id"))
    batch = models.ForeignKey(
        "batches.Batch", on_delete=models.CASCADE, related_name="events", verbose_name=_("batch")
    )
    event_type = models.CharField(max_length=80, choices=EventType.choices, verbose_name=_("event type"))
    correlation_id = models.CharField(max_length=64, verbose_name=_("correlation id"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    delivery_attempts = models.PositiveIntegerField(default=0, verbose_name=_("delivery attempts"))
    relayed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("relayed at"))

    class Meta:
        db_table = "batches_batchevent"  # the table predates this app
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["batch", "sequence"], name="batches_bat_batch_i_1a8a31_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="event_undelivered_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "event_type"],
                condition=models.Q(event_type__in=ONCE_PER_BATCH),
                name="event_once_per_batch",
            ),
            models.UniqueConstraint(
                "batch",
                "event_type",
                KT("payload__pass"),
                condition=models.Q(event_type__in=ONCE_PER_PASS),
                name="event_once_per_validation_pass",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.event_type}"


class ProcessedEvent(models.Model):
    """Idempotency keys of event handlers: (handler, event) runs at most once."""

    handler = models.CharField(max_length=120, verbose_name=_("handler"))
    event = models.ForeignKey(BatchEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    processed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("processed at"))

    class Meta:
        db_table = "batches_processedevent"
        constraints = [
            models.UniqueConstraint(fields=["handler", "event"], name="handler_runs_once_per_event")
        ]
