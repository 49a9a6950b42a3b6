"""API token authentication, as DRF's, with its lookup made of plain statements.

Every API request authenticates, and DRF's ``select_related`` join costs about 1 ms of CPU to
build on the web processes: as much as the rest of a short request's statements together.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from huleedu.rows import first_row


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; the same answers as DRF's for unknown keys and
    inactive users."""

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        token = first_row(Token, key=key)
        user = first_row(get_user_model(), pk=token.user_id) if token is not None else None
        if token is None or user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token
