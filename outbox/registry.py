"""Who acts on which event: filled by each domain app in its ``AppConfig.ready()``.

The outbox knows event types and callables, never the apps behind them, so it imports none
of them; an app that reacts to an event says so where a reader of that app finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from outbox.types import EventType

if TYPE_CHECKING:
    from outbox.models import BatchEvent

EventHandler = Callable[["BatchEvent"], None]


@dataclass(frozen=True)
class Handling:
    """The work an event starts, and what runs instead once that work has failed for good."""

    handlers: tuple[EventHandler, ...] = ()
    # Runs after the handlers' last attempt fails, so a batch never waits forever for work that
    # keeps failing; ``attempts`` says how many attempts that is (read when the event is delivered,
    # so settings can change it).
    fallback: EventHandler | None = None
    attempts: Callable[[], int] = field(default=lambda: 1)


_handling: dict[str, Handling] = {}
_delivered_callbacks: list[EventHandler] = []


def handler_key(handler: EventHandler) -> str:
    """The handler's idempotency key in ``ProcessedEvent``: where the function is defined."""
    return f"{handler.__module__}.{handler.__qualname__}"


def event_handlers_register(
    event_type: EventType,
    *handlers: EventHandler,
    fallback: EventHandler | None = None,
    attempts: Callable[[], int] | None = None,
) -> None:
    """Make ``handlers`` run (each at most once, on a worker) for every event of ``event_type``."""
    current = _handling.get(event_type, Handling())
    _handling[event_type] = Handling(
        handlers=current.handlers + tuple(h for h in handlers if h not in current.handlers),
        fallback=fallback or current.fallback,
        attempts=attempts or current.attempts,
    )


def event_delivered_register(callback: EventHandler) -> None:
    """Call ``callback`` once for every event when it is delivered (e.g. the live push)."""
    if callback not in _delivered_callbacks:
        _delivered_callbacks.append(callback)


def handling_of(event_type: str) -> Handling:
    return _handling.get(event_type, Handling())


def starts_work(event_type: str) -> bool:
    """Whether an event of this type has handlers (a command), or only informs."""
    return bool(_handling.get(event_type, Handling()).handlers)


def delivered_callbacks() -> tuple[EventHandler, ...]:
    return tuple(_delivered_callbacks)
