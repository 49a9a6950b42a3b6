"""Adjustments to daphne, the ASGI server we run in production and tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def disable_twisted_form_parsing() -> None:
    """Stop Twisted from parsing POST bodies before Django sees them.

    Twisted's ``http.Request`` parses every multipart/form-data body into memory for its own
    ``request.args`` (which daphne never uses), doubling the memory of each upload, and it
    answers a malformed body with a bare 400 that never reaches Django. Django parses the
    body itself, streaming large files to disk, and answers with our JSON error instead.
    """
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # not running under daphne
        return
    if getattr(WebRequest, "_huleedu_patched", False):
        return
    original_init = WebRequest.__init__

    def __init__(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._huleedu_patched = True


# The event loop daphne serves on. Request threads hand it their live notifications instead
# of blocking on the channel layer (see batches.notifications).
_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop(app: ASGIApp) -> ASGIApp:
    """Wrap the ASGI application so that it records the loop it is served on."""

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        global _server_loop
        _server_loop = asyncio.get_running_loop()
        await app(scope, receive, send)

    return application


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The serving loop, if this process serves and it is running; else None (tests, workers)."""
    loop = _server_loop
    return loop if loop is not None and loop.is_running() else None
