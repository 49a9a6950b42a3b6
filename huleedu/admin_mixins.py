"""Admin building blocks shared by the apps."""

from __future__ import annotations

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """History is not edited: no add, change or delete (viewing stays allowed)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
