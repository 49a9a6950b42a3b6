from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from batches.models import Batch, BatchEvent
from essays.models import Essay, EssayStatus
from huleedu.errors import DomainError, NotFound
from huleedu.ids import parse_id
from huleedu.rows import first_row
from matching.models import StudentAssociation


def _count_of(related: QuerySet) -> Coalesce:
    """A count of the batch's related rows as a subquery: counting two relations through joins
    would multiply them (30 essays x 30 associations = 900 rows per batch to de-duplicate)."""
    per_batch = (related.filter(batch=OuterRef("pk")).order_by().values("batch")
                 .annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(per_batch), 0)


def batches_visible_to(user: AbstractBaseUser) -> QuerySet[Batch]:
    batches = Batch.objects.select_related("school_class", "owner").annotate(
        essay_count=_count_of(Essay.objects.all()),
        failed_count=_count_of(Essay.objects.filter(status=EssayStatus.FAILED)),
        decided_count=_count_of(StudentAssociation.objects.exclude(method="")),
        association_count=_count_of(StudentAssociation.objects.all()),
    )
    return batches if user.is_staff else batches.filter(owner=user)


def batch_get_for_user(user: AbstractBaseUser, batch_id: object) -> Batch:
    """The batch, if this user may see it; another teacher's batch is simply not found.

    Every batch request starts here (clients poll it), so it is one plain statement
    (``huleedu.rows``); ``batch_counts`` gives the counts the list annotates."""
    pk = parse_id(batch_id, what="batch")
    batch = first_row(Batch, pk=pk)
    if batch is None or not (user.is_staff or batch.owner_id == user.pk):
        raise NotFound(f"No batch with id '{pk}'.", code="batch_not_found")
    return batch


def batch_counts(batch: Batch) -> dict[str, int]:
    """Essays received and failed, associations to decide and decided, in one statement."""
    essays, associations = Essay._meta.db_table, StudentAssociation._meta.db_table
    batch_id = Batch._meta.pk.get_db_prep_value(batch.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {essays} WHERE batch_id = %s), "
            f"(SELECT COUNT(*) FROM {essays} WHERE batch_id = %s AND status = %s), "
            f"(SELECT COUNT(*) FROM {associations} WHERE batch_id = %s), "
            f"(SELECT COUNT(*) FROM {associations} WHERE batch_id = %s AND method <> '')",
            [batch_id, batch_id, EssayStatus.FAILED, batch_id, batch_id],
        )
        uploaded, failed, to_decide, decided = cursor.fetchone()
    return {"uploaded": uploaded, "failed": failed, "to_decide": to_decide, "decided": decided}


def batch_timeline(batch: Batch, *, after: object = None, limit: int = 500) -> QuerySet[BatchEvent]:
    events = batch.events.order_by("sequence")
    if after not in (None, ""):
        try:
            after_sequence = int(str(after))
        except ValueError as exc:
            raise DomainError("'after' must be an event sequence number.", code="invalid_after") from exc
        events = events.filter(sequence__gt=after_sequence)
    return events[:limit]


def batch_last_event_sequence(batch: Batch) -> int:
    """The sequence of the batch's newest event (0 if none): where a live page resumes from."""
    return batch.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
