"""Sending to the channel layer from synchronous code (the live pushes to teachers' pages).

``async_to_sync(layer.group_send)`` in a thread with no event loop (a gunicorn request
thread) starts a thread, an event loop and a Redis connection for every message: 2.6 ms of
CPU and 6.5 ms of wall time per push, inside the request (docs/operations.md, "Serving
HTTP"). A web worker therefore runs one sender: a thread of its own with one event loop that
keeps its connections, started by gunicorn's ``post_worker_init`` hook (gunicorn.conf.py).
Requests hand it their messages and return; it sends them one after another in the order they
were handed over, so a teacher who changes their mind twice sees the second decision last.

Everywhere else (qcluster workers, management commands, tests) a message is sent before
``group_send`` returns, as before. Either way a push is best effort: a page that missed one
catches up from the events API.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


class _Sender:
    """One event loop on a daemon thread; messages are sent in the order they are handed over."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="live-push", daemon=True)
        self.thread.start()
        self.in_order = asyncio.Lock()  # bound to self.loop on first use (Python ≥ 3.10)

    def send(self, layer: Any, group: str, message: dict[str, Any]) -> Future:
        # run_coroutine_threadsafe starts coroutines in the order they were handed over, and the
        # lock wakes its waiters first come, first served.
        sent = asyncio.run_coroutine_threadsafe(self._send(layer, group, message), self.loop)
        sent.add_done_callback(_log_failure)
        return sent

    async def _send(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        async with self.in_order:
            await layer.group_send(group, message)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


_sender: _Sender | None = None


def live_push_sender_start() -> None:
    """Send this process's pushes from a thread of their own (a web worker, after it forked)."""
    global _sender
    if _sender is None or _sender.pid != os.getpid():
        _sender = _Sender()


def live_push_sender_stop() -> None:
    global _sender
    if _sender is not None and _sender.pid == os.getpid():
        _sender.stop()
    _sender = None


def group_send(group: str, message: dict[str, Any]) -> Future | None:
    """Send ``message`` to ``group``: handed to this process's sender if it runs one (the future
    of its sending), else sent before returning (None). A failure is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return None
    sender = _sender
    if sender is not None and sender.pid == os.getpid():
        return sender.send(layer, group, message)
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a dropped push is recovered by the page asking for ?after=<sequence>
        logger.exception("live push failed", extra={"group_kind": group.split(".", 1)[0],
                                                    "message_type": message.get("type")})
    return None


def _log_failure(sent: Future) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        logger.error("live push failed", exc_info=sent.exception())
