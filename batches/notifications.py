"""Live notifications to the teacher's browser tabs (best effort; the database is the truth).

A push is sent through the channel layer after the change committed (``huleedu.live_push``:
from a web worker's sender thread, elsewhere before the task returns), and one teacher's
pushes leave in the order of their changes (a teacher who changes their mind twice sees the
second decision last). A page that missed a push catches up from
``/api/v1/batches/{id}/events/?after=<sequence>``.
"""

from __future__ import annotations

from accounts.sessions import teacher_group
from huleedu import live_push
from outbox.models import BatchEvent


def notify_event(event: BatchEvent) -> None:
    message = {
        "type": "batch.event",
        "sequence": event.sequence,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "batch_id": str(event.batch_id),
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }
    live_push.group_send(teacher_group(event.batch.owner_id), message)
