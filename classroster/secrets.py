"""Secrets of school connections, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key is ``HULEEDU_CREDENTIALS_KEY`` (a Fernet key: ``python -c "from cryptography.fernet
import Fernet; print(Fernet.generate_key().decode())"``) or, when unset, one derived from
``SECRET_KEY``. Read from the environment here rather than from settings so that the key can
be rotated without a settings change; changing either key makes stored secrets unreadable,
and staff must enter them again (the admin says so).
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from huleedu.errors import DomainError


def _fernet() -> Fernet:
    key = os.environ.get("HULEEDU_CREDENTIALS_KEY", "").strip()
    if key:
        return Fernet(key.encode())
    # A distinct purpose string, so this key is never the same bytes Django signs with.
    digest = hashlib.sha256(b"huleedu.credentials:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DomainError(
            "The connection's stored secret cannot be read (was the key changed?); "
            "staff must enter it again.",
            code="connection_secret_unreadable",
        ) from exc
