"""The teacher's live channel: one group per teacher, fed by delivered outbox events.

A socket lives no longer than the session that opened it: logging out closes it at once
(``accounts.sessions`` tells the session's group), a password change makes every socket
of that teacher check its session again, and every socket re-checks on a timer, which
catches sessions that simply expired.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.sessions import session_group, session_still_signs_in, teacher_group

UNAUTHENTICATED = 4401
SESSION_ENDED = 4403


class TeacherConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        if user is None or not user.is_authenticated or not session_key:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_pk = user.pk
        self.session_key = session_key
        self.joined = [teacher_group(user.pk), session_group(session_key)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.rechecks = asyncio.ensure_future(self._recheck_every(settings.SOCKET_SESSION_CHECK_SECONDS))

    async def disconnect(self, code: int) -> None:
        rechecks = getattr(self, "rechecks", None)
        if rechecks is not None:
            rechecks.cancel()
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def batch_event(self, message: dict[str, Any]) -> None:
        await self.send_json({**message, "type": "batch.event"})

    async def session_ended(self, message: dict[str, Any]) -> None:
        """The session logged out: nothing more goes out on this socket."""
        await self._end()

    async def session_check(self, message: dict[str, Any]) -> None:
        """Something about the teacher's sign-in changed (a new password): still valid?"""
        if not await self._session_is_valid():
            await self._end()

    async def _session_is_valid(self) -> bool:
        return await database_sync_to_async(session_still_signs_in)(self.session_key, self.user_pk)

    async def _recheck_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            if not await self._session_is_valid():
                await self._end()
                return

    async def _end(self) -> None:
        # Leave the groups first so that no event queued behind this message is sent.
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        with contextlib.suppress(Exception):  # the client may already be gone
            await self.close(code=SESSION_ENDED)


class SameOriginValidator:
    """Accept a WebSocket only from a page of this very origin: the ``Origin`` header's host
    *and port* must be those of the ``Host`` header (or an origin listed in
    ``DJANGO_CSRF_TRUSTED_ORIGINS``), and the host one of ``ALLOWED_HOSTS``.

    Channels' ``AllowedHostsOriginValidator`` compares host names only, so a page served on
    another port of the same machine could open the teacher's socket."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_is_allowed(scope):
            # Refuse the handshake, as Channels' own origin validator does.
            await receive()
            await send({"type": "websocket.close", "code": 4403})
            return None
        return await self.application(scope, receive, send)


def origin_is_allowed(scope: dict[str, Any]) -> bool:
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    origin = headers.get(b"origin", b"").decode("latin-1").strip()
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if not origin or origin == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parts = urlsplit(origin)
        origin_netloc = _netloc_with_port(parts.scheme, parts.hostname or "", parts.port)
        served = urlsplit(f"//{host}")
        host_netloc = _netloc_with_port(parts.scheme, served.hostname or "", served.port)
    except ValueError:  # a malformed port
        return False
    if parts.scheme not in ("http", "https") or not host or origin_netloc != host_netloc:
        return False
    from django.http.request import validate_host

    return validate_host(parts.hostname or "", settings.ALLOWED_HOSTS)


def _netloc_with_port(scheme: str, hostname: str, port: int | None) -> str:
    default = 443 if scheme == "https" else 80
    return f"{hostname.lower()}:{port or default}"
