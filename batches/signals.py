from __future__ import annotations

from typing import Any


def ensure_schedules_after_migrate(**kwargs: Any) -> None:
    from batches.services import schedules_ensure

    schedules_ensure()
