"""Batch lifecycle: registration, state transitions, routing after content, pipeline request."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from batches.events import event_record
from batches.locks import batch_lock
from batches.models import Batch, BatchEvent, BatchStatus
from classroster.models import SchoolClass
from huleedu import metrics
from huleedu.correlation import clean_correlation_id, get_correlation_id
from huleedu.errors import Conflict, DomainError

logger = logging.getLogger(__name__)

S = BatchStatus

# Timestamps stamped when a batch enters a state: the batch's own summary of its timeline.
_ENTERED_AT_FIELD = {
    S.CONTENT_PROVISIONED: "content_provisioned_at",
    S.AWAITING_STUDENT_MATCHING: "matching_requested_at",
    S.AWAITING_STUDENT_VALIDATION: "suggestions_ready_at",
    S.READY_FOR_PIPELINE_EXECUTION: "ready_at",
    S.PIPELINE_REQUESTED: "pipeline_requested_at",
}


def batch_register(
    *,
    owner: AbstractBaseUser,
    course_code: str,
    expected_essay_count: int,
    school_class: SchoolClass | None = None,
    essay_instructions: str = "",
    correlation_id: str | None = None,
) -> Batch:
    maximum = settings.MAX_ESSAYS_PER_BATCH
    if not 1 <= expected_essay_count <= maximum:
        raise DomainError(
            f"expected_essay_count must be between 1 and {maximum}; "
            f"split larger hand-ins into several batches of at most {maximum} essays.",
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
            correlation_id=clean_correlation_id(correlation_id or get_correlation_id()),
        )
        event_record(
            batch,
            "batch.essays.registered",
            {
                "batch_type": batch.batch_type,
                "course_code": course_code,
                "expected_essay_count": expected_essay_count,
                "class_id": str(school_class.id) if school_class else None,
            },
        )
        metrics.batch_registered(batch_type=batch.batch_type, expected_essay_count=expected_essay_count)
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


def batch_route_after_content(event: BatchEvent) -> None:
    """GUEST batches are ready as they are; REGULAR batches go on to student matching."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.CONTENT_PROVISIONED:
            return  # already routed
        if batch.is_regular:
            batch_transition(batch, S.AWAITING_STUDENT_MATCHING)
            event_record(
                batch,
                "batch.student.matching.initiate.command",
                {"class_id": str(batch.school_class_id)},
            )
            metrics.matching_initiated(batch_type=batch.batch_type, trigger="content_provisioned")
        else:
            batch_transition(batch, S.READY_FOR_PIPELINE_EXECUTION)
            event_record(batch, "batch.essays.ready", batch_essay_counts(batch))


def batch_essay_counts(batch: Batch) -> dict[str, int]:
    from essays.models import EssayStatus

    provisioned = batch.essays.filter(status=EssayStatus.PROVISIONED).count()
    failed = batch.essays.filter(status=EssayStatus.FAILED).count()
    return {"provisioned": provisioned, "failed": failed, "expected": batch.expected_essay_count}


def pipeline_request(*, batch_id: UUID, pipeline: list[str], requested_by: AbstractBaseUser) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.READY_FOR_PIPELINE_EXECUTION:
            raise Conflict(
                f"The batch is {batch.status}; a pipeline can only be requested when it is "
                f"{S.READY_FOR_PIPELINE_EXECUTION}.",
                code="batch_not_ready",
                details={"status": batch.status},
            )
        batch.pipeline = pipeline
        batch.save(update_fields=["pipeline"])
        batch_transition(batch, S.PIPELINE_REQUESTED)
        event_record(
            batch,
            "client.batch.pipeline.request",
            {"pipeline": pipeline, "requested_by": requested_by.get_username()},
        )
    return batch


def schedules_ensure(**_: Any) -> None:
    """Create (or correct) the periodic django-q2 jobs the product relies on."""
    from django_q.models import Schedule

    wanted = {
        "outbox-relay": "batches.tasks.relay_outbox",
        "validation-timeouts": "matching.tasks.apply_validation_timeouts",
    }
    for name, func in wanted.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
        )
