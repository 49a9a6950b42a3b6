"""Small requests: the body read on the loop, Django run once on a pool thread, the response
sent whole. Everything else streams through a2wsgi on the same threads."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import Body

from huleedu.wsgi_bridge import SMALL_BODY_BYTES, small_request_bridge

StartResponse = Callable[..., Callable[[bytes], None]]


def echo(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Answers with what it was given and where it ran, in two chunks and one write()."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    write = start_response("201 Created", [("Content-Type", "text/plain"), ("X-Input", type(
        environ["wsgi.input"]).__name__), ("X-Thread", threading.current_thread().name)])
    write(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} ".encode())
    return [f"{len(body)} bytes ".encode(), body]


def bridge(wsgi_app: Callable[..., Iterable[bytes]]) -> Any:
    return small_request_bridge(WSGIMiddleware(wsgi_app, workers=2))


def test_a_small_request_is_answered_in_one_start_and_one_body():
    sent, received = _call(bridge(echo), "PUT", b'{"student_id": "x"}', split_into=3, query=b"a=1")
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    start, body = sent
    assert start["status"] == 201
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"text/plain"
    assert headers[b"x-input"] == b"BytesIO"  # read whole on the loop before Django ran
    assert headers[b"x-thread"].startswith(b"WSGI")  # on the pool's threads, not the loop's
    assert body["body"] == b'PUT /x/?a=1 19 bytes {"student_id": "x"}'
    assert not body.get("more_body", False)
    assert received == 3


def test_a_large_body_streams_through_a2wsgi_in_pieces():
    payload = b"x" * (SMALL_BODY_BYTES + 1)
    sent, received = _call(bridge(echo), "POST", payload, split_into=5)
    headers = dict(sent[0]["headers"])
    assert headers[b"x-input"] == Body.__name__.encode()
    assert b"".join(message.get("body", b"") for message in sent[1:]).startswith(
        b"POST /x/? " + str(len(payload)).encode() + b" bytes xxxx")
    assert received == 5


def test_a_chunked_body_streams_through_a2wsgi():
    sent, _ = _call(bridge(echo), "POST", b"abc", headers=[(b"transfer-encoding", b"chunked")])
    assert dict(sent[0]["headers"])[b"x-input"] == Body.__name__.encode()


def test_a_client_gone_before_its_body_arrived_runs_nothing():
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    sent, _ = _call(bridge(app), "PUT", b"{}", disconnect=True)
    assert sent == [] and calls == []


def test_an_error_after_the_status_replaces_it_and_the_iterable_is_closed():
    closed = threading.Event()

    class Failing:
        def __init__(self, start_response: StartResponse) -> None:
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                raise RuntimeError("the view failed after starting the response")
            except RuntimeError:
                start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())

        def __iter__(self) -> Any:
            return iter([b"error"])

        def close(self) -> None:
            closed.set()

    sent, _ = _call(bridge(lambda _, start: Failing(start)), "GET", b"")
    assert sent[0]["status"] == 500 and sent[1]["body"] == b"error"
    assert closed.is_set()


def test_lifespan_goes_to_a2wsgi():
    app = bridge(echo)
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def _call(app: Any, method: str, body: bytes, *, split_into: int = 1, query: bytes = b"",
          headers: list[tuple[bytes, bytes]] | None = None,
          disconnect: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Send one request, its body in ``split_into`` messages; what was sent back and how many
    body messages the application asked for."""
    size = -(-len(body) // split_into) or 1
    pieces = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    headers = headers if headers is not None else [(b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": "/x/", "raw_path": b"/x/", "query_string": query, "root_path": "",
             "headers": [(b"content-type", b"application/json"), *headers],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    sent: list[dict[str, Any]] = []
    received = 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if disconnect:
            return {"type": "http.disconnect"}
        received += 1
        return {"type": "http.request", "body": pieces[received - 1], "more_body": received < len(pieces)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, received
