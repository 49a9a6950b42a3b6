"""Sign-ins end everywhere at once: logging out closes that session's sockets, and a new
password revokes the teacher's API tokens and ends their other sessions' sockets.

Connected in ``AccountsConfig.ready()``.
"""

from __future__ import annotations

import hashlib
import logging
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from huleedu import live_push

logger = logging.getLogger(__name__)


def teacher_group(user_id: int) -> str:
    """The channel-layer group of all of one teacher's sockets."""
    return f"teacher.{user_id}"


def session_group(session_key: str) -> str:
    """The channel-layer group of one session's sockets (the key itself never leaves Django)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def session_still_signs_in(session_key: str, user_pk: object) -> bool:
    """Does this session still sign in this user: not logged out, not expired, and made
    with the user's current password? (As Django decides it for an HTTP request.)"""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    return bool(user.is_authenticated and user.pk == user_pk)


def on_logged_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        # Best effort (a failure is logged): the sockets' periodic re-check closes them anyway.
        live_push.group_send(session_group(session_key), {"type": "session.ended"})


def on_user_saved(
    sender: type[AbstractBaseUser],
    instance: AbstractBaseUser,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """A changed password revokes the user's API tokens, and their sockets check their session
    (whose password hash no longer matches)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    Token.objects.filter(user_id=instance.pk).delete()
    user_pk = instance.pk
    transaction.on_commit(lambda: live_push.group_send(teacher_group(user_pk), {"type": "session.check"}))
