from __future__ import annotations

from django.db.models import QuerySet

from batches.models import Batch
from essays.models import Essay
from matching.selectors import suggestions_prefetch


def batch_essays(batch: Batch) -> QuerySet[Essay]:
    """Essays with what the review needs: suggestions (best first) and the association."""
    return (
        batch.essays.select_related(
            "association", "association__student", "association__decided_by", "student"
        )
        .prefetch_related(suggestions_prefetch())
        .order_by("created_at", "id")
    )
