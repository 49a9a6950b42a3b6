"""Django's WSGI handler under daphne with two hand-overs between threads per small request.

a2wsgi passes each part of a request and of its response between the event loop and the
request's thread as it comes: the body, the status line, every chunk and the end are each a
round trip, about ten wake-ups of one thread or the other per request. Each wake-up needs the
process's GIL, and beside an upload or an essay list in the same process it waits up to the
switch interval for it, so a 10 ms decision gathered up to 10 ms more as the client sees it.

For a request whose body is announced and small (``Content-Length`` up to
``SMALL_BODY_BYTES``: every decision, poll and form), the loop reads the body first, the
thread runs Django and keeps the response, and the loop sends it: one hand-over there and one
back. Larger and chunked bodies (uploads) go to a2wsgi, which streams them to Django without
holding them in memory; both share one pool of threads, so a lane's bound is unchanged.
Responses are collected whole before they are sent: this application has no streaming
responses, and its largest (a class's roster export, ``/metrics``) are tens of kilobytes.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import io
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ

SMALL_BODY_BYTES = 64 * 1024

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


def small_request_bridge(streaming: WSGIMiddleware) -> Any:
    """An ASGI application that serves small HTTP requests itself, on ``streaming``'s threads,
    and hands everything else (large or chunked bodies, WebSockets, lifespan) to ``streaming``."""
    wsgi_app = streaming.app

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not _has_small_body(scope):
            await streaming(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before it finished sending
            return
        environ = build_environ(scope, io.BytesIO(body))  # type: ignore[arg-type]
        run = functools.partial(contextvars.copy_context().run, _respond, wsgi_app, environ)
        status, headers, content = await asyncio.get_running_loop().run_in_executor(streaming.executor, run)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return application


def _has_small_body(scope: dict[str, Any]) -> bool:
    """An HTTP request with no body or an announced one of at most ``SMALL_BODY_BYTES``."""
    if scope["type"] != "http":
        return False
    length = 0
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return False
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return False
    return 0 <= length <= SMALL_BODY_BYTES


async def _read_body(receive: Any) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _respond(wsgi_app: Any, environ: dict[str, Any]) -> Response:
    """Run the WSGI application in this thread and keep its whole response."""
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # Nothing is sent before the application returns, so a later call (with exc_info,
        # after an error) may always replace the status and headers, as PEP 3333 allows.
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = [(name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
                              for name, value in headers]
        return chunks.append

    iterable = wsgi_app(environ, start_response)
    try:
        chunks.extend(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()  # Django's request_finished: the database connection's age is checked here
    return started["status"], started["headers"], b"".join(chunks)
