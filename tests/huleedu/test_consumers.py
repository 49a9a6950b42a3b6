"""The teacher WebSocket through the whole ASGI stack (origin check, session auth, groups)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from batches.services import batch_register
from huleedu.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")  # a browser's socket names the host it connects to


def session_headers(user: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), ORIGIN, HOST]


async def messages_for(communicator: WebsocketCommunicator, seconds: float) -> list[dict]:
    """Everything the socket receives within ``seconds``."""
    received: list[dict] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        if await communicator.receive_nothing(timeout=min(left, 0.2)):
            continue
        received.append(await communicator.receive_json_from())
    return received


def test_an_anonymous_socket_is_refused():
    async def scenario() -> None:
        communicator = WebsocketCommunicator(application, "/ws/teacher/", headers=[ORIGIN, HOST])
        connected, code = await communicator.connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()


def test_a_socket_from_a_foreign_origin_is_refused(teacher):
    headers = [h for h in session_headers(teacher) if h[0] != b"origin"] + [(b"origin", b"https://evil.example")]

    async def scenario() -> None:
        communicator = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        connected, _ = await communicator.connect()
        assert not connected

    async_to_sync(scenario)()


def test_each_teacher_receives_only_their_own_events(make_teacher):
    anna, bertil = make_teacher("anna"), make_teacher("bertil")
    anna_headers, bertil_headers = session_headers(anna), session_headers(bertil)

    async def scenario() -> None:
        anna_socket = WebsocketCommunicator(application, "/ws/teacher/", headers=anna_headers)
        bertil_socket = WebsocketCommunicator(application, "/ws/teacher/", headers=bertil_headers)
        assert (await anna_socket.connect())[0] and (await bertil_socket.connect())[0]
        await anna_socket.send_json_to({"type": "ping"})
        assert await anna_socket.receive_json_from(timeout=5) == {"type": "pong"}

        batch = await sync_to_async(batch_register)(owner=anna, course_code="SVE1", expected_essay_count=2)

        message = await anna_socket.receive_json_from(timeout=10)
        assert message["type"] == "batch.event"
        assert message["batch_id"] == str(batch.id)
        assert message["event_type"] == "batch.essays.registered"
        assert isinstance(message["sequence"], int) and message["event_id"] and message["created_at"]
        assert message["payload"]["expected_essay_count"] == 2
        leaked = [m for m in await messages_for(bertil_socket, 1.5) if m.get("batch_id") == str(batch.id)]
        assert leaked == []
        await anna_socket.disconnect()
        await bertil_socket.disconnect()

    async_to_sync(scenario)()
