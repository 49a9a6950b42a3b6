"""A teacher's socket lives no longer than its session, and only a page of this very origin
(host and port) may open it."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from batches.services import batch_register
from huleedu.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> tuple[Client, list[tuple[bytes, bytes]]]:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return client, [(b"cookie", cookie), (b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]


@pytest.mark.slow
def test_a_socket_gets_nothing_after_logout(teacher):
    client, headers = signed_in(teacher)

    async def scenario() -> None:
        socket = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        assert (await socket.connect())[0]
        await sync_to_async(client.post)("/accounts/logout/")
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4403}
        await sync_to_async(batch_register)(owner=teacher, course_code="SVE1", expected_essay_count=1)
        assert await socket.receive_nothing(timeout=1.5)
        await socket.wait()

    async_to_sync(scenario)()


def test_a_password_change_ends_the_other_sessions_sockets(teacher):
    _, headers = signed_in(teacher)

    async def scenario() -> None:
        socket = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        assert (await socket.connect())[0]

        def change_password() -> None:
            teacher.set_password("Lingon-Sylt-1987")
            teacher.save()

        await sync_to_async(change_password)()
        assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
        await sync_to_async(batch_register)(owner=teacher, course_code="SVE1", expected_essay_count=1)
        assert await socket.receive_nothing(timeout=1.5)

    async_to_sync(scenario)()


def test_an_expired_session_is_closed_by_the_periodic_check(teacher, settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 0.3
    client, headers = signed_in(teacher)

    async def scenario() -> None:
        socket = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        assert (await socket.connect())[0]
        await sync_to_async(client.session.delete)()  # as the session store's expiry does
        assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"

    async_to_sync(scenario)()


def test_a_live_session_keeps_its_socket(teacher, settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 0.3
    _, headers = signed_in(teacher)

    async def scenario() -> None:
        socket = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        assert (await socket.connect())[0]
        assert await socket.receive_nothing(timeout=1.0)  # three checks passed
        await sync_to_async(batch_register)(owner=teacher, course_code="SVE1", expected_essay_count=1)
        assert (await socket.receive_json_from(timeout=5))["type"] == "batch.event"
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("origin", [b"http://localhost:9999", b"http://localhost", b"http://evil.example:8000",
                                    b"null"])
def test_an_origin_on_another_port_or_scheme_is_refused(teacher, origin):
    _, headers = signed_in(teacher)
    headers = [h for h in headers if h[0] != b"origin"] + [(b"origin", origin)]

    async def scenario() -> None:
        socket = WebsocketCommunicator(application, "/ws/teacher/", headers=headers)
        connected, _ = await socket.connect()
        assert not connected

    async_to_sync(scenario)()
