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
from django.utils.translation import gettext as _

from batches.locks import batch_lock
from batches.models import Batch, BatchStatus
from batches.services import batch_transition
from classroster.models import Student
from essays.models import Essay, EssayStatus
from matching import engine, metrics
from matching.models import DecisionMethod, MatchLevel, MatchSuggestion, StudentAssociation
from matching.rollout import matching_skip_reason
from matching.services.decisions import (
    associations_confirm_if_complete,
    attributed_students,
    decisions_record,
    decisions_write,
    free_high_verdicts,
    undecided_essays,
    undecided_locked,
)
from matching.services.exam_codes import code_matches_apply, exam_codes_summary
from matching.services.extraction import extraction_time, suggestions_floor
from outbox.models import BatchEvent
from outbox.services import event_record
from outbox.types import EventType

logger = logging.getLogger(__name__)

S = BatchStatus
VALIDATING = frozenset({S.AWAITING_STUDENT_VALIDATION})
_NOTICE_KEYS = frozenset({"notice", "roster_not_found", "matching_skipped", "skip_reason"})


def matching_request(event: BatchEvent) -> None:
    """The initiate command accepted: announce that matching is requested (the job runs on it)."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return
        event_record(batch, EventType.BATCH_STUDENT_MATCHING_REQUESTED, {
            "class_id": str(batch.school_class_id),
            "essay_count": batch.essays.filter(status=EssayStatus.PROVISIONED).count(),
        })
        metrics.matching_initiated(batch_type=batch.batch_type)


def matching_run(event: BatchEvent) -> None:
    matching_run_for_batch(batch_id=event.batch_id)


def matching_run_for_batch(*, batch_id: UUID) -> bool:
    """Match every provisioned essay of the batch against its class roster, all at once.
    Idempotent by the batch's state: it works only while AWAITING_STUDENT_MATCHING.

    Two cases go to validation without suggestions, so the teacher attributes by hand: the class
    is switched off (kill switch or rollout flag: ``matching_skipped``), or it has no students
    (``roster_not_found``, with a notice to the teacher)."""
    started = timezone.now()
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return False
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED).order_by("created_at", "id"))
        skip_reason = matching_skip_reason(class_id=batch.school_class_id)
        roster = [] if skip_reason else _roster(batch)
        if skip_reason or not roster:
            summary = _enter_validation_unmatched(batch, essays, skip_reason=skip_reason)
        else:
            with metrics.matching_engine_timer():
                results = _engine_run(batch, essays, roster, attributed=set())
            _suggestions_store(essays, results)
            summary = _summary(batch, essays, results, started)
            _enter_validation(batch, summary, matching_failed=False)
            metrics.batch_processed(duration_seconds=summary["duration_ms"] / 1000,
                                    essays_matched=len(essays))
            _outcomes_count(results, errors=summary["errors"])
            _auto_confirm(batch)
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
            results = _rematch(batch, essays, scope="late")
            if results is not None:
                _outcomes_count(results, errors=0)
                _auto_confirm(batch)
                associations_confirm_if_complete(batch)


def matching_rematch_request(*, batch_id: UUID, requested_by: AbstractBaseUser) -> Batch:
    """The teacher (or staff) asks for matching again, e.g. after fixing the roster."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status(VALIDATING, action=_("re-run matching"), code="batch_not_awaiting_validation")
        event_record(batch, EventType.BATCH_STUDENT_REMATCH_REQUESTED,
                     {"requested_by": requested_by.get_username()})
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
        matched = _rematch(batch, essays, scope="rematch") is not None
        if batch.matching_failed:
            batch.matching_failed = False
            batch.save(update_fields=["matching_failed"])
        if matched and batch.processing_summary and "notice" in batch.processing_summary:
            # Matching ran this time (the roster was added, the class switched on): the notice is over.
            batch.processing_summary = {k: v for k, v in batch.processing_summary.items()
                                        if k not in _NOTICE_KEYS}
            batch.save(update_fields=["processing_summary"])


