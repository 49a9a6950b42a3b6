"""Small helpers shared by the API views of every app."""

from __future__ import annotations

from typing import Any

from rest_framework.serializers import BaseSerializer


def validated(serializer_class: type[BaseSerializer], data: object, **kwargs: Any) -> Any:
    """Validate request data with an input serializer; a 400 JSON error if it is wrong."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
