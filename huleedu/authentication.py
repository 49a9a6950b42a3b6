"""API token authentication, as DRF's, with its lookup plain statements, and tokens that
expire (``HULEEDU_TOKEN_LIFETIME_SECONDS`` after they were issued).

Every API request authenticates, and DRF's ``select_related`` join costs about 1 ms of CPU to
build on the web processes: as much as the rest of a short request's statements together.
A password change deletes the user's tokens (``huleedu.live_sessions``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from huleedu.rows import rows


def token_is_expired(token: Token) -> bool:
    return token.created <= timezone.now() - timedelta(seconds=settings.TOKEN_LIFETIME_SECONDS)


def token_issue(*, user: AbstractBaseUser) -> Token:
    """The user's API token: the current one while it lives, else a new one."""
    with transaction.atomic():
        token, created = Token.objects.select_for_update().get_or_create(user=user)
        if not created and token_is_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; the same answers as DRF's for unknown keys and
    inactive users, and an expired token is refused like an unknown one."""

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        found = rows(Token, key=key)
        if not found or token_is_expired(found[0]):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        users = rows(get_user_model(), pk=token.user_id)
        if not users or not users[0].is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = users[0]
        return users[0], token
