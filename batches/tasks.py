"""django-q2 entry points: thin adapters into services."""

from __future__ import annotations

from batches.events import event_deliver, events_relay
from huleedu.tasks import fresh_connection


def deliver_event(sequence: int) -> None:
    fresh_connection()
    event_deliver(sequence)


def relay_outbox() -> int:
    fresh_connection()
    return events_relay()
