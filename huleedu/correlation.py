"""The correlation id of the work in progress, carried through requests, tasks and logs."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_current_batch: contextvars.ContextVar[str | None] = contextvars.ContextVar("batch_id", default=None)

# Accept what integrators send (UUIDs, request ids) but never let a header inject log noise.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def clean_correlation_id(raw: str | None) -> str:
    if raw and _SAFE_ID.match(raw):
        return raw
    return str(uuid.uuid4())


def get_correlation_id() -> str | None:
    return _current.get()


def get_batch_id() -> str | None:
    return _current_batch.get()


@contextmanager
def bound(correlation_id: str | None, batch_id: str | None = None) -> Iterator[None]:
    token = _current.set(correlation_id)
    batch_token = _current_batch.set(batch_id) if batch_id else None
    try:
        yield
    finally:
        _current.reset(token)
        if batch_token is not None:
            _current_batch.reset(batch_token)
