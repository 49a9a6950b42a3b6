"""Running the matching engine for a batch and storing what it suggests.

Three kinds of run, one store:

* the first run, when content provisioning completed (the whole batch at once);
* late essays, uploaded after that, matched with the batch's decisions taken into account;
* a re-match the teacher asks for (after fixing the roster): the undecided essays only.

Each run writes its suggestions, the associations' levels and its event in one transaction
under the batch lock, so a run killed half-way leaves nothing behind and a run delivered twice
stores one set of suggestions. When matching keeps failing, ``matching_give_up`` leaves the
essays to the teacher instead of leaving the batch stuck.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from batches.events import event_record
from batches.locks import batch_lock
from batches.models import Batch, BatchEvent, BatchStatus
from batches.services import batch_transition
from classroster.codes import code_matches_apply, exam_codes_summary
from classroster.models import Student
from essays.models import Essay, EssayStatus
from huleedu import metrics
from matching import engine
from matching.models import MatchLevel, MatchSuggestion, StudentAssociation
from matching.services.decisions import (
    associations_confirm_if_complete,
    attributed_students,
    undecided_essays,
)

logger = logging.getLogger(__name__)

S = BatchStatus
VALIDATING = frozenset({S.AWAITING_STUDENT_VALIDATION})


def matching_request(event: BatchEvent) -> None:
    """The initiate command accepted: announce that matching is requested (the job runs on it)."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return
        event_record(batch, "batch.student.matching.requested", {
            "class_id": str(batch.school_class_id),
            "essay_count": batch.essays.filter(status=EssayStatus.PROVISIONED).count(),
        })


def matching_run(event: BatchEvent) -> None:
    matching_run_for_batch(batch_id=event.batch_id)


def matching_run_for_batch(*, batch_id: UUID) -> bool:
    """Match every provisioned essay of the batch against its class roster, all at once.
    Idempotent by the batch's state: it works only while AWAITING_STUDENT_MATCHING."""
    started = timezone.now()
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return False
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED).order_by("created_at", "id"))
        with metrics.matching_engine_timer():
            results = _engine_run(batch, essays, attributed=set())
        _suggestions_store(essays, results)
        summary = _summary(batch, essays, results, started)
        _enter_validation(batch, summary, matching_failed=False)
        metrics.matching_finished(
            duration_seconds=summary["duration_ms"] / 1000,
            summary=summary,
            top_suggestions=[
                (r.status, r.suggestions[0].confidence, [e.kind for e in r.suggestions[0].evidence])
                if r.suggestions else (r.status, 0.0, []) for r in results
            ],
        )
        associations_confirm_if_complete(batch)  # nothing to validate when every upload failed
    logger.info("matching job finished", extra={"batch_id": str(batch_id), **summary})
    return True


def matching_match_new_essays(event: BatchEvent) -> None:
    """Late essays: match the provisioned essays that have no association yet, against the
    students the batch's decisions have not taken."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.AWAITING_STUDENT_VALIDATION:
            return  # still matching (the first run takes them) or closed
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED, association__isnull=True)
                      .order_by("created_at", "id"))
        if essays:
            _rematch(batch, essays, scope="late")


def matching_rematch_request(*, batch_id: UUID, requested_by: AbstractBaseUser) -> Batch:
    """The teacher (or staff) asks for matching again, e.g. after fixing the roster."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status(VALIDATING, action="re-run matching", code="batch_not_awaiting_validation")
        event_record(batch, "batch.student.rematch.requested", {"requested_by": requested_by.get_username()})
        metrics.matching_initiated(batch_type=batch.batch_type, trigger="rematch")
    return batch


def matching_rerun(*, batch_id: UUID, by: AbstractBaseUser) -> Batch:
    """Staff's re-run from the admin: the same re-match a teacher can ask for."""
    return matching_rematch_request(batch_id=batch_id, requested_by=by)


def matching_rematch_run(event: BatchEvent) -> None:
    """Match the undecided essays again against the roster as it is now; decisions stand."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.AWAITING_STUDENT_VALIDATION:
            return
        essays = list(undecided_essays(batch).order_by("created_at", "id"))
        _rematch(batch, essays, scope="rematch")
        if batch.matching_failed:
            batch.matching_failed = False
            batch.save(update_fields=["matching_failed"])


def matching_give_up(event: BatchEvent) -> None:
    """After the last failed attempt: the teacher attributes by hand. The batch goes on to
    validation with no suggestions (marked ``matching_failed``), never stuck in matching."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status not in {S.AWAITING_STUDENT_MATCHING, S.AWAITING_STUDENT_VALIDATION}:
            return
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED, association__isnull=True))
        StudentAssociation.objects.bulk_create([
            StudentAssociation(essay=essay, batch=batch, match_level=MatchLevel.NONE) for essay in essays
        ])
        if batch.status == S.AWAITING_STUDENT_MATCHING:
            errors = batch.essays.filter(status=EssayStatus.FAILED).count()
            summary = {"total_essays": len(essays) + errors, "matched": 0, "no_match": 0,
                       "errors": errors, "high_confidence": 0, "matching_failed": True}
            _enter_validation(batch, summary, matching_failed=True)
        else:
            batch.matching_failed = True
            batch.save(update_fields=["matching_failed"])
            event_record(batch, "batch.author.matches.suggested", {
                "scope": "late", "matching_failed": True, "essay_ids": [str(e.id) for e in essays]})
    logger.error("matching gave up after its last attempt; the teacher decides by hand",
                 extra={"batch_id": str(event.batch_id), "event_type": event.event_type})


