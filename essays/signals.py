"""Receivers connected in ``EssaysConfig.ready()``: each a one-line call into a service."""

from __future__ import annotations

from typing import Any


def original_delete_with_essay(*, instance: Any, **_: Any) -> None:
    from essays.services import original_delete_after_commit

    original_delete_after_commit(instance)
