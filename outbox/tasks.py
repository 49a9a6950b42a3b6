"""django-q2 entry points: thin adapters into services."""

from __future__ import annotations

from outbox.queue import fresh_connection
from outbox.services import event_deliver, events_relay


def deliver_event(sequence: int) -> None:
    fresh_connection()
    event_deliver(sequence)


def relay_outbox() -> int:
    fresh_connection()
    return events_relay()
