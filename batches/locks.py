"""Row locks in one place, always taken in the same order: batch first, then its rows."""

from __future__ import annotations

from uuid import UUID

from batches.models import Batch
from huleedu.correlation import batch_correlation_remember


def batch_lock(batch_id: UUID | str) -> Batch:
    """Lock one batch row for the rest of the current transaction (every write to a batch
    and its essays starts here)."""
    batch = Batch.objects.select_for_update(of=("self",)).filter(pk=batch_id).first()
    if batch is None:
        raise Batch.DoesNotExist(f"no batch {batch_id}")
    # Log lines about this batch from here on carry its registration correlation id.
    batch_correlation_remember(batch.id, batch.correlation_id)
    return batch
