from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Left

from batches.models import Batch
from essays.models import Essay
from matching.selectors import suggestions_prefetch

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
