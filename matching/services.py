"""Phase 1 student matching in the application: run the engine for a batch, store its
suggestions, record the teacher's (or the timeout's) decisions, confirm the associations.

Lock order everywhere: the batch row first (``batch_lock``), then its associations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Case, Field, OuterRef, Subquery, Value, When
from django.utils import timezone

from batches.events import event_record, events_record
from batches.locks import batch_lock
from batches.models import Batch, BatchEvent, BatchStatus
from batches.services import batch_transition
from classroster.codes import code_matches_apply
from classroster.models import Student
from essays.models import Essay, EssayStatus
from huleedu import metrics
from huleedu.errors import Conflict, DomainError, NotFound
from huleedu.rows import first_row, rows, rows_update, rows_values
from matching import engine
from matching.models import DecisionMethod, MatchLevel, MatchSuggestion, StudentAssociation

logger = logging.getLogger(__name__)

S = BatchStatus
NO_STUDENT = None


# --- running the engine ------------------------------------------------------------------


def matching_request(event: BatchEvent) -> None:
    """The initiate command accepted: announce that matching is requested (the job runs on it)."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return
        event_record(
            batch,
            "batch.student.matching.requested",
            {"class_id": str(batch.school_class_id), "essay_count": batch.essays.filter(
                status=EssayStatus.PROVISIONED).count()},
        )


def matching_run(event: BatchEvent) -> None:
    matching_run_for_batch(batch_id=event.batch_id)


def matching_run_for_batch(*, batch_id: UUID) -> bool:
    """Match every provisioned essay of the batch against its class roster, all at once.

    Idempotent by the batch key: the job does its work only while the batch is
    AWAITING_STUDENT_MATCHING, and everything it writes (suggestions, summary, the state
    change, the event) commits together, so a job killed half-way leaves nothing behind
    and a job delivered twice stores one set of suggestions. Returns True if it ran now.
    """
    started = timezone.now()
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_MATCHING:
            return False
        essays = list(batch.essays.filter(status=EssayStatus.PROVISIONED).order_by("created_at", "id"))
        roster = list(Student.objects.filter(school_class_id=batch.school_class_id))
        with metrics.matching_engine_timer():
            results = engine.match_batch(
                [engine.EssayInput(essay_id=str(e.id), text=e.text, filename=e.original_filename or None)
                 for e in essays],
                [engine.RosterStudent(student_id=str(s.id), first_name=s.first_name,
                                      last_name=s.last_name, email=s.email) for s in roster],
            )
        # An exam.net code on the batch's code list is certain; problems with codes are reported.
        results, code_report = code_matches_apply(batch=batch, essays=essays, results=results)
        students_by_id = {str(s.id): s for s in roster}
        _suggestions_store(essays, results, students_by_id)
        errors = batch.essays.filter(status=EssayStatus.FAILED).count()
        summary = {
            "total_essays": len(essays) + errors,
            "matched": sum(1 for r in results if r.status != MatchLevel.NONE),
            "no_match": sum(1 for r in results if r.status == MatchLevel.NONE),
            "errors": errors,
            "high_confidence": sum(1 for r in results if r.status == MatchLevel.HIGH),
            "duration_ms": round((timezone.now() - started).total_seconds() * 1000, 1),
            **({"exam_codes": code_report} if code_report else {}),
        }
        batch.processing_summary = summary
        batch.validation_deadline = timezone.now() + timedelta(
            seconds=settings.VALIDATION_TIMEOUT_SECONDS
        )
        batch.save(update_fields=["processing_summary", "validation_deadline"])
        batch_transition(batch, S.AWAITING_STUDENT_VALIDATION)
        event_record(
            batch,
            "batch.author.matches.suggested",
            {"processing_summary": summary, "validation_deadline": batch.validation_deadline.isoformat()},
        )
        metrics.matching_finished(
            duration_seconds=summary["duration_ms"] / 1000,
            summary=summary,
            top_suggestions=[
                (r.status, r.suggestions[0].confidence, [e.kind for e in r.suggestions[0].evidence])
                if r.suggestions else (r.status, 0.0, [])
                for r in results
            ],
        )
        if not essays:  # nothing to validate: every essay failed its upload
            associations_confirm_if_complete(batch)
    logger.info("matching job finished", extra={"batch_id": str(batch_id), **summary})
    return True


