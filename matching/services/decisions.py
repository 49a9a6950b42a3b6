"""Decisions on who wrote each essay: the teacher's (one, many, or a correction), and the
confirmation that makes the batch ready, once per pass through validation.

Two rules hold for every write here:

* **Versions.** Each association carries ``version`` (0 undecided, +1 per change). A first
  decision needs no version (first writer wins); changing a decision names the version the
  teacher saw, and a stale one is refused with the current decision, so two tabs (or a tab
  and the timeout) never overwrite each other silently.
* **One student, one essay.** A student already attributed to another essay of the batch is
  refused (409 ``student_already_attributed``) unless the teacher allows a second essay for
  this one; bulk acceptance skips such essays, and the batch is never confirmed while two
  essays share a student without that permission.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from batches.locks import batch_lock
from batches.models import CORRECTABLE_STATUSES, OPEN_STATUSES, Batch, BatchStatus
from batches.services import batch_enter_ready, batch_reopen_validation
from classroster.models import Student
from essays import services as essays_services
from essays.models import Essay, EssayStatus
from essays.selectors import batch_ready_manifest
from huleedu.errors import Conflict, DomainError, NotFound
from matching import metrics
from matching.models import DecisionMethod, MatchLevel, MatchSuggestion, StudentAssociation
from outbox.services import events_record
from outbox.types import EventType

logger = logging.getLogger(__name__)

S = BatchStatus
VALIDATING = frozenset({S.AWAITING_STUDENT_VALIDATION})
WITHDRAWABLE = frozenset({S.AWAITING_STUDENT_VALIDATION, S.READY_FOR_PIPELINE_EXECUTION})
_DECISION_FIELDS = ["student", "method", "decided_by", "decided_at", "needs_attention", "version",
                    "allow_second_essay"]


@dataclass(frozen=True)
class Decision:
    """One essay in a bulk request: by this student (None: by no roster student)."""

    essay_id: UUID
    student_id: UUID | None
    allow_second_essay: bool = False


@dataclass(frozen=True)
class Verdict:
    """What one locked association is decided to be."""

    association: StudentAssociation
    student_id: UUID | None
    needs_attention: bool = False
    allow_second_essay: bool = False


# --- one essay -----------------------------------------------------------------------------


def association_decide(
    *,
    batch_id: UUID,
    essay_id: UUID,
    student_id: UUID | None,
    decided_by: AbstractBaseUser,
    expected_version: int | None = None,
    allow_second_essay: bool = False,
) -> StudentAssociation:
    """Decide an undecided essay, or (with ``expected_version``) change its decision."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        association = associations_lock(batch, [essay_id])[essay_id]
        was_decided = association.is_decided
        if expected_version is None:
            refuse_if_decided(association)
        elif association.version != expected_version:
            raise Conflict(gettext("The decision changed since you saw it (another tab or the deadline)."),
                           code="stale_decision", details=decision_details(association))
        if was_decided:
            batch.require_status(CORRECTABLE_STATUSES, action=gettext("change a decision"),
                                 code="not_correctable")
        else:
            batch.require_status(VALIDATING, action=gettext("decide"), code="batch_not_awaiting_validation")
        student_in_class(batch, student_id)
        if student_id is not None and not allow_second_essay:
            refuse_if_attributed(batch, student_id, essay_id=essay_id)
        previous = decision_details(association)
        decisions_write([Verdict(association, student_id, allow_second_essay=allow_second_essay)],
                        DecisionMethod.HUMAN, decided_by)
        if was_decided:
            _correction_record(batch, association, previous, decided_by)
        else:
            decisions_record(batch, [association], decided_by)
        associations_confirm_if_complete(batch)
    return association


def _correction_record(
    batch: Batch, association: StudentAssociation, previous: dict[str, Any], decided_by: AbstractBaseUser
) -> None:
    if batch.status in {S.READY_FOR_PIPELINE_EXECUTION, S.PIPELINE_REQUESTED}:
        # After confirmation the essays carry their student: keep that true.
        Essay.objects.filter(pk=association.essay_id).update(student_id=association.student_id)
    events_record(batch, [(EventType.STUDENT_ASSOCIATION_CORRECTED, {
        "essay_id": str(association.essay_id),
        "from_student_id": previous["student_id"],
        "to_student_id": str(association.student_id) if association.student_id else None,
        "previous_method": previous["method"],
        "after_pipeline_request": batch.status == S.PIPELINE_REQUESTED,
        "version": association.version,
        "decided_by": decided_by.get_username(),
    })])
    logger.info("decision corrected",
                extra={"batch_id": str(batch.id), "essay_id": str(association.essay_id)})


