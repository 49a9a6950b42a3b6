"""Staff rights in the API follow Django's model permissions.

Staff see every class and batch (the selectors). Changing one that is not their own needs the
model's change permission, as in the admin: a staff account with view rights only reads.
Routes name their object by URL (``batch_id``, ``class_id``, ``essay_id``), so the rule sits
here once, for every write route, present and future.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


def _owner_of(kwargs: dict[str, Any]) -> tuple[str, object] | None:
    """The permission a write on this route's object needs, and the object's owner id (None
    when there is no such object: the view answers 404)."""
    # Imported here: DRF imports this module while huleedu.errors is still importing DRF.
    from batches.models import Batch
    from classroster.models import SchoolClass
    from essays.models import Essay
    from huleedu.errors import NotFound
    from huleedu.ids import parse_id

    try:
        if "batch_id" in kwargs:
            owner = (Batch.objects.filter(pk=parse_id(kwargs["batch_id"], what="batch"))
                     .values_list("owner_id", flat=True).first())
            return "batches.change_batch", owner
        if "essay_id" in kwargs:  # a decision: the essay's batch decides whose it is
            owner = (Essay.objects.filter(pk=parse_id(kwargs["essay_id"], what="essay"))
                     .values_list("batch__owner_id", flat=True).first())
            return "matching.change_studentassociation", owner
        if "class_id" in kwargs:
            owner = (SchoolClass.objects.filter(pk=parse_id(kwargs["class_id"], what="class"))
                     .values_list("owner_id", flat=True).first())
            return "classroster.change_schoolclass", owner
    except NotFound:
        return None
    return None


def staff_may_change(user: AbstractBaseUser, kwargs: dict[str, Any]) -> bool:
    target = _owner_of(kwargs)
    if target is None:
        return True  # a new object of their own, or nothing there (404)
    permission, owner = target
    return owner is None or owner == user.pk or user.has_perm(permission)


class StaffWritesNeedChangePermission(BasePermission):
    message = ("Staff accounts may read every class and batch, but changing another teacher's "
               "needs the change permission on it.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if request.method in SAFE_METHODS or not getattr(user, "is_staff", False):
            return True
        return staff_may_change(user, getattr(view, "kwargs", {}) or {})