def _suggestions_store(
    essays: list[Essay], results: list[engine.EssayMatch], students_by_id: dict[str, Student]
) -> None:
    essay_ids = [e.id for e in essays]
    # A re-run (staff action) replaces what the previous run suggested.
    MatchSuggestion.objects.filter(essay_id__in=essay_ids).delete()
    StudentAssociation.objects.filter(essay_id__in=essay_ids).delete()
    associations: list[StudentAssociation] = []
    suggestions: list[MatchSuggestion] = []
    for essay, result in zip(essays, results, strict=True):
        associations.append(StudentAssociation(
            essay=essay, batch_id=essay.batch_id, match_level=result.status,
            match_confidence=_unit(result.confidence),
        ))
        for rank, suggestion in enumerate(result.suggestions[:3], start=1):
            student = students_by_id.get(suggestion.student_id)
            if student is None:
                continue
            suggestions.append(MatchSuggestion(
                essay=essay, student=student, rank=rank, confidence=_unit(suggestion.confidence),
                level=result.status if rank == 1 else MatchLevel.REVIEW,
                reasons=list(suggestion.reasons),
                evidence=[e.to_dict() for e in suggestion.evidence],
            ))
    StudentAssociation.objects.bulk_create(associations)
    MatchSuggestion.objects.bulk_create(suggestions)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def matching_rerun(*, batch_id: UUID, by: AbstractBaseUser) -> None:
    """Staff: run matching again (e.g. after fixing the roster) while nothing is decided yet."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_VALIDATION:
            raise Conflict(f"Matching can only be re-run while awaiting validation, not in {batch.status}.",
                           code="illegal_transition", details={"status": batch.status})
        if batch.associations.exclude(method="").exists():
            raise Conflict("Some essays are already decided; matching cannot be re-run.",
                           code="already_decided")
        batch_transition(batch, S.AWAITING_STUDENT_MATCHING)
        event_record(batch, "batch.student.matching.initiate.command",
                     {"class_id": str(batch.school_class_id), "rerun_by": by.get_username()})
        metrics.matching_initiated(batch_type=batch.batch_type, trigger="staff_rerun")


# --- decisions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    essay_id: UUID
    student_id: UUID | None


def _require_validating(batch: Batch) -> None:
    if batch.status != S.AWAITING_STUDENT_VALIDATION:
        raise Conflict(
            f"The batch is {batch.status}; decisions are taken only while it is "
            f"{S.AWAITING_STUDENT_VALIDATION}.",
            code="batch_not_awaiting_validation",
            details={"status": batch.status},
        )


def association_decide(
    *, batch_id: UUID, essay_id: UUID, student_id: UUID | None, decided_by: AbstractBaseUser
) -> StudentAssociation:
    """One teacher decision: this essay is by that student (or by no roster student)."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        association = _association_lock(batch, essay_id)
        if association.method == DecisionMethod.TIMEOUT:
            raise Conflict(
                "The validation deadline passed and this essay was already decided automatically.",
                code="decided_by_timeout",
                details=_decision_details(association),
            )
        _require_validating(batch)
        student = _student_in_class(batch, student_id)
        _decisions_apply(batch, [Verdict(association, student)], DecisionMethod.HUMAN, decided_by)
        associations_confirm_if_complete(batch)
    return association


def associations_decide_bulk(
    *,
    batch_id: UUID,
    decided_by: AbstractBaseUser,
    accept_high_confidence: bool = False,
    decisions: Iterable[Decision] = (),
) -> dict[str, int]:
    """Many decisions in one transaction: explicit ones, and/or every undecided 'high' match."""
    decisions = list(decisions)
    with transaction.atomic():
        batch = batch_lock(batch_id)
        _require_validating(batch)
        # Validate everything before writing anything (the serializer refuses repeated essays).
        students = {d.essay_id: _student_in_class(batch, d.student_id) for d in decisions}
        associations = _associations_lock(batch, list(students))
        for association in associations.values():
            if association.method == DecisionMethod.TIMEOUT:
                raise Conflict("An essay in the request was already decided by the timeout.",
                               code="decided_by_timeout", details=_decision_details(association))
        _decisions_apply(batch, [Verdict(associations[essay_id], student)
                                 for essay_id, student in students.items()], DecisionMethod.HUMAN, decided_by)
        decided = len(students)
        if accept_high_confidence:
            high = list(_undecided(batch).filter(match_level=MatchLevel.HIGH))
            top = _top_suggested_students(high)
            _decisions_apply(batch, [Verdict(a, top.get(a.essay_id)) for a in high],
                             DecisionMethod.HUMAN, decided_by)
            decided += len(high)
        remaining = _undecided(batch).count()
        associations_confirm_if_complete(batch)
    return {"decided": decided, "remaining": remaining}


def _undecided(batch: Batch):
    return (StudentAssociation.objects.select_for_update().filter(batch=batch, method="")
            .order_by("essay_id"))


def _association_lock(batch: Batch, essay_id: UUID) -> StudentAssociation:
    return _associations_lock(batch, [essay_id])[essay_id]


