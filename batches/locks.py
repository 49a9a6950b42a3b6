"""Row locks in one place, always taken in the same order: batch first, then its rows."""

from __future__ import annotations

from uuid import UUID

from batches.models import Batch


def batch_lock(batch_id: UUID | str) -> Batch:
    """Lock one batch row for the rest of the current transaction."""
    return Batch.objects.select_for_update(of=("self",)).select_related(None).get(pk=batch_id)
