"""What the serving topology promises, against real processes.

Production: gunicorn serves HTTP (Django's WSGI handler, Django parses every body), daphne
serves the teachers' WebSocket, and a change made over HTTP reaches the teacher's socket on
the other process through the Redis channel layer. The embedded default: one command serves
both on one address, and its pushes reach open sockets without Redis.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from django.test import Client
from websockets.sync.client import ClientConnection, connect

from tests.support.processes import deployed_servers, embedded_server

pytestmark = pytest.mark.slow


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def origin_of(ws_url: str) -> str:
    return ws_url.replace("ws://", "http://", 1)


def teacher_socket(ws_url: str, *, origin: str, cookie: str) -> ClientConnection:
    """The teacher's socket as a browser opens it: same origin, session cookie."""
    return connect(f"{ws_url}/ws/teacher/", origin=origin, additional_headers={"Cookie": cookie},
                   open_timeout=10)


def wait_for_batch_event(socket: ClientConnection, batch_id: str) -> dict:
    while True:
        message = json.loads(socket.recv(timeout=15))  # ConnectionClosed if it closed first
        if message.get("batch_id") == batch_id:
            return message


@pytest.mark.django_db(transaction=True)
def test_a_change_over_http_reaches_the_teachers_socket_on_the_websocket_server(tmp_path, make_teacher):
    teacher = make_teacher("live")
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=teacher).key
    with (
        deployed_servers(tmp_path) as deployment,
        teacher_socket(deployment.ws_url, origin=origin_of(deployment.ws_url),
                       cookie=session_cookie(teacher)) as socket,
    ):
        assert socket.response.status_code == 101
        registered = httpx.post(
            f"{deployment.url}/api/v1/batches/",
            headers={"Authorization": f"Token {token}"},
            json={"course_code": "SVE1", "expected_essay_count": 2},
        )
        assert registered.status_code == 201
        assert registered.headers["server"].startswith("gunicorn")  # HTTP went to the WSGI server
        pushed = wait_for_batch_event(socket, registered.json()["batch_id"])
        assert pushed["type"] == "batch.event" and pushed["sequence"] >= 1


@pytest.mark.django_db(transaction=True)
def test_a_malformed_multipart_body_gets_djangos_json_error_from_gunicorn(tmp_path, make_teacher):
    teacher = make_teacher("uploader")
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=teacher).key
    auth = {"Authorization": f"Token {token}"}
    with deployed_servers(tmp_path) as deployment:
        batch = httpx.post(
            f"{deployment.url}/api/v1/batches/",
            headers=auth,
            json={"course_code": "SVE1", "expected_essay_count": 2},
        ).json()
        for content_type, body in [
            ("multipart/form-data; boundary=XYZ", b"--XYZ\r\nContent-Disposition: form-data; name=\r\n\r\n"),
            ("multipart/form-data", b"no boundary at all"),
            ("multipart/form-data; boundary=XYZ", b"\xff" * 2048),
        ]:
            response = httpx.post(
                f"{deployment.url}/api/v1/batches/{batch['batch_id']}/essays/",
                headers={**auth, "Content-Type": content_type},
                content=body,
            )
            assert 400 <= response.status_code < 500, (content_type, body[:40], response.text[:200])
            assert response.headers["content-type"].startswith("application/json"), response.text[:200]
            assert response.json()["error"]["code"]


def test_the_embedded_server_serves_pages_and_live_push_on_one_address(tmp_path):
    with embedded_server(tmp_path) as url, httpx.Client(base_url=url, timeout=30) as page:
        login_page = page.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
        signed_in = page.post(
            "/accounts/login/", data={"username": "demo", "password": "demo", "csrfmiddlewaretoken": csrf}
        )
        assert signed_in.status_code == 302
        cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        # The API client signs in with a token, not the page's session (which would need CSRF).
        with (
            teacher_socket(url.replace("http://", "ws://"), origin=url, cookie=cookie) as socket,
            httpx.Client(base_url=url, timeout=30) as api,
        ):
            assert socket.response.status_code == 101
            credentials = {"username": "demo", "password": "demo"}
            token = api.post("/api/v1/auth/token/", json=credentials).json()["token"]
            registered = api.post(
                "/api/v1/batches/",
                headers={"Authorization": f"Token {token}"},
                json={"course_code": "SVE1", "expected_essay_count": 2},
            )
            assert registered.status_code == 201
            wait_for_batch_event(socket, registered.json()["batch_id"])