def _associations_lock(batch: Batch, essay_ids: list[UUID]) -> dict[UUID, StudentAssociation]:
    """Lock these essays' associations in one query; the first id that has none is a 404."""
    locked = {association.essay_id: association for association in
              rows(StudentAssociation, for_update=True, batch_id=batch.id, essay_id__in=essay_ids)}
    for essay_id in essay_ids:
        if essay_id not in locked:
            raise NotFound("No essay with that id awaits a student decision in this batch.",
                           code="essay_not_found", details={"essay_id": str(essay_id)})
    return locked


def _student_in_class(batch: Batch, student_id: UUID | None) -> Student | None:
    if student_id is None:
        return None
    student = first_row(Student, pk=student_id, school_class_id=batch.school_class_id)
    if student is None:
        raise DomainError("That student is not on this batch's class roster.",
                          code="student_not_in_class", details={"student_id": str(student_id)})
    return student


def _top_suggested_students(associations: list[StudentAssociation]) -> dict[UUID, Student]:
    """Each essay's best suggestion's student, for all of them in one query."""
    top = MatchSuggestion.objects.filter(essay_id__in=[a.essay_id for a in associations], rank=1)
    return {suggestion.essay_id: suggestion.student for suggestion in top.select_related("student")}


def _decision_details(association: StudentAssociation) -> dict[str, object]:
    return {
        "essay_id": str(association.essay_id),
        "student_id": str(association.student_id) if association.student_id else None,
        "method": association.method,
        "decided_at": association.decided_at.isoformat() if association.decided_at else None,
    }


@dataclass(frozen=True)
class Verdict:
    """What one essay is decided to be: by this student (None: by no roster student)."""

    association: StudentAssociation
    student: Student | None
    needs_attention: bool = False


def _decisions_apply(
    batch: Batch, verdicts: list[Verdict], method: str, decided_by: AbstractBaseUser | None
) -> None:
    """Record decisions: the associations, their suggestions' statuses and one audit event
    each, in a fixed handful of statements however many there are (accept-all decides a
    whole class at once). The caller holds the batch lock and the associations' row locks."""
    if not verdicts:
        return
    now = timezone.now()
    previous: dict[UUID, dict[str, object] | None] = {}
    for verdict in verdicts:
        association = verdict.association
        previous[association.essay_id] = _decision_details(association) if association.is_decided else None
        association.student = verdict.student
        association.method = method
        association.decided_by = decided_by
        association.decided_at = now
        association.needs_attention = verdict.needs_attention
    if len(verdicts) == 1:
        _decision_write(verdicts[0].association)
    else:
        _decisions_write(verdicts, method, decided_by, now)
    # Every decision is an event: the audit trail keeps what was overwritten, too.
    decided_by_name = decided_by.get_username() if decided_by else None
    events_record(batch, [
        ("essay.student.association.decided",
         {**_decision_details(verdict.association), "decided_by": decided_by_name,
          "needs_attention": verdict.needs_attention, "previous": previous[verdict.association.essay_id]})
        for verdict in verdicts
    ])


def _decision_write(association: StudentAssociation) -> None:
    """One essay (a teacher's decision, the hot path): two plain statements."""
    rows_update(StudentAssociation, {"essay_id": association.essay_id}, {
        "student_id": association.student_id, "method": association.method,
        "decided_by_id": association.decided_by_id, "decided_at": association.decided_at,
        "needs_attention": association.needs_attention,
    })
    # The chosen student's suggestion confirmed, the others rejected (all of them for "no
    # student": NULL equals nothing), in one statement.
    field = MatchSuggestion._meta.get_field
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MatchSuggestion._meta.db_table} SET status = "
            f"CASE WHEN student_id = %s THEN %s ELSE %s END WHERE essay_id = %s",
            [field("student").get_db_prep_value(association.student_id, connection),
             MatchSuggestion.Status.CONFIRMED, MatchSuggestion.Status.REJECTED,
             field("essay").get_db_prep_value(association.essay_id, connection)],
        )


def _decisions_write(
    verdicts: list[Verdict], method: str, decided_by: AbstractBaseUser | None, now: datetime
) -> None:
    """Many essays (accept-all, the timeout): one UPDATE per table, a CASE where they differ."""
    essay_ids = [verdict.association.essay_id for verdict in verdicts]
    StudentAssociation.objects.filter(essay_id__in=essay_ids).update(
        method=method, decided_by=decided_by, decided_at=now,
        student_id=_per_essay({v.association.essay_id: v.association.student_id for v in verdicts},
                              StudentAssociation._meta.get_field("student").target_field),
        needs_attention=_per_essay({v.association.essay_id: v.needs_attention for v in verdicts},
                                   StudentAssociation._meta.get_field("needs_attention")),
    )
    confirmed = [When(essay_id=v.association.essay_id, student=v.student,
                      then=Value(MatchSuggestion.Status.CONFIRMED))
                 for v in verdicts if v.student is not None]
    MatchSuggestion.objects.filter(essay_id__in=essay_ids).update(
        status=Case(*confirmed, default=Value(MatchSuggestion.Status.REJECTED))
    )


