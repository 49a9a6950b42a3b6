"""Batches' metrics."""

from __future__ import annotations

from prometheus_client import Counter

from huleedu.metrics import when_committed

BATCHES_REGISTERED = Counter("huleedu_batches_registered_total", "Batches registered.", ["batch_type"])


def batch_registered(*, batch_type: str) -> None:
    when_committed(lambda: BATCHES_REGISTERED.labels(batch_type).inc())
