"""Deployment checks of our own, run by ``manage.py check --deploy``.

Django's W009 looks at the key's shape only; the embedded default makes a random key of its
own, so Django would pass it. A deployment must bring its key from the environment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs: Any, **kwargs: Any) -> list[Error]:
    key = settings.SECRET_KEY_FROM_ENV
    if key and key not in settings.PUBLIC_SECRET_KEYS:
        return []
    return [Error(
        "DJANGO_SECRET_KEY is not set (or is a published development key).",
        hint="Set DJANGO_SECRET_KEY to a long random value, e.g. the output of "
             "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
        id="huleedu.E001",
    )]