def _per_essay(values: dict[UUID, object], field: Field) -> object:
    """A column that takes one value per essay: the value itself when they all agree (accept-all
    flags nobody), else one CASE, which costs milliseconds of ORM compile per column."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return distinct.pop()
    return Case(*(When(essay_id=essay_id, then=Value(value)) for essay_id, value in values.items()),
                output_field=field)


def associations_confirm_if_complete(batch: Batch) -> bool:
    """When every essay has a decision: confirm the associations and make the batch ready.

    Runs under the batch lock, and only from AWAITING_STUDENT_VALIDATION, so it happens
    exactly once however many decisions race for the last essay. Every decision ends here,
    and often the last one of a batch is the one a teacher waits for, so the confirmation is
    a fixed five statements: read the decisions, write the essays, the batch and both events,
    and (after commit) mark the events delivered.
    """
    if batch.status != S.AWAITING_STUDENT_VALIDATION:
        return False
    # One read answers both "is anything undecided?" and "what is confirmed?".
    # Three columns as tuples, no instances: most decisions read the class's rows only to see
    # that some are still undecided.
    decisions = sorted(rows_values(StudentAssociation, ["essay_id", "student_id", "method"],
                                   batch_id=batch.id))
    if any(not method for _, _, method in decisions):
        return False
    Essay.objects.filter(pk__in=[essay_id for essay_id, _, _ in decisions]).update(
        student_id=Subquery(StudentAssociation.objects.filter(essay_id=OuterRef("pk")).values("student_id"))
    )
    by_method: dict[str, int] = {}
    for _, _, method in decisions:
        by_method[method] = by_method.get(method, 0) + 1
    now = timezone.now()
    batch.associations_confirmed_at = now
    batch_transition(batch, S.READY_FOR_PIPELINE_EXECUTION, also_saving=["associations_confirmed_at"])
    metrics.associations_confirmed(
        by_method=by_method, matching_requested_at=batch.matching_requested_at, confirmed_at=now
    )
    events_record(batch, [
        ("student.associations.confirmed", {
            "associations": [
                {"essay_id": str(essay_id), "student_id": str(student_id) if student_id else None,
                 "method": method}
                for essay_id, student_id, method in decisions
            ],
            "by_method": by_method,
            "without_student": sum(1 for _, student_id, _ in decisions if student_id is None),
        }),
        ("batch.essays.ready", {"essay_count": len(decisions)}),
    ])
    return True


# --- the validation timeout ----------------------------------------------------------------


def validation_timeouts_apply(*, now: datetime | None = None) -> int:
    """Decide every batch whose validation deadline has passed. Returns how many it decided."""
    now = now or timezone.now()
    due = list(
        Batch.objects.filter(status=S.AWAITING_STUDENT_VALIDATION, validation_deadline__lte=now)
        .order_by("validation_deadline").values_list("id", flat=True)[:500]
    )
    return sum(1 for batch_id in due if batch_timeout_apply(batch_id=batch_id, now=now))


def batch_timeout_apply(*, batch_id: UUID, now: datetime | None = None, force: bool = False) -> bool:
    """The deadline decides what the teacher left open: a 'high' best match is confirmed,
    anything else is left without a student and flagged. First writer wins: essays the
    teacher already decided are untouched."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != S.AWAITING_STUDENT_VALIDATION:
            return False
        if not force and (batch.validation_deadline is None or batch.validation_deadline > now):
            return False
        undecided = list(_undecided(batch))
        top = _top_suggested_students(undecided)
        verdicts = [Verdict(a, top.get(a.essay_id)) if a.match_level == MatchLevel.HIGH
                    else Verdict(a, NO_STUDENT, needs_attention=True) for a in undecided]
        _decisions_apply(batch, verdicts, DecisionMethod.TIMEOUT, None)
        flagged = sum(1 for verdict in verdicts if verdict.needs_attention)
        # One event the teacher sees in the timeline (and live): what the deadline decided.
        event_record(batch, "batch.validation.timed_out", {
            "deadline": batch.validation_deadline.isoformat() if batch.validation_deadline else None,
            "forced": force,
            "decided": len(undecided),
            "confirmed_high_confidence": len(undecided) - flagged,
            "left_without_student": flagged,
        })
        associations_confirm_if_complete(batch)
    logger.info("validation timeout applied", extra={"batch_id": str(batch_id),
                                                     "decided": len(undecided)})
    return True

