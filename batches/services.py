"""Batch lifecycle: registration, state transitions, routing after content, pipeline request."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from batches import metrics
from batches.locks import batch_lock
from batches.models import OPEN_STATUSES, Batch, BatchStatus
from classroster.models import SchoolClass
from huleedu.correlation import clean_correlation_id, get_correlation_id
from huleedu.errors import DomainError
from outbox.services import event_record, events_record
from outbox.types import EventType

logger = logging.getLogger(__name__)

S = BatchStatus

# Timestamps stamped when a batch enters a state: the batch's own summary of its timeline.
_ENTERED_AT_FIELD = {
    S.CONTENT_PROVISIONED: "content_provisioned_at",
    S.AWAITING_STUDENT_MATCHING: "matching_requested_at",
    S.AWAITING_STUDENT_VALIDATION: "suggestions_ready_at",
    S.READY_FOR_PIPELINE_EXECUTION: "ready_at",
    S.PIPELINE_REQUESTED: "pipeline_requested_at",
    S.CANCELLED: "cancelled_at",
}


def batch_register(
    *,
    owner: AbstractBaseUser,
    course_code: str,
    expected_essay_count: int,
    school_class: SchoolClass | None = None,
    essay_instructions: str = "",
    timeout_strategy: str = "",
    auto_confirm_high: bool | None = None,
    correlation_id: str | None = None,
) -> Batch:
    maximum = settings.MAX_ESSAYS_PER_BATCH
    if not 1 <= expected_essay_count <= maximum:
        raise DomainError(
            _("The number of essays must be between 1 and %(maximum)d; split larger hand-ins into "
              "several batches of at most %(maximum)d essays.") % {"maximum": maximum},
            code="batch_too_large" if expected_essay_count > maximum else "invalid_essay_count",
            details={"expected_essay_count": expected_essay_count, "maximum": maximum},
        )
    with transaction.atomic():
        batch = Batch.objects.create(
            owner=owner,
            school_class=school_class,
            course_code=course_code,
            essay_instructions=essay_instructions,
            expected_essay_count=expected_essay_count,
            timeout_strategy=timeout_strategy,
            auto_confirm_high=auto_confirm_high if school_class is not None else None,
            correlation_id=clean_correlation_id(correlation_id or get_correlation_id()),
        )
        event_record(
            batch,
            EventType.BATCH_ESSAYS_REGISTERED,
            {
                "batch_type": batch.batch_type,
                "course_code": course_code,
                "expected_essay_count": expected_essay_count,
                "class_id": str(school_class.id) if school_class else None,
            },
        )
        metrics.batch_registered(batch_type=batch.batch_type)
    return batch


def batch_transition(batch: Batch, target: str, *, also_saving: Sequence[str] = ()) -> Batch:
    """Move a batch the caller has locked (``batch_lock``) to ``target``, or raise.

    The only place a batch's status is written. ``also_saving`` names fields the caller has
    set on the batch that belong to the same change; they are written in the same UPDATE.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("batch_transition needs the batch row locked in a transaction")
    previous = batch.status
    batch.transition_to(target)
    fields = ["status", "updated_at", *also_saving]
    stamp = _ENTERED_AT_FIELD.get(target)
    if stamp:
        setattr(batch, stamp, timezone.now())
        fields.append(stamp)
    batch.save(update_fields=fields)
    logger.info(
        "batch state changed",
        extra={"batch_id": str(batch.id), "from_status": previous, "to_status": target},
    )
    return batch


def batch_enter_ready(
    batch: Batch, *, manifest: dict[str, Any], confirmed: dict[str, Any] | None = None
) -> None:
    """A new pass ends: the batch is (again) ready, and Phase 2 gets a fresh ``manifest``
    (``essays.selectors.batch_ready_manifest``, read by the caller, which owns the essays).

    ``confirmed`` is the associations' confirmation (REGULAR batches); both events carry the
    pass number, and the database allows each once per pass. A GUEST batch that is already
    ready (a late essay) stays ready with a new manifest."""
    batch.validation_pass += 1
    if batch.status == S.READY_FOR_PIPELINE_EXECUTION:
        batch.save(update_fields=["validation_pass", "updated_at"])
    else:
        batch_transition(batch, S.READY_FOR_PIPELINE_EXECUTION,
                         also_saving=["validation_pass", "associations_confirmed_at"])
    this_pass = {"pass": batch.validation_pass}
    events: list[tuple[EventType, dict[str, Any]]] = []
    if confirmed is not None:
        events.append((EventType.STUDENT_ASSOCIATIONS_CONFIRMED, {**confirmed, **this_pass}))
    events.append((EventType.BATCH_ESSAYS_READY, {**manifest, **this_pass}))
    events_record(batch, events)


