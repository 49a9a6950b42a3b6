from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from batches.models import Batch
from huleedu.errors import DomainError, NotFound
from huleedu.ids import parse_id
from outbox.models import BatchEvent


def _count_of(related: QuerySet) -> Coalesce:
    """A count of the batch's related rows as a subquery: counting two relations through joins
    would multiply them (30 essays x 30 associations = 900 rows per batch to de-duplicate)."""
    per_batch = (related.filter(batch=OuterRef("pk")).order_by().values("batch")
                 .annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(per_batch), 0)


def batches_with_counts() -> QuerySet[Batch]:
    """Batches with what their API representation counts: essays received and failed,
    associations to decide and decided (one annotating query; serializers only read).

    The essays and their associations belong to apps above this one; they are reached through
    the batch's own relations, which those apps declare, not by importing them."""
    essays = Batch._meta.get_field("essays").related_model
    associations = Batch._meta.get_field("associations").related_model
    return Batch.objects.select_related("school_class", "owner").annotate(
        essay_count=_count_of(essays._default_manager.all()),
        failed_count=_count_of(essays._default_manager.filter(status=essays.Status.FAILED)),
        decided_count=_count_of(associations._default_manager.exclude(method="")),
        association_count=_count_of(associations._default_manager.all()),
    )


def batches_visible_to(user: AbstractBaseUser) -> QuerySet[Batch]:
    batches = batches_with_counts()
    return batches if user.is_staff else batches.filter(owner=user)


def batch_get_for_user(user: AbstractBaseUser, batch_id: object) -> Batch:
    """The batch, if this user may see it; another teacher's batch is simply not found."""
    return _visible_batch(user, batch_id, Batch.objects.all())


def batch_detail_for_user(user: AbstractBaseUser, batch_id: object) -> Batch:
    """``batch_get_for_user`` with the counts its API representation shows."""
    return _visible_batch(user, batch_id, batches_with_counts())


def _visible_batch(user: AbstractBaseUser, batch_id: object, batches: QuerySet[Batch]) -> Batch:
    pk = parse_id(batch_id, what="batch")
    batch = batches.filter(pk=pk).first()
    if batch is None or not (user.is_staff or batch.owner_id == user.pk):
        raise NotFound(f"No batch with id '{pk}'.", code="batch_not_found")
    return batch


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
