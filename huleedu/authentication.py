"""API token authentication, as DRF's, with its lookup one plain statement.

Every API request authenticates, and DRF's ``select_related`` join costs about 1 ms of CPU to
build on the web processes: as much as the rest of a short request's statements together.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from huleedu.rows import referenced_row


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; the same answers as DRF's for unknown keys and
    inactive users."""

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        user = referenced_row(get_user_model(), by=Token, key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # The token as the ORM would load it without its creation time (read on first access).
        token = Token.from_db(user._state.db, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token
