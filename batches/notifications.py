"""Live notifications to the teacher's browser tabs (best effort; the database is the truth).

A page that missed a push catches up from ``/api/v1/batches/{id}/events/?after=<sequence>``,
so a push never holds up the work that caused it:

* in a web process, the request thread hands the push to daphne's event loop and returns;
  the loop sends this process's pushes one after another, in the order they were handed over
  (a teacher who changes their mind twice must see the second decision last);
* elsewhere (qcluster workers, management commands, tests) it is sent before returning.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from accounts.sessions import teacher_group
from huleedu.server import server_loop
from outbox.models import BatchEvent

logger = logging.getLogger(__name__)

_in_order: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def notify_event(event: BatchEvent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    group = teacher_group(event.batch.owner_id)
    message = {
        "type": "batch.event",
        "sequence": event.sequence,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "batch_id": str(event.batch_id),
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }
    loop = server_loop()
    if loop is not None:
        pushed = asyncio.run_coroutine_threadsafe(_send_in_order(layer, group, message), loop)
        pushed.add_done_callback(lambda done: _log_failure(done, event.event_type))
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a dropped push is recovered by the page asking for ?after=<sequence>
        logger.exception("live notification failed", extra={"event_type": event.event_type})


async def _send_in_order(layer: Any, group: str, message: dict[str, Any]) -> None:
    # Runs on the serving loop; asyncio.Lock wakes its waiters first come, first served, and
    # coroutines handed over by run_coroutine_threadsafe start in the order they were handed.
    lock = _in_order.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        await layer.group_send(group, message)


def _log_failure(done: Future, event_type: str) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.error("live notification failed", exc_info=done.exception(), extra={"event_type": event_type})