# --- the pieces -----------------------------------------------------------------------------------


def _rematch(batch: Batch, essays: list[Essay], *, scope: str) -> None:
    started = timezone.now()
    results = _engine_run(batch, essays, attributed=set(attributed_students(batch)))
    _suggestions_store(essays, results)
    summary = _summary(batch, essays, results, started, errors=0)
    event_record(batch, "batch.author.matches.suggested", {
        "scope": scope, "essay_ids": [str(e.id) for e in essays], "processing_summary": summary,
        "matching_failed": False,
    })


def _engine_run(batch: Batch, essays: list[Essay], *, attributed: set[UUID]) -> list[engine.EssayMatch]:
    # Students the school's system says have left the group are no longer candidates.
    roster = list(Student.objects.filter(school_class_id=batch.school_class_id, left_at__isnull=True))
    results = engine.match_batch(
        [engine.EssayInput(essay_id=str(e.id), text=e.text, filename=e.original_filename or None)
         for e in essays],
        [engine.RosterStudent(student_id=str(s.id), first_name=s.first_name, last_name=s.last_name,
                              email=s.email) for s in roster],
        # The students still without an essay are the prior for weak cues; the others are never high.
        already_attributed={str(s) for s in attributed},
    )
    results = code_matches_apply(batch=batch, essays=essays, results=results)  # exam.net codes are certain
    return [_never_high_if_taken(result, {str(s) for s in attributed}) for result in results]


def _never_high_if_taken(result: engine.EssayMatch, attributed: set[str]) -> engine.EssayMatch:
    """A student the teacher already attributed to another essay is a question, not a match —
    even when an exam.net code names them (two essays of one student are the teacher's call)."""
    top = result.suggestions[0] if result.suggestions else None
    if result.status == MatchLevel.HIGH and top is not None and top.student_id in attributed:
        return replace(result, status=MatchLevel.REVIEW)
    return result


def _suggestions_store(essays: list[Essay], results: list[engine.EssayMatch]) -> None:
    """Replace these essays' suggestions; create or update their (undecided) associations."""
    essay_ids = [e.id for e in essays]
    MatchSuggestion.objects.filter(essay_id__in=essay_ids).delete()
    existing = {a.essay_id: a for a in StudentAssociation.objects.filter(essay_id__in=essay_ids)}
    new, changed, suggestions = [], [], []
    for essay, result in zip(essays, results, strict=True):
        association = existing.get(essay.id) or StudentAssociation(essay=essay, batch_id=essay.batch_id)
        association.match_level = result.status
        association.match_confidence = _unit(result.confidence)
        (changed if essay.id in existing else new).append(association)
        suggestions += [
            MatchSuggestion(essay=essay, student_id=UUID(s.student_id), rank=rank,
                            confidence=_unit(s.confidence),
                            level=result.status if rank == 1 else MatchLevel.REVIEW, reasons=list(s.reasons),
                            evidence=[e.to_dict() for e in s.evidence])
            for rank, s in enumerate(result.suggestions[:3], start=1)
        ]
    StudentAssociation.objects.bulk_create(new)
    StudentAssociation.objects.bulk_update(changed, ["match_level", "match_confidence"])
    MatchSuggestion.objects.bulk_create(suggestions)


def _summary(batch: Batch, essays: list[Essay], results: list[engine.EssayMatch], started: Any,
             errors: int | None = None) -> dict[str, Any]:
    if errors is None:
        errors = batch.essays.filter(status=EssayStatus.FAILED).count()
    return {
        "total_essays": len(essays) + errors,
        "matched": sum(1 for r in results if r.status != MatchLevel.NONE),
        "no_match": sum(1 for r in results if r.status == MatchLevel.NONE),
        "errors": errors,
        "high_confidence": sum(1 for r in results if r.status == MatchLevel.HIGH),
        "duration_ms": round((timezone.now() - started).total_seconds() * 1000, 1),
        **exam_codes_summary(batch=batch, essays=essays),
    }


def _enter_validation(batch: Batch, summary: dict[str, Any], *, matching_failed: bool) -> None:
    batch.processing_summary = summary
    batch.matching_failed = matching_failed
    batch.validation_deadline = timezone.now() + timedelta(seconds=settings.VALIDATION_TIMEOUT_SECONDS)
    batch_transition(batch, S.AWAITING_STUDENT_VALIDATION,
                     also_saving=["processing_summary", "matching_failed", "validation_deadline"])
    event_record(batch, "batch.author.matches.suggested", {
        "processing_summary": summary, "validation_deadline": batch.validation_deadline.isoformat(),
        "matching_failed": matching_failed,
    })


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
