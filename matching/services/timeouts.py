"""The validation deadline: what it decides, and moving it.

The batch's strategy (or the deployment's ``HULEEDU_TIMEOUT_STRATEGY``) says what happens to
the essays the teacher left undecided when the deadline passes:

* ``high_only``: a high-confidence best match is confirmed; anything else gets no student,
  flagged for the teacher;
* ``best_match``: every best match is confirmed, flagged when below high;
* ``none``: nothing is decided; the batch is marked overdue and the teacher told.

Either way a student already attributed to another essay is never given a second one, and
the teacher and the timeout race under the batch lock: first writer wins, and every decision
the timeout takes can be corrected like the teacher's own.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from batches.locks import batch_lock
from batches.models import Batch, BatchStatus, TimeoutStrategy
from matching.models import DecisionMethod, MatchLevel, StudentAssociation
from matching.services.decisions import (
    Verdict,
    associations_confirm_if_complete,
    attributed_students,
    decisions_record,
    decisions_write,
    top_suggested_students,
    undecided_locked,
)
from outbox.queue import schedule_ensure
from outbox.services import event_record
from outbox.types import EventType

logger = logging.getLogger(__name__)

S = BatchStatus


def validation_timeouts_apply(*, now: datetime | None = None) -> int:
    """Decide every batch whose validation deadline has passed. Returns how many it decided."""
    now = now or timezone.now()
    due = list(
        Batch.objects.filter(status=S.AWAITING_STUDENT_VALIDATION, validation_deadline__lte=now,
                             validation_overdue_at__isnull=True)
        .order_by("validation_deadline").values_list("id", flat=True)[:500]
    )
    return sum(1 for batch_id in due if batch_timeout_apply(batch_id=batch_id, now=now))


def batch_timeout_apply(*, batch_id: UUID, now: datetime | None = None, force: bool = False) -> bool:
    """Apply the batch's timeout strategy to what the teacher left open (see the module)."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_VALIDATION:
            return False
        if not force and (batch.validation_deadline is None or batch.validation_deadline > now):
            return False
        strategy = batch.timeout_strategy or settings.TIMEOUT_STRATEGY
        if strategy == TimeoutStrategy.NONE:
            return _mark_overdue(batch, now, force=force)
        undecided = list(undecided_locked(batch))
        best_match = strategy == TimeoutStrategy.BEST_MATCH
        verdicts = _timeout_verdicts(batch, undecided, accept_below_high=best_match)
        decisions_write(verdicts, DecisionMethod.TIMEOUT, None)
        decisions_record(batch, [v.association for v in verdicts], None)
        confirmed = sum(1 for v in verdicts if v.student_id is not None)
        event_record(batch, EventType.BATCH_VALIDATION_TIMED_OUT, {
            "deadline": batch.validation_deadline.isoformat() if batch.validation_deadline else None,
            "forced": force,
            "strategy": strategy,
            "decided": len(verdicts),
            "confirmed": confirmed,
            "confirmed_high_confidence": sum(1 for v in verdicts if v.student_id and not v.needs_attention),
            "left_without_student": len(verdicts) - confirmed,
            "flagged": sum(1 for v in verdicts if v.needs_attention),
        })
        associations_confirm_if_complete(batch)
    logger.info("validation timeout applied", extra={"batch_id": str(batch_id), "decided": len(verdicts),
                                                     "strategy": strategy})
    return True


def _timeout_verdicts(batch: Batch, undecided: list[StudentAssociation], *,
                      accept_below_high: bool) -> list[Verdict]:
    """Most confident first, so the strongest claim on a student is the one confirmed."""
    top = top_suggested_students(undecided)
    taken = set(attributed_students(batch))
    verdicts = []
    for association in sorted(undecided, key=lambda a: -a.match_confidence):
        student_id = top.get(association.essay_id)
        high = association.match_level == MatchLevel.HIGH
        if student_id is not None and student_id not in taken and (high or accept_below_high):
            taken.add(student_id)
            verdicts.append(Verdict(association, student_id, needs_attention=not high))
        else:
            verdicts.append(Verdict(association, None, needs_attention=True))
    return verdicts


def _mark_overdue(batch: Batch, now: datetime, *, force: bool) -> bool:
    if batch.validation_overdue_at is not None and not force:
        return False
    batch.validation_overdue_at = now
    batch.save(update_fields=["validation_overdue_at", "updated_at"])
    event_record(batch, EventType.BATCH_VALIDATION_OVERDUE, {
        "deadline": batch.validation_deadline.isoformat() if batch.validation_deadline else None,
        "undecided": undecided_locked(batch).count(),
        "strategy": TimeoutStrategy.NONE,
    })
    return True


def schedules_ensure() -> None:
    """The periodic job that applies validation deadlines."""
    schedule_ensure("validation-timeouts", "matching.tasks.apply_validation_timeouts",
                    every_minutes=settings.VALIDATION_CHECK_INTERVAL_MINUTES)