def association_withdraw(
    *, batch_id: UUID, essay_id: UUID, withdrawn_by: AbstractBaseUser, expected_version: int
) -> StudentAssociation:
    """Undo a first decision: the essay is undecided again, versioned like a correction (a
    decision changed meanwhile is 409 ``stale_decision``). The version keeps counting up, so a
    tab that saw the decision cannot change the next one by mistake. A batch that this decision
    made ready goes back to validation; after the pipeline request a decision can only be
    changed, never withdrawn."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        association = associations_lock(batch, [essay_id])[essay_id]
        if association.version != expected_version:
            raise Conflict("The decision changed since you saw it (another tab or the deadline).",
                           code="stale_decision", details=decision_details(association))
        if not association.is_decided:
            raise Conflict("This essay has no decision to withdraw.", code="not_decided",
                           details=decision_details(association))
        batch.require_status(WITHDRAWABLE, action="withdraw a decision", code="not_withdrawable")
        previous = decision_details(association)
        if batch.status == S.READY_FOR_PIPELINE_EXECUTION:
            batch_reopen_validation(batch, reason="decision_withdrawn", by=withdrawn_by)
            Essay.objects.filter(pk=association.essay_id).update(student_id=None)
        _decision_clear(association)
        events_record(batch, [(EventType.STUDENT_ASSOCIATION_WITHDRAWN, {
            "essay_id": str(association.essay_id), "from_student_id": previous["student_id"],
            "previous_method": previous["method"], "version": association.version,
            "withdrawn_by": withdrawn_by.get_username(),
        })])
    return association


def _decision_clear(association: StudentAssociation) -> None:
    association.student_id = None
    association.method = ""
    association.decided_by = None
    association.decided_at = None
    association.needs_attention = False
    association.allow_second_essay = False
    association.version += 1
    association.save(update_fields=_DECISION_FIELDS)
    MatchSuggestion.objects.filter(essay_id=association.essay_id).update(
        status=MatchSuggestion.Status.PENDING_VALIDATION)


# --- many essays ---------------------------------------------------------------------------


def associations_decide_bulk(
    *,
    batch_id: UUID,
    decided_by: AbstractBaseUser,
    accept_high_confidence: bool = False,
    decisions: Iterable[Decision] = (),
) -> dict[str, Any]:
    """Explicit decisions (all or nothing) and/or every undecided 'high' match whose student
    is still free, in one transaction. Essays whose student is taken are skipped, undecided."""
    decisions = list(decisions)
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status(VALIDATING, action=gettext("decide"), code="batch_not_awaiting_validation")
        locked = associations_lock(batch, [d.essay_id for d in decisions])
        taken = attributed_students(batch)
        verdicts = [_explicit_verdict(batch, locked[d.essay_id], d, taken) for d in decisions]
        skipped: list[dict[str, str]] = []
        if accept_high_confidence:
            high = undecided_locked(batch).filter(match_level=MatchLevel.HIGH).exclude(
                essay_id__in=[d.essay_id for d in decisions])
            verdicts += free_high_verdicts(list(high), taken, skipped)
        decisions_write(verdicts, DecisionMethod.HUMAN, decided_by)
        decisions_record(batch, [v.association for v in verdicts], decided_by)
        associations_confirm_if_complete(batch)
        remaining = undecided_locked(batch).count()
    return {"decided": len(verdicts), "remaining": remaining, "skipped": skipped}


def _explicit_verdict(batch: Batch, association: StudentAssociation, decision: Decision,
                      taken: dict[UUID, UUID]) -> Verdict:
    refuse_if_decided(association)
    student_in_class(batch, decision.student_id)
    if decision.student_id is not None:
        other = taken.get(decision.student_id)
        if other is not None and not decision.allow_second_essay:
            raise _already_attributed(decision.student_id, other)
        taken.setdefault(decision.student_id, association.essay_id)
    return Verdict(association, decision.student_id, allow_second_essay=decision.allow_second_essay)


def free_high_verdicts(high: list[StudentAssociation], taken: dict[UUID, UUID],
                        skipped: list[dict[str, str]]) -> list[Verdict]:
    """The most confident claim on a student wins; the others stay for the teacher."""
    top = top_suggested_students(high)
    verdicts = []
    for association in sorted(high, key=lambda a: -a.match_confidence):
        student_id = top.get(association.essay_id)
        if student_id is None:
            continue
        if student_id in taken:
            skipped.append({"essay_id": str(association.essay_id), "student_id": str(student_id),
                            "reason": "student_already_attributed", "other_essay_id": str(taken[student_id])})
            continue
        taken[student_id] = association.essay_id
        verdicts.append(Verdict(association, student_id))
    return verdicts


# --- confirmation ----------------------------------------------------------------------------


def associations_confirm_if_complete(batch: Batch) -> bool:
    """When every provisioned essay has a decision and no student has two essays the teacher
    did not allow: the essays carry their student and the batch is ready (a new pass).

    Runs under the batch lock, and only from AWAITING_STUDENT_VALIDATION, so it happens once
    per pass however many decisions race for the last essay."""
    if batch.status != S.AWAITING_STUDENT_VALIDATION or undecided_essays(batch).exists():
        return False
    decisions = list(StudentAssociation.objects.filter(batch=batch).order_by("essay_id")
                     .values_list("essay_id", "student_id", "method", "allow_second_essay"))
    if _shared_students(decisions):
        return False
    Essay.objects.filter(batch=batch).update(student_id=Subquery(
        StudentAssociation.objects.filter(essay_id=OuterRef("pk")).values("student_id")[:1]))
    by_method: dict[str, int] = {}
    for _, _, method, _ in decisions:
        by_method[method] = by_method.get(method, 0) + 1
    now = timezone.now()
    batch.associations_confirmed_at = now
    metrics.associations_confirmed(by_method=by_method, matching_requested_at=batch.matching_requested_at,
                                   confirmed_at=now)
    batch_enter_ready(batch, manifest=batch_ready_manifest(batch), confirmed={
        "associations": [{"essay_id": str(essay_id), "student_id": str(student_id) if student_id else None,
                          "method": method} for essay_id, student_id, method, _ in decisions],
        "by_method": by_method,
        "without_student": sum(1 for _, student_id, _, _ in decisions if student_id is None),
    })
    return True


def _shared_students(decisions: list[tuple[UUID, UUID | None, str, bool]]) -> set[UUID]:
    """Students on more than one essay where more than one of them lacks the teacher's 'yes'."""
    unpermitted: dict[UUID, int] = {}
    for _, student_id, _, allowed in decisions:
        if student_id is not None and not allowed:
            unpermitted[student_id] = unpermitted.get(student_id, 0) + 1
    return {student_id for student_id, count in unpermitted.items() if count > 1}


