"""Run the whole product in one process: migrate, seed the demo, serve HTTP + WebSocket.

daphne serves HTTP through Django's own ASGI handler and the teachers' WebSocket through
Channels (``huleedu.asgi``). In the embedded default (no REDIS_URL) tasks run in-process right
after commit and the channel layer lives in this process; the periodic jobs that django-q2's
scheduler runs in production (outbox relay, validation timeouts) are started on daphne's event
loop once it serves, so live pushes from them reach open pages like those of a request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

logger = logging.getLogger(__name__)


def periodic_jobs_tick() -> None:
    from matching.services import validation_timeouts_apply
    from outbox.services import events_relay

    events_relay()
    validation_timeouts_apply()


def demo_seed_wanted(*, no_seed: bool) -> bool:
    """The demo teacher (a known password) exists only in the embedded default, never in a
    deployment on PostgreSQL."""
    return settings.EMBEDDED and not no_seed


class Command(BaseCommand):
    help = "Serve HuleEdu (HTTP and WebSocket) on one address, with the demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-seed", action="store_true")
        parser.add_argument("--tick-seconds", type=float, default=15.0)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if demo_seed_wanted(no_seed=options["no_seed"]):
            call_command("seed_demo")
        from channels.routing import get_default_application
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        periodic = self._periodic_jobs(options["tick_seconds"]) if settings.TASKS_INLINE else None
        server = Server(
            application=get_default_application(),
            endpoints=build_endpoint_description_strings(host=options["host"], port=options["port"]),
            websocket_timeout=86400,
            # Called on the serving loop just before it runs: the jobs start there.
            ready_callable=(lambda: asyncio.ensure_future(periodic())) if periodic else None,
        )
        self.stdout.write(f"HuleEdu on http://{options['host']}:{options['port']}/")
        server.run()

    def _periodic_jobs(self, every: float) -> Callable[[], Coroutine[Any, Any, None]]:
        async def tick_forever() -> None:
            while True:
                try:
                    # In a worker thread; its pushes come back to this loop (async_to_sync).
                    await sync_to_async(periodic_jobs_tick)()
                except Exception:
                    logger.exception("periodic jobs failed")
                await asyncio.sleep(every)

        return tick_forever
