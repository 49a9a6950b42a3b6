from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Prefetch, QuerySet

from batches.models import Batch, BatchStatus
from classroster.models import SchoolClass, Student
from classroster.selectors import class_get_for_user
from essays.models import Essay, EssayStatus
from huleedu.errors import NotFound
from huleedu.ids import parse_id
from matching.models import MatchLevel, MatchSuggestion, StudentAssociation


def suggestions_prefetch() -> Prefetch:
    """An essay's suggestions, best first, with their students: what every review view shows."""
    return Prefetch(
        "suggestions", queryset=MatchSuggestion.objects.select_related("student").order_by("rank")
    )


def pending_essays_for_class(school_class: SchoolClass) -> QuerySet[Essay]:
    """Essays of the class's batches that still wait for a student decision."""
    return (
        Essay.objects.filter(
            batch__school_class=school_class,
            batch__status=BatchStatus.AWAITING_STUDENT_VALIDATION,
            association__method="",
        )
        .select_related("association", "batch")
        .prefetch_related(suggestions_prefetch())
        .order_by("batch__created_at", "created_at", "id")
    )


@dataclass(frozen=True)
class EssayRef:
    id: UUID
    batch_id: UUID


def essay_of_users_class(user: AbstractBaseUser, class_id: object, essay_id: object) -> EssayRef:
    """The essay's batch, if the essay is in a batch of that class and the user may see the class.

    On the way to every decision (the hot path), so one plain statement rather than the
    ORM's join (``huleedu.rows`` says why); only a miss asks which id was wrong.
    """
    class_pk = parse_id(class_id, what="class")
    try:
        essay_pk = parse_id(essay_id, what="essay")
    except NotFound:
        class_get_for_user(user, class_pk)  # a class the user cannot see is the error to report
        raise
    batch_id = _essay_batch_in_class(essay_pk, class_pk, None if user.is_staff else user.pk)
    if batch_id is None:
        class_get_for_user(user, class_pk)
        raise NotFound(f"No essay with id '{essay_id}' in this class.", code="essay_not_found")
    return EssayRef(id=essay_pk, batch_id=batch_id)


def _essay_batch_in_class(essay_pk: UUID, class_pk: UUID, owner_pk: object | None) -> UUID | None:
    uuid_param = Essay._meta.pk.get_db_prep_value
    params = [uuid_param(essay_pk, connection), uuid_param(class_pk, connection)]
    owned = ""
    if owner_pk is not None:
        owned = " AND c.owner_id = %s"
        params.append(owner_pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.batch_id FROM {Essay._meta.db_table} e "
            f"JOIN {Batch._meta.db_table} b ON b.id = e.batch_id "
            f"JOIN {SchoolClass._meta.db_table} c ON c.id = b.school_class_id "
            f"WHERE e.id = %s AND c.id = %s{owned}", params)
        row = cursor.fetchone()
    return UUID(str(row[0])) if row else None  # SQLite keeps UUIDs as hex text


# --- the review page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """One essay as the review page shows it."""

    essay: Essay
    association: StudentAssociation | None
    suggestions: list[MatchSuggestion]
    claimed_twice: bool

    @property
    def is_failed(self) -> bool:
        return self.essay.status == EssayStatus.FAILED

    @property
    def is_decided(self) -> bool:
        """Decided, or nothing to decide (an unreadable file never gets a student)."""
        return self.is_failed or bool(self.association and self.association.is_decided)

    @property
    def decision_state(self) -> str:
        return "decided" if self.is_decided else "pending"

    @property
    def top_suggestion(self) -> MatchSuggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def attributed_student_id(self) -> UUID | None:
        """Who the essay is attributed to now: the decision, else the top suggestion."""
        if self.association and self.association.is_decided:
            return self.association.student_id
        top = self.top_suggestion
        return top.student_id if top and not self.is_failed else None

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the page shows for this essay changes (the page swaps it then)."""
        association = self.association
        parts = [
            self.essay.status,
            association.method if association else "-",
            str(association.student_id) if association else "-",
            "needs-attention" if association and association.needs_attention else "",
            "claimed-twice" if self.claimed_twice else "",
            *(f"{s.pk}:{s.status}" for s in self.suggestions),
        ]
        return "|".join(parts)


@dataclass(frozen=True)
class RosterGap:
    student: Student
    essays: list[Essay]


@dataclass(frozen=True)
class BatchReview:
    items: list[ReviewItem]
    roster: list[Student]
    unattributed_students: list[Student]
    claimed_twice: list[RosterGap]

    @property
    def to_decide(self) -> int:
        return sum(1 for item in self.items if item.association is not None)

    @property
    def decided(self) -> int:
        return sum(1 for item in self.items if item.association is not None and item.is_decided)

    @property
    def high_confidence_pending(self) -> int:
        return sum(
            1 for item in self.items
            if item.association is not None and not item.is_decided
            and item.association.match_level == MatchLevel.HIGH
        )


def batch_review(batch: Batch) -> BatchReview:
    """Everything the review page shows for one batch: essays with their suggestions and
    decisions, the roster, and the roster's gaps (students no essay is attributed to, and
    students two or more essays are attributed to — by decision, else by top suggestion)."""
    essays = list(
        batch.essays.select_related("association", "association__student", "association__decided_by")
        .prefetch_related(suggestions_prefetch())
        .order_by("created_at", "id")
    )
    roster = list(Student.objects.filter(school_class_id=batch.school_class_id)) if batch.is_regular else []
    draft = [
        ReviewItem(essay=e, association=getattr(e, "association", None),
                   suggestions=list(e.suggestions.all()), claimed_twice=False)
        for e in essays
    ]
    essays_by_student: dict[UUID, list[Essay]] = defaultdict(list)
    for item in draft:
        if item.attributed_student_id is not None:
            essays_by_student[item.attributed_student_id].append(item.essay)
    twice = {student_id for student_id, claimed in essays_by_student.items() if len(claimed) > 1}
    items = [replace(item, claimed_twice=item.attributed_student_id in twice) for item in draft]
    matching_done = batch.suggestions_ready_at is not None
    return BatchReview(
        items=items,
        roster=roster,
        unattributed_students=[s for s in roster if s.id not in essays_by_student] if matching_done else [],
        claimed_twice=[RosterGap(student=s, essays=essays_by_student[s.id]) for s in roster if s.id in twice],
    )
