"""Two lanes of request threads in each web process, so that a decision does not share the
process with a crowd of uploads.

An upload of ten files, an essay list, an accept-all or a class set-up holds a thread for
40–150 ms of CPU; a decision or a poll for 10–13 ms. The threads of one process share its
GIL, so a decision running beside k heavy requests gets about 1/(k + 1) of the process. The
bulk lane runs the heavy routes on a few threads of their own (``HULEEDU_WEB_BULK_THREADS``):
however many arrive at once, at most that many compete with the interactive lane
(``HULEEDU_WEB_THREADS``), and the others wait on the event loop, holding neither a thread nor
a database connection. Heavy requests take a little longer in a burst; nothing is refused.

The lanes are picked by route name, so renaming a path keeps its lane. They bound the
crowding within every process with no balancer rule; a balancer that splits the routes
between separate processes also keeps their GILs apart ("Keeping decisions short" in the
operations guide, which says what each measurably changed).
"""

from __future__ import annotations

from typing import Any

from django.urls import Resolver404, resolve

from huleedu.server import ASGIApp

# Requests that hold a web process for tens of milliseconds or more, whatever their method.
BULK_ROUTES = frozenset({
    "api-batch-essays",  # uploads (POST) and essay lists (GET)
    "api-batch-confirm",  # accept-all
    "api-classes",  # class set-up with its roster
    "api-roster-import",
    "api-roster-export",
    "batch-upload",
    "batch-review",
    "batch-review-live",
    "metrics",  # merges every process's files
})


def is_bulk_path(path: str) -> bool:
    """Whether ``path`` is served by a bulk route (tens of microseconds on the event loop)."""
    try:
        return resolve(path).view_name in BULK_ROUTES
    except Resolver404:
        return False


def split_into_lanes(interactive: ASGIApp, bulk: ASGIApp) -> ASGIApp:
    """An ASGI application that hands HTTP requests for bulk routes to ``bulk`` and everything
    else (other requests, WebSockets, lifespan) to ``interactive``."""

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        lane = bulk if scope["type"] == "http" and is_bulk_path(scope["path"]) else interactive
        await lane(scope, receive, send)

    return application
