from __future__ import annotations

from uuid import UUID

from huleedu.errors import NotFound


def parse_id(value: object, *, what: str) -> UUID:
    """An id from a URL or body; anything that is not a UUID is simply not found."""
    try:
        return UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        code = f"{what.replace(' ', '_')}_not_found"
        raise NotFound(f"No {what} with id '{str(value)[:64]}'.", code=code) from exc
