from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from batches.models import BatchStatus
from classroster.models import SchoolClass
from essays.models import Essay
from matching.models import MatchSuggestion


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


def essay_of_class(school_class: SchoolClass, essay_id: object) -> Essay | None:
    return (
        Essay.objects.filter(pk=essay_id, batch__school_class=school_class).select_related("batch").first()
    )
