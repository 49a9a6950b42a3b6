"""django-q2 entry points: thin adapters into services."""

from __future__ import annotations

from matching.services import validation_timeouts_apply
from outbox.queue import fresh_connection


def apply_validation_timeouts() -> int:
    fresh_connection()
    return validation_timeouts_apply()
