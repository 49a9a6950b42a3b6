"""Live notifications to the teacher's browser tabs (best effort; the database is the truth).

A push is sent through the channel layer after the change committed, before the request or
task that made it returns, so one teacher's pushes leave in the order of their changes (a
teacher who changes their mind twice sees the second decision last). A page that missed a
push catches up from ``/api/v1/batches/{id}/events/?after=<sequence>``.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from accounts.sessions import teacher_group
from outbox.models import BatchEvent

logger = logging.getLogger(__name__)


def notify_event(event: BatchEvent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "batch.event",
        "sequence": event.sequence,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "batch_id": str(event.batch_id),
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }
    try:
        async_to_sync(layer.group_send)(teacher_group(event.batch.owner_id), message)
    except Exception:  # a dropped push is recovered by the page asking for ?after=<sequence>
        logger.exception("live notification failed", extra={"event_type": event.event_type})
