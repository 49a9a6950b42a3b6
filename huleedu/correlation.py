"""The correlation id of the work in progress, carried through requests, tasks and logs."""

from __future__ import annotations

import contextvars
import re
import threading
import uuid
from collections import OrderedDict
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


# --- the correlation id of each batch ---------------------------------------------------------
# A batch keeps the correlation id of the request that registered it, and every log line about
# the batch carries it (the log filter looks it up here), whichever request or task is working
# on the batch. A batch's correlation id never changes, so this process-wide memo can never be
# stale, only forgetful: it is filled whenever a batch is locked, bounded, and least recently
# used ids are dropped first.
_BATCH_CORRELATION_MEMO_SIZE = 10_000
_batch_correlation: OrderedDict[str, str] = OrderedDict()
_batch_correlation_lock = threading.Lock()


def batch_correlation_remember(batch_id: object, correlation_id: str) -> None:
    key = str(batch_id)
    with _batch_correlation_lock:
        _batch_correlation[key] = correlation_id
        _batch_correlation.move_to_end(key)
        while len(_batch_correlation) > _BATCH_CORRELATION_MEMO_SIZE:
            _batch_correlation.popitem(last=False)


def batch_correlation_id(batch_id: object) -> str | None:
    """The registration correlation id of a batch this process has worked on, if known."""
    with _batch_correlation_lock:
        return _batch_correlation.get(str(batch_id))
