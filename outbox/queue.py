"""The one way follow-up work is queued: after commit, via django-q2.

Nothing is enqueued inside an open transaction (a worker could run before the rows it needs
are visible, or run for rows that were rolled back). If the broker is down at commit time the
work is not lost: the outbox relay hands out every committed, undelivered event again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)


def enqueue_now(func_path: str, *args: Any, task_name: str | None = None) -> None:
    from django_q.tasks import async_task

    try:
        async_task(func_path, *args, sync=settings.TASKS_INLINE, task_name=task_name)
    except Exception:  # the broker being away must not fail the request that already committed
        logger.exception("enqueue failed; the outbox relay will retry", extra={"task": func_path})


def enqueue_on_commit(func_path: str, *args: Any, task_name: str | None = None) -> None:
    transaction.on_commit(lambda: enqueue_now(func_path, *args, task_name=task_name))


def fresh_connection() -> None:
    """Workers are long-lived; drop connections the database may have closed meanwhile.

    A task run inline inside an open transaction (a test's, or a caller's that runs tasks as
    they are scheduled) keeps its connection: closing it would end that transaction."""
    if not connection.in_atomic_block:
        close_old_connections()


def schedule_ensure(name: str, func_path: str, *, every_minutes: int) -> None:
    """Create (or correct) one periodic django-q2 job; apps call it after migrate."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=name,
        defaults={
            "func": func_path,
            "schedule_type": Schedule.MINUTES,
            "minutes": every_minutes,
            "repeats": -1,
        },
    )
