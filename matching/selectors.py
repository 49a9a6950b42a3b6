from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Left

from batches.models import Batch, BatchStatus
from classroster.models import SchoolClass, Student
from classroster.selectors import class_get_for_user
from essays.models import Essay, EssayStatus
from huleedu.errors import NotFound
from huleedu.ids import parse_id
from matching.engine.cues import declared_author_names
from matching.engine.given_names import nicknames_for
from matching.engine.normalize import fold, name_words
from matching.models import MatchLevel, MatchSuggestion, StudentAssociation


def suggestions_prefetch() -> Prefetch:
    """An essay's suggestions, best first, with their students: what every review view shows."""
    return Prefetch(
        "suggestions", queryset=MatchSuggestion.objects.select_related("student").order_by("rank")
    )


def pending_essays_for_class(school_class: SchoolClass, user: AbstractBaseUser) -> QuerySet[Essay]:
    """Essays of the class's batches that still wait for a student decision: of the user's own
    batches (a batch's essays and decisions belong to the batch's owner); staff see all."""
    essays = Essay.objects.filter(
        batch__school_class=school_class,
        batch__status=BatchStatus.AWAITING_STUDENT_VALIDATION,
        association__method="",
    )
    if not user.is_staff:
        essays = essays.filter(batch__owner=user)
    return (
        essays
        .select_related("association", "batch")
        .prefetch_related(suggestions_prefetch())
        .order_by("batch__created_at", "created_at", "id")
    )


@dataclass(frozen=True)
class EssayRef:
    id: UUID
    batch_id: UUID


def essay_of_users_class(user: AbstractBaseUser, class_id: object, essay_id: object) -> EssayRef:
    """The essay's batch, if the essay is in a batch of that class and the user may see the class."""
    class_pk = parse_id(class_id, what="class")
    try:
        essay_pk = parse_id(essay_id, what="essay")
    except NotFound:
        class_get_for_user(user, class_pk)  # a class the user cannot see is the error to report
        raise
    essays = Essay.objects.filter(pk=essay_pk, batch__school_class_id=class_pk)
    if not user.is_staff:
        essays = essays.filter(batch__owner=user)  # one rule: the batch owner decides
    batch_id = essays.values_list("batch_id", flat=True).first()
    if batch_id is None:
        class_get_for_user(user, class_pk)
        raise NotFound(f"No essay with id '{essay_id}' in this class.", code="essay_not_found")
    return EssayRef(id=essay_pk, batch_id=batch_id)


def association_get(essay_id: UUID) -> StudentAssociation:
    return StudentAssociation.objects.select_related("student", "decided_by").get(essay_id=essay_id)


ATTRIBUTION_COLUMNS = ["essay_id", "filename", "first_name", "last_name", "email", "method", "confidence",
                       "decided_by", "decided_at", "needs_attention", "student_external_id"]


def batch_attributions(batch: Batch) -> list[tuple[object, ...]]:
    """One row per essay of the batch: who it is attributed to, how, by whom and when."""
    essays = (batch.essays.order_by("created_at", "id")
              .select_related("association__student", "association__decided_by"))
    rows = []
    for essay in essays:
        association = getattr(essay, "association", None)
        student = association.student if association else None
        rows.append((
            essay.id, essay.original_filename,
            student.first_name if student else "", student.last_name if student else "",
            (student.email or "") if student else "",
            association.method if association else "",
            f"{association.match_confidence:.2f}" if association else "",
            _decider(association),
            association.decided_at.isoformat() if association and association.decided_at else "",
            "yes" if association and association.needs_attention else "",
            (student.external_id or "") if student else "",  # the school system's id, to join on
        ))
    return rows


def _decider(association: StudentAssociation | None) -> str:
    if association is None or not association.method:
        return ""
    if association.decided_by is not None:
        return association.decided_by.get_username()
    return association.method  # the timeout (or automatic confirmation) decided
# --- the review page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """One essay as the review page shows it."""

    essay: Essay
    association: StudentAssociation | None
    suggestions: list[MatchSuggestion]
    claimed_twice: bool
    # Names the essay's header declares that fit nobody on the roster: offered to add.
    names_not_on_roster: tuple[tuple[str, str], ...] = ()

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
    def strength(self) -> str:
        """The essay's level as the page names it: high / review / weak / none."""
        top = self.top_suggestion
        return top.strength if top else "none"

    @property
    def needs_attention(self) -> bool:
        """What the teacher must look at: an undecided essay that is not a sure match (a doubt,
        a weak or no suggestion, a student claimed twice), or a decision flagged by the deadline."""
        if self.is_failed or self.association is None:
            return False
        if self.claimed_twice or self.association.needs_attention:
            return True
        return not self.is_decided and self.strength != "high"

    @property
    def needs_me(self) -> bool:
        """Shown by the "needs me" filter: anything undecided or needing attention."""
        return self.needs_attention or (self.association is not None and not self.is_decided)

    @property
    def compact(self) -> bool:
        """A decided sure match, as the engine suggested it: one row is enough."""
        association = self.association
        top = self.top_suggestion
        return bool(association and association.is_decided and top and top.strength == "high"
                    and association.student_id == top.student_id and not self.needs_attention)

    @property
    def triage_group(self) -> int:
        """Needs attention, then sure matches to accept, then decided, then unreadable files."""
        if self.needs_attention:
            return 0
        if self.is_failed:
            return 3
        return 2 if self.is_decided or self.association is None else 1

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
            str(association.version) if association else "-",
            "needs-attention" if association and association.needs_attention else "",
            "claimed-twice" if self.claimed_twice else "",
            *(f"{s.pk}:{s.status}" for s in self.suggestions),
            *(f"{first} {last}" for first, last in self.names_not_on_roster),
        ]
        return "|".join(parts)


