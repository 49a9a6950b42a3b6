from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.db.models.functions import Left

from batches.models import Batch
from essays.models import Essay
from huleedu.errors import NotFound
from huleedu.ids import parse_id
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


def essay_original_for_owner(user: AbstractBaseUser, batch_id: object, essay_id: object) -> Essay:
    """An essay whose uploaded original the user may open: only the batch's owner may (staff
    read essays' text in the admin, never the students' files). Anyone else: not found."""
    batch_pk = parse_id(batch_id, what="batch")
    essay_pk = parse_id(essay_id, what="essay")
    essay = (Essay.objects.filter(pk=essay_pk, batch_id=batch_pk, batch__owner_id=user.pk)
             .exclude(original_file="").defer("text").first())
    if essay is None:
        raise NotFound(f"No original file for essay '{essay_pk}' in this batch.", code="original_not_found")
    return essay