def matching_give_up(event: BatchEvent) -> None:
    """After the last failed attempt: the teacher attributes by hand. The batch goes on to
    validation with no suggestions (marked ``matching_failed``), never stuck in matching."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status not in {S.AWAITING_STUDENT_MATCHING, S.AWAITING_STUDENT_VALIDATION}:
            return
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED, association__isnull=True))
        _unmatched_store(essays)
        if batch.status == S.AWAITING_STUDENT_MATCHING:
            summary = _unmatched_summary(batch, essays, matching_failed=True)
            _enter_validation(batch, summary, matching_failed=True)
        else:
            batch.matching_failed = True
            batch.save(update_fields=["matching_failed"])
            event_record(batch, EventType.BATCH_AUTHOR_MATCHES_SUGGESTED, {
                "scope": "late", "matching_failed": True, "essay_ids": [str(e.id) for e in essays]})
        metrics.matching_errors(error_type="timeout")
    logger.error("matching gave up after its last attempt; the teacher decides by hand",
                 extra={"batch_id": str(event.batch_id), "event_type": event.event_type})


# --- the pieces -----------------------------------------------------------------------------------


def _rematch(batch: Batch, essays: list[Essay], *, scope: str) -> list[engine.EssayMatch] | None:
    """Match these essays against the roster now; None when the class gets no automatic matching
    (switched off, or no students): they are left to the teacher, without suggestions."""
    started = timezone.now()
    skip_reason = matching_skip_reason(class_id=batch.school_class_id)
    roster = [] if skip_reason else _roster(batch)
    if skip_reason or not roster:
        _unmatched_store(essays)
        marker = _unmatched_marker(batch, skip_reason)
        if skip_reason is None and scope == "late":
            metrics.essays_matched(matched=0, no_match=0, error=len(essays), top_suggestions=[])
        event_record(batch, EventType.BATCH_AUTHOR_MATCHES_SUGGESTED, {
            "scope": scope, "essay_ids": [str(e.id) for e in essays], "matching_failed": False, **marker})
        return None
    results = _engine_run(batch, essays, roster, attributed=set(attributed_students(batch)))
    _suggestions_store(essays, results)
    summary = _summary(batch, essays, results, started, errors=0)
    event_record(batch, EventType.BATCH_AUTHOR_MATCHES_SUGGESTED, {
        "scope": scope, "essay_ids": [str(e.id) for e in essays], "processing_summary": summary,
        "matching_failed": False,
    })
    return results


def _roster(batch: Batch) -> list[Student]:
    # Students the school's system says have left the group are no longer candidates.
    return list(Student.objects.filter(school_class_id=batch.school_class_id, left_at__isnull=True))


def _engine_run(
    batch: Batch, essays: list[Essay], roster: list[Student], *, attributed: set[UUID]
) -> list[engine.EssayMatch]:
    inputs = [engine.EssayInput(essay_id=str(e.id), text=e.text, filename=e.original_filename or None)
              for e in essays]
    extraction_time(inputs)
    taken = {str(s) for s in attributed}
    results = engine.match_batch(
        inputs,
        [engine.RosterStudent(student_id=str(s.id), first_name=s.first_name, last_name=s.last_name,
                              email=s.email) for s in roster],
        # The students still without an essay are the prior for weak cues; the others are never high.
        already_attributed=taken,
    )
    results = code_matches_apply(batch=batch, essays=essays, results=results)  # exam.net codes are certain
    return [_never_high_if_taken(suggestions_floor(result), taken) for result in results]


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


def _enter_validation_unmatched(
    batch: Batch, essays: list[Essay], *, skip_reason: str | None
) -> dict[str, Any]:
    """The first run without matching: every essay waits for the teacher, with no suggestion."""
    _unmatched_store(essays)
    summary = _unmatched_summary(batch, essays, **_unmatched_marker(batch, skip_reason))
    _enter_validation(batch, summary, matching_failed=False)
    if skip_reason is None:  # no roster: the essays could not be matched
        errors = summary["errors"]
        metrics.essays_matched(matched=0, no_match=0, error=len(essays) + errors, top_suggestions=[])
        metrics.matching_errors(error_type="content_fetch_failed", count=errors)
    return summary


def _unmatched_summary(batch: Batch, essays: list[Essay], **marker: Any) -> dict[str, Any]:
    """The processing summary of a run that matched nothing: why is in ``marker``."""
    errors = batch.essays.filter(status=EssayStatus.FAILED).count()
    return {"total_essays": len(essays) + errors, "matched": 0, "no_match": 0, "errors": errors,
            "high_confidence": 0, **marker}


def _unmatched_store(essays: list[Essay]) -> None:
    existing = set(StudentAssociation.objects.filter(essay_id__in=[e.id for e in essays])
                   .values_list("essay_id", flat=True))
    StudentAssociation.objects.bulk_create([
        StudentAssociation(essay=essay, batch_id=essay.batch_id, match_level=MatchLevel.NONE)
        for essay in essays if essay.id not in existing
    ])


def _unmatched_marker(batch: Batch, skip_reason: str | None) -> dict[str, Any]:
    """What the processing summary (and its event) tells the teacher and the metrics count."""
    if skip_reason is not None:
        metrics.matching_skipped(reason=skip_reason)
        logger.info("automatic matching is switched off for this class; the teacher attributes by hand",
                    extra={"batch_id": str(batch.id), "reason": skip_reason})
        return {"matching_skipped": True, "skip_reason": skip_reason, "notice": {
            "code": "matching_skipped",
            "message": "Automatic matching is switched off for this class: choose each essay's student.",
        }}
    metrics.matching_errors(error_type="roster_not_found")
    logger.warning("the batch's class has no students; nothing to match against",
                   extra={"batch_id": str(batch.id), "class_id": str(batch.school_class_id)})
    return {"roster_not_found": True, "notice": {
        "code": "roster_not_found",
        "message": "This class has no students yet. Add the roster, then ask for matching again.",
    }}


def _outcomes_count(results: list[engine.EssayMatch], *, errors: int) -> None:
    """Essays matched for the first time, by outcome; failed uploads are essays in error."""
    matched = [r for r in results if r.status != MatchLevel.NONE and r.suggestions]
    metrics.essays_matched(
        matched=len(matched), no_match=len(results) - len(matched), error=errors,
        top_suggestions=[(r.suggestions[0].confidence, [e.kind for e in r.suggestions[0].evidence])
                         for r in matched],
    )
    metrics.matching_errors(error_type="content_fetch_failed", count=errors)


def _auto_confirm(batch: Batch) -> None:
    """The batch confirms high-confidence matches as found: decide the undecided 'high' essays
    whose top student is still free, method auto (the path accept-all takes). They stay
    correctable like any decision."""
    if not batch.auto_confirms_high:
        return
    high = list(undecided_locked(batch).filter(match_level=MatchLevel.HIGH))
    verdicts = free_high_verdicts(high, attributed_students(batch), [])
    decisions_write(verdicts, DecisionMethod.AUTO, None)
    decisions_record(batch, [v.association for v in verdicts], None)


def _enter_validation(batch: Batch, summary: dict[str, Any], *, matching_failed: bool) -> None:
    batch.processing_summary = summary
    batch.matching_failed = matching_failed
    batch.validation_deadline = timezone.now() + timedelta(seconds=settings.VALIDATION_TIMEOUT_SECONDS)
    batch_transition(batch, S.AWAITING_STUDENT_VALIDATION,
                     also_saving=["processing_summary", "matching_failed", "validation_deadline"])
    event_record(batch, EventType.BATCH_AUTHOR_MATCHES_SUGGESTED, {
        "processing_summary": summary, "validation_deadline": batch.validation_deadline.isoformat(),
        "matching_failed": matching_failed,
    })


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
