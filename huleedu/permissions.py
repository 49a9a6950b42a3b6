"""Staff rights in the API follow Django's model permissions.

Staff see every class and batch (the selectors). Changing one that is not their own needs the
model's change permission, as in the admin: a staff account with view rights only reads.
Routes name their object by URL (``batch_id``, ``class_id``, ``essay_id``), so the rule sits
here once, for every write route, present and future.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

# URL argument → (the model it names, the path from that model to its owner, the permission a
# change needs). Models are looked up by label: this rule serves every app and imports none.
OWNED_BY_URL_ARGUMENT = (
    ("batch_id", "batches.Batch", "owner_id", "batches.change_batch"),
    # a decision: the essay's batch decides whose it is
    ("essay_id", "essays.Essay", "batch__owner_id", "matching.change_studentassociation"),
    ("class_id", "classroster.SchoolClass", "owner_id", "classroster.change_schoolclass"),
)


def _owner_of(kwargs: dict[str, Any]) -> tuple[str, object] | None:
    """The permission a write on this route's object needs, and the object's owner id (None
    when there is no such object: the view answers 404)."""
    # Imported here: DRF imports this module while huleedu.errors is still importing DRF.
    from huleedu.errors import NotFound
    from huleedu.ids import parse_id

    for argument, model_label, owner_path, permission in OWNED_BY_URL_ARGUMENT:
        if argument not in kwargs:
            continue
        try:
            object_id = parse_id(kwargs[argument], what=argument.removesuffix("_id"))
        except NotFound:
            return None
        owner = (apps.get_model(model_label)._default_manager.filter(pk=object_id)
                 .values_list(owner_path, flat=True).first())
        return permission, owner
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
