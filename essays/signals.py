from __future__ import annotations

from typing import Any

from django.db import transaction


def original_delete_with_essay(*, instance: Any, **_: Any) -> None:
    """The essay row is gone (once its transaction commits): so is its uploaded original."""
    from essays.services import originals_delete

    name = instance.original_file.name
    if name:
        transaction.on_commit(lambda: originals_delete([name]))
