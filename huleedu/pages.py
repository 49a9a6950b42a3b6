"""Small helpers shared by the server-rendered pages of every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from huleedu.errors import NotFound

T = TypeVar("T")


def get_or_404(
    getter: Callable[[AbstractBaseUser, object], T], user: AbstractBaseUser, object_id: object
) -> T:
    """Call a ``*_get_for_user`` selector; what the user may not see is a plain 404 page."""
    try:
        return getter(user, object_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
