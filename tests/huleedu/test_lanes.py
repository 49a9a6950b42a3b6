"""The two lanes of request threads: heavy routes cannot take the threads decisions run on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware

from huleedu.lanes import is_bulk_path, split_into_lanes

BATCH = "0b7c6a3e-1111-4222-8333-944455556666"
CLASS = "5d1e2f30-1111-4222-8333-944455556666"
UPLOAD_OR_LIST = f"/api/v1/batches/{BATCH}/essays/"
DECISION = f"/api/v1/classes/{CLASS}/associations/{BATCH}/"


@pytest.mark.parametrize(("path", "bulk"), [
    (UPLOAD_OR_LIST, True),
    (f"/api/v1/batches/{BATCH}/associations/confirm/", True),
    ("/api/v1/classes/", True),
    (f"/batches/{BATCH}/review/", True),
    ("/metrics", True),
    (DECISION, False),
    (f"/api/v1/batches/{BATCH}/", False),
    ("/api/v1/batches/", False),
    ("/healthz", False),
    ("/no/such/page/", False),
])
def test_routes_are_put_in_their_lane_by_name(path: str, bulk: bool):
    assert is_bulk_path(path) is bulk


def test_a_decision_is_served_while_every_bulk_thread_is_busy():
    """One bulk thread, held by an upload that will not finish until the test says so: a
    decision arriving after it is answered at once, from the interactive lane."""
    upload_started, release_upload = threading.Event(), threading.Event()

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == UPLOAD_OR_LIST:
            upload_started.set()
            release_upload.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    app = split_into_lanes(interactive=WSGIMiddleware(wsgi_app, workers=2),
                           bulk=WSGIMiddleware(wsgi_app, workers=1))

    async def scenario() -> tuple[list[str], bytes, bytes]:
        finished: list[str] = []
        upload = asyncio.create_task(_request(app, "POST", UPLOAD_OR_LIST, finished))
        await asyncio.to_thread(upload_started.wait, 10)
        second_upload = asyncio.create_task(_request(app, "POST", UPLOAD_OR_LIST, finished))
        decision = await asyncio.wait_for(_request(app, "PUT", DECISION, finished), 5)
        assert not upload.done() and not second_upload.done()  # the bulk lane is full
        release_upload.set()
        await asyncio.wait_for(asyncio.gather(upload, second_upload), 10)
        return finished, decision, upload.result()

    finished, decision, upload = asyncio.run(scenario())
    assert finished == [DECISION, UPLOAD_OR_LIST, UPLOAD_OR_LIST]
    assert decision == DECISION.encode() and upload == UPLOAD_OR_LIST.encode()


async def _request(app: Any, method: str, path: str, finished: list[str]) -> bytes:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    finished.append(path)
    return b"".join(body)
