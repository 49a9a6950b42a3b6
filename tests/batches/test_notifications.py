"""Live pushes go through the channel layer after commit, from any thread: a web server's
request thread (no event loop), a task, or a request served by Django's ASGI handler."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from accounts.sessions import teacher_group
from batches.notifications import notify_event
from batches.services import batch_register
from huleedu import live_push
from outbox.models import BatchEvent

pytestmark = pytest.mark.django_db


def decided(batch: Any, sequence: int) -> BatchEvent:
    return BatchEvent(
        batch=batch,
        sequence=sequence,
        event_type="essay.student.association.decided",
        payload={"n": sequence},
        created_at=timezone.now(),
    )


def test_pushes_from_a_request_thread_arrive_in_the_order_they_were_made(teacher):
    layer = get_channel_layer()
    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1)
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(teacher_group(teacher.id), channel)

    # A thread with no event loop of its own, as a WSGI server's request thread.
    pushing = threading.Thread(target=lambda: [notify_event(decided(batch, n)) for n in range(1, 41)])
    pushing.start()
    pushing.join(30)
    assert not pushing.is_alive()

    async def receive_all() -> list[int]:
        return [(await layer.receive(channel))["sequence"] for _ in range(40)]

    assert async_to_sync(receive_all)() == list(range(1, 41))


def test_a_web_workers_sender_thread_sends_in_order_without_holding_up_the_request(teacher):
    """In a web worker the request hands its pushes to the process's sender thread (one loop, its
    connection kept) and returns; the pushes still leave in the order they were made."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(teacher_group(teacher.id), channel)
    live_push.live_push_sender_start()
    try:
        sent = [live_push.group_send(teacher_group(teacher.id), {"type": "batch.event", "sequence": n})
                for n in range(1, 41)]
        assert all(future is not None for future in sent)  # handed over, not sent in this thread
        for future in sent:
            future.result(timeout=30)

        async def receive_all() -> list[int]:
            return [(await layer.receive(channel))["sequence"] for _ in range(40)]

        assert async_to_sync(receive_all)() == list(range(1, 41))
    finally:
        live_push.live_push_sender_stop()
    assert live_push.group_send(teacher_group(teacher.id), {"type": "batch.event", "sequence": 0}) is None


def test_a_push_carries_the_event_for_the_owners_group_only(make_teacher):
    owner, other = make_teacher("owner"), make_teacher("other")
    layer = get_channel_layer()
    batch = batch_register(owner=owner, course_code="SVE1", expected_essay_count=1)
    mine, theirs = async_to_sync(layer.new_channel)(), async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(teacher_group(owner.id), mine)
    async_to_sync(layer.group_add)(teacher_group(other.id), theirs)

    notify_event(decided(batch, 7))

    async def receive(channel: str) -> dict[str, Any]:
        return await layer.receive(channel)

    message = async_to_sync(receive)(mine)
    assert message["type"] == "batch.event" and message["sequence"] == 7
    assert message["batch_id"] == str(batch.id) and message["payload"] == {"n": 7}

    async def nothing_for(channel: str) -> bool:
        import asyncio

        try:
            await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return True
        return False

    assert async_to_sync(nothing_for)(theirs)


def test_a_failing_channel_layer_loses_no_change(teacher, settings, caplog):
    # The push is best effort: the page catches up from the events API.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1)
        notify_event(decided(batch, 1))
    finally:
        channel_layers.backends.clear()
    assert "live push failed" in caplog.text
