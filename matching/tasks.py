"""django-q2 entry points: thin adapters into services."""

from __future__ import annotations

from huleedu.tasks import fresh_connection
from matching.services import validation_timeouts_apply


def apply_validation_timeouts() -> int:
    fresh_connection()
    return validation_timeouts_apply()