def batch_reopen(*, batch_id: UUID, reopened_by: AbstractBaseUser) -> Batch:
    """Staff: take a READY batch back into validation (its decisions stand, and can be changed)."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status({S.READY_FOR_PIPELINE_EXECUTION}, action=gettext("reopen validation"),
                             code="not_ready")
        if not batch.is_regular:
            raise Conflict(gettext("A batch without a class has nothing to validate."), code="guest_batch")
        batch_reopen_validation(batch, reason="reopened", by=reopened_by)
    return batch


# --- shared by decisions and the timeout ---------------------------------------------------------


def decisions_write(verdicts: list[Verdict], method: str, decided_by: AbstractBaseUser | None) -> None:
    """The one write path of every decision: the associations (one UPDATE) and their
    suggestions' statuses (one UPDATE). The caller holds the batch lock and the rows' locks."""
    if not verdicts:
        return
    now = timezone.now()
    for verdict in verdicts:
        association = verdict.association
        association.student_id = verdict.student_id
        association.method = method
        association.decided_by = decided_by
        association.decided_at = now
        association.needs_attention = verdict.needs_attention
        association.allow_second_essay = verdict.allow_second_essay
        association.version += 1
    StudentAssociation.objects.bulk_update([v.association for v in verdicts], _DECISION_FIELDS)
    confirmed = [When(essay_id=v.association.essay_id, student_id=v.student_id,
                      then=Value(MatchSuggestion.Status.CONFIRMED))
                 for v in verdicts if v.student_id is not None]
    MatchSuggestion.objects.filter(essay_id__in=[v.association.essay_id for v in verdicts]).update(
        status=Case(*confirmed, default=Value(MatchSuggestion.Status.REJECTED)))


def decisions_record(batch: Batch, associations: list[StudentAssociation],
                     decided_by: AbstractBaseUser | None) -> None:
    """One audit event per decision (the timeline and the live page read them)."""
    decided_by_name = decided_by.get_username() if decided_by else None
    events_record(batch, [
        (EventType.ESSAY_STUDENT_ASSOCIATION_DECIDED,
         {**decision_details(association), "decided_by": decided_by_name,
          "needs_attention": association.needs_attention})
        for association in associations
    ])


def decision_details(association: StudentAssociation) -> dict[str, Any]:
    return {
        "essay_id": str(association.essay_id),
        "student_id": str(association.student_id) if association.student_id else None,
        "method": association.method or None,
        "version": association.version,
        "decided_at": association.decided_at.isoformat() if association.decided_at else None,
    }


def refuse_if_decided(association: StudentAssociation) -> None:
    if not association.is_decided:
        return
    if association.method == DecisionMethod.TIMEOUT:
        raise Conflict(gettext("The validation deadline passed and this essay was decided automatically; "
                         "send expected_version to change it."),
                       code="decided_by_timeout", details=decision_details(association))
    raise Conflict(gettext("This essay is already decided; send expected_version to change it."),
                   code="already_decided", details=decision_details(association))


def refuse_if_attributed(batch: Batch, student_id: UUID, *, essay_id: UUID) -> None:
    other = (StudentAssociation.objects.filter(batch=batch, student_id=student_id).exclude(method="")
             .exclude(essay_id=essay_id).values_list("essay_id", flat=True).first())
    if other is not None:
        raise _already_attributed(student_id, other)


def _already_attributed(student_id: UUID, other_essay_id: UUID) -> Conflict:
    return Conflict(
        gettext('This student is already attributed to another essay of the batch. Send '
          '"allow_second_essay": true if they really wrote both.'),
        code="student_already_attributed",
        details={"essay_id": str(other_essay_id), "student_id": str(student_id)},
    )


def attributed_students(batch: Batch) -> dict[UUID, UUID]:
    """Student → an essay of the batch decided to be theirs."""
    pairs = (StudentAssociation.objects.filter(batch=batch, student__isnull=False).exclude(method="")
             .order_by("decided_at").values_list("student_id", "essay_id"))
    taken: dict[UUID, UUID] = {}
    for student_id, essay_id in pairs:
        taken.setdefault(student_id, essay_id)
    return taken


def associations_lock(batch: Batch, essay_ids: list[UUID]) -> dict[UUID, StudentAssociation]:
    """Lock these essays' associations in one query; the first id that has none is a 404."""
    locked = {a.essay_id: a for a in StudentAssociation.objects.select_for_update(of=("self",))
              .filter(batch=batch, essay_id__in=essay_ids).order_by("essay_id")}
    for essay_id in essay_ids:
        if essay_id not in locked:
            raise NotFound(gettext("No essay with that id awaits a student decision in this batch."),
                           code="essay_not_found", details={"essay_id": str(essay_id)})
    return locked


