"""Run the whole product in one process: migrate, seed the demo, serve HTTP + WebSocket.

In the embedded default (no REDIS_URL) tasks run in-process right after commit; the periodic
jobs that django-q2's scheduler runs in production (outbox relay, validation timeouts) are
ticked here on daphne's own event loop, so live pushes from them reach open pages.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

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

        server = Server(
            application=get_default_application(),
            endpoints=build_endpoint_description_strings(host=options["host"], port=options["port"]),
            websocket_timeout=86400,
        )
        if settings.TASKS_INLINE:
            self._start_periodic_jobs(options["tick_seconds"])
        self.stdout.write(f"HuleEdu on http://{options['host']}:{options['port']}/")
        server.run()

    def _start_periodic_jobs(self, every: float) -> None:
        from asgiref.sync import sync_to_async
        from twisted.internet import reactor

        async def loop() -> None:
            while True:
                try:
                    await sync_to_async(periodic_jobs_tick)()
                except Exception:
                    logger.exception("periodic jobs failed")
                await asyncio.sleep(every)

        reactor.callWhenRunning(lambda: asyncio.ensure_future(loop()))