def natural_key(filename: str) -> tuple[object, ...]:
    """"Uppsats (2)" before "Uppsats (10)": digit runs compare as numbers."""
    parts = re.split(r"(\d+)", filename.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def triage_order(items: list[ReviewItem]) -> list[ReviewItem]:
    return sorted(items, key=lambda item: (item.triage_group, natural_key(item.essay.original_filename)))


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
    def flagged(self) -> list[ReviewItem]:
        """Decided essays the teacher should look at again (e.g. a timeout decision below high)."""
        return [item for item in self.items
                if item.association is not None and item.association.is_decided
                and item.association.needs_attention]

    @property
    def without_student(self) -> list[ReviewItem]:
        """Essays that go on without a student: decided "no student", or unreadable."""
        return [item for item in self.items
                if item.is_failed or (item.association is not None and item.association.is_decided
                                      and item.association.student_id is None)]

    @property
    def needs_attention_count(self) -> int:
        return sum(1 for item in self.items if item.needs_attention)

    @property
    def high_confidence_pending(self) -> int:
        return sum(
            1 for item in self.items
            if item.association is not None and not item.is_decided
            and item.association.match_level == MatchLevel.HIGH
        )


def batch_review(batch: Batch) -> BatchReview:
    """Everything the review page shows for one batch: essays (needs attention first) with
    their suggestions and decisions, the roster, and the roster's gaps (students no essay is
    attributed to, and students two or more essays are attributed to — by decision, else by top
    suggestion)."""
    essays = list(
        batch.essays.select_related("association", "association__student", "association__decided_by")
        .prefetch_related(suggestions_prefetch())
        .order_by("created_at", "id")
    )
    roster = list(Student.objects.filter(school_class_id=batch.school_class_id)) if batch.is_regular else []
    validating = batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
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
    items = [replace(item, claimed_twice=item.attributed_student_id in twice,
                     names_not_on_roster=_names_to_offer(item, roster) if validating else ())
             for item in draft]
    matching_done = batch.suggestions_ready_at is not None
    return BatchReview(
        items=triage_order(items),
        roster=roster,
        unattributed_students=[s for s in roster if s.id not in essays_by_student] if matching_done else [],
        claimed_twice=[RosterGap(student=s, essays=essays_by_student[s.id]) for s in roster if s.id in twice],
    )


def _names_to_offer(item: ReviewItem, roster: list[Student]) -> tuple[tuple[str, str], ...]:
    """Names the essay declares that nobody on the roster carries, for an undecided essay the
    engine found no real match for (at most two: a header, not a class list)."""
    if item.association is None or item.is_decided or item.strength in {"high", "review"}:
        return ()
    on_roster = {frozenset(name_words(fold(student.full_name))) for student in roster}
    offered = [(first, last) for first, last in declared_author_names(item.essay.text)
               if frozenset(name_words(fold(f"{first} {last}"))) not in on_roster]
    return tuple(offered[:2])


def roster_for_picker(roster: list[Student]) -> list[dict[str, object]]:
    """The roster as the page's picker searches it, with the nicknames the engine knows for
    each given name (Kalle for Karl): the engine's data, so the picker and matching agree."""
    return [
        {"id": str(student.id), "name": student.full_name, "first": student.first_name,
         "last": student.last_name, "email": student.email or "",
         "aliases": sorted({nick for word in name_words(student.first_name)
                            for nick, _kind in nicknames_for(fold(word))})}
        for student in sorted(roster, key=lambda s: (fold(s.last_name), fold(s.first_name)))
    ]


def essay_text_with_cues(batch: Batch, essay_id: object) -> tuple[Essay, list[str]]:
    """An essay of the batch with the texts its suggestions' evidence quotes: the review page
    shows the whole text with every place a cue was found marked."""
    essay = batch.essays.filter(pk=parse_id(essay_id, what="essay")).first()
    if essay is None:
        raise NotFound(f"No essay with id '{essay_id}' in this batch.", code="essay_not_found")
    needles = [evidence.get("matched_text", "")
               for evidence_list in essay.suggestions.values_list("evidence", flat=True)
               for evidence in evidence_list or [] if isinstance(evidence, dict)]
    return essay, needles


# The essay list shows a preview of each text.
PREVIEW_CHARACTERS = 600


def batch_essays(batch: Batch) -> QuerySet[Essay]:
    """Essays with what the review needs: suggestions (best first) and the association.

    The list shows a preview, so the database cuts it and the full texts (up to a few
    hundred kB each) stay where they are."""
    return (
        batch.essays.select_related("association", "association__student", "association__decided_by")
        .defer("text")
        .annotate(text_preview=Left("text", PREVIEW_CHARACTERS))
        .prefetch_related(suggestions_prefetch())
        .order_by("created_at", "id")
    )