def undecided_locked(batch: Batch) -> QuerySet[StudentAssociation]:
    return (StudentAssociation.objects.select_for_update(of=("self",)).filter(batch=batch, method="")
            .order_by("essay_id"))


def undecided_essays(batch: Batch) -> QuerySet[Essay]:
    """Provisioned essays without a decision (a late essay may not even be matched yet)."""
    return batch.essays.filter(status=EssayStatus.PROVISIONED).filter(
        Q(association__isnull=True) | Q(association__method=""))


def student_in_class(batch: Batch, student_id: UUID | None) -> None:
    if student_id is None:
        return
    if not Student.objects.filter(pk=student_id, school_class_id=batch.school_class_id).exists():
        raise DomainError(gettext("That student is not on this batch's class roster."),
                          code="student_not_in_class", details={"student_id": str(student_id)})


def top_suggested_students(associations: list[StudentAssociation]) -> dict[UUID, UUID]:
    """Each essay's best suggestion's student, for all of them in one query."""
    return dict(MatchSuggestion.objects.filter(essay_id__in=[a.essay_id for a in associations], rank=1)
                .values_list("essay_id", "student_id"))


def essay_remove(*, batch_id: UUID, essay_id: UUID, removed_by: AbstractBaseUser) -> None:
    """Take an essay out of the batch (``essays.services.essay_remove``); if every essay left is
    decided, the batch's associations are confirmed in the same transaction."""
    with transaction.atomic():
        essays_services.essay_remove(batch_id=batch_id, essay_id=essay_id, removed_by=removed_by)
        associations_confirm_if_complete(batch_lock(batch_id))


def student_uses(student: Student) -> dict[str, bool]:
    """What ties a roster student to essays here: a decision anywhere, or a suggestion in a batch
    that is still open (``classroster.services.student_delete`` asks)."""
    return {
        "decided": StudentAssociation.objects.filter(student=student).exists(),
        "suggested": MatchSuggestion.objects.filter(
            student=student, essay__batch__status__in=OPEN_STATUSES).exists(),
    }
