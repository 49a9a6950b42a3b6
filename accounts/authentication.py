"""API token authentication, as DRF's, with tokens that expire
(``HULEEDU_TOKEN_LIFETIME_SECONDS`` after they were issued).

A password change deletes the user's tokens (``accounts.sessions``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


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
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None or token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