def batch_reopen_validation(batch: Batch, *, reason: str, by: AbstractBaseUser | None = None) -> None:
    """A READY batch (locked by the caller) goes back to validation with a fresh deadline."""
    batch.validation_deadline = timezone.now() + timedelta(seconds=settings.VALIDATION_TIMEOUT_SECONDS)
    batch.validation_overdue_at = None
    batch_transition(batch, S.AWAITING_STUDENT_VALIDATION,
                     also_saving=["validation_deadline", "validation_overdue_at"])
    event_record(batch, EventType.BATCH_VALIDATION_REOPENED, {
        "reason": reason, "by": by.get_username() if by else None,
        "validation_deadline": batch.validation_deadline.isoformat(),
    })


def batch_cancel(*, batch_id: UUID, cancelled_by: AbstractBaseUser) -> Batch:
    """The teacher gives the batch up: nothing more is uploaded, decided or sent on."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status(OPEN_STATUSES, action=_("cancel the batch"), code="not_cancellable")
        previous = batch.status
        batch_transition(batch, S.CANCELLED)
        event_record(batch, EventType.BATCH_CANCELLED, {"previous_status": previous,
                                                "cancelled_by": cancelled_by.get_username()})
    return batch


def batch_erase(*, batch_id: UUID, erased_by: AbstractBaseUser) -> None:
    """Erase the batch with everything it holds (essays' text, suggestions, associations,
    events): a data subject's right. Only the log keeps that it happened, without content."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        status = batch.status
        batch.delete()
    logger.info("batch erased", extra={"batch_id": str(batch_id), "erased_by": erased_by.get_username(),
                                        "status_at_erasure": status})


def pipeline_request(*, batch_id: UUID, pipeline: list[str], requested_by: AbstractBaseUser) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status({S.READY_FOR_PIPELINE_EXECUTION}, action=_("send it for assessment"),
                             code="batch_not_ready")
        batch.pipeline = pipeline
        batch.save(update_fields=["pipeline"])
        batch_transition(batch, S.PIPELINE_REQUESTED)
        event_record(
            batch,
            EventType.CLIENT_BATCH_PIPELINE_REQUEST,
            {"pipeline": pipeline, "requested_by": requested_by.get_username()},
        )
    return batch


# A teacher gives themselves more time; two weeks keeps a forgotten batch from waiting for ever.
MAX_DEADLINE_AHEAD = timedelta(days=14)


def validation_deadline_move(*, batch_id: UUID, deadline: datetime, moved_by: AbstractBaseUser) -> Batch:
    """Give the teacher more (or less) time while validation is open: later than now and at
    most 14 days ahead. A batch marked overdue is no longer overdue."""
    now = timezone.now()
    if timezone.is_naive(deadline):
        raise DomainError(_("The deadline needs a time zone (ISO 8601 with an offset or Z)."),
                          code="invalid_deadline", details={"validation_deadline": deadline.isoformat()})
    if not now < deadline <= now + MAX_DEADLINE_AHEAD:
        raise DomainError(_("The deadline must be later than now and at most 14 days ahead."),
                          code="invalid_deadline",
                          details={"validation_deadline": deadline.isoformat(),
                                   "latest": (now + MAX_DEADLINE_AHEAD).isoformat()})
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status({S.AWAITING_STUDENT_VALIDATION}, action=_("move the deadline"),
                             code="batch_not_awaiting_validation")
        previous = batch.validation_deadline
        batch.validation_deadline = deadline
        batch.validation_overdue_at = None
        batch.save(update_fields=["validation_deadline", "validation_overdue_at", "updated_at"])
        event_record(batch, EventType.BATCH_VALIDATION_DEADLINE_MOVED, {
            "from": previous.isoformat() if previous else None, "to": deadline.isoformat(),
            "moved_by": moved_by.get_username(),
        })
    return batch
