"""Live pushes from a serving process: handed to its event loop, never blocking, in order."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from accounts.sessions import teacher_group
from batches.notifications import notify_event
from batches.services import batch_register
from huleedu import server
from outbox.models import BatchEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def serving_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in its own thread, recorded the way daphne's is: by serving a
    request through ``remember_server_loop``."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        return None

    asyncio.run_coroutine_threadsafe(server.remember_server_loop(app)({}, None, None), loop).result(5)
    assert server.server_loop() is loop
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()
    server._server_loop = None


def test_pushes_from_a_request_thread_arrive_in_the_order_they_were_made(teacher, serving_loop):
    layer = get_channel_layer()
    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1)
    channel = asyncio.run_coroutine_threadsafe(layer.new_channel(), serving_loop).result(5)
    joined = layer.group_add(teacher_group(teacher.id), channel)
    asyncio.run_coroutine_threadsafe(joined, serving_loop).result(5)

    # The loop is busy for a second (as under load): a request thread must not wait for it.
    serving_loop.call_soon_threadsafe(time.sleep, 1.0)
    started = time.perf_counter()
    for sequence in range(1, 41):
        event = BatchEvent(batch=batch, sequence=sequence, event_type="essay.student.association.decided",
                           payload={"n": sequence}, created_at=timezone.now())
        notify_event(event)
    handed_over = time.perf_counter() - started
    assert handed_over < 0.5

    async def receive_all() -> list[int]:
        return [(await layer.receive(channel))["sequence"] for _ in range(40)]

    received = asyncio.run_coroutine_threadsafe(receive_all(), serving_loop).result(10)
    assert received == list(range(1, 41))
