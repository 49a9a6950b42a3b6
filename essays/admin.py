"""Staff views of essays. An essay is removed only through ``essay_remove`` (the API's DELETE):
its slot, its suggestions and decision and the batch's timeline stay consistent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from batches.models import OPEN_STATUSES
from essays import services
from essays.models import Essay
from huleedu.errors import DomainError


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    """Matching's admin extends this one with the essay's suggestions (``matching.admin``)."""

    # The removal a delete runs; matching's admin swaps in the one that also confirms a batch
    # whose last undecided essay goes.
    essay_remove = staticmethod(services.essay_remove)
    list_display = ("original_filename", "batch", "status", "file_format", "size_bytes", "student",
                    "created_at")
    list_filter = ("status", "file_format", "failure_code")
    search_fields = ("=id", "original_filename", "=batch__id", "batch__course_code", "sha256")
    list_select_related = ("batch", "student")
    readonly_fields = ("id", "batch", "original_filename", "file_format", "size_bytes", "sha256", "status",
                       "failure_code", "failure_reason", "text", "student", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # every field is the upload's record: nothing to edit

    def has_delete_permission(self, request: HttpRequest, obj: Essay | None = None) -> bool:
        # The essay service refuses once assessment was requested (or the batch is cancelled):
        # so does the admin, rather than offering a delete that cannot happen.
        if obj is not None and obj.batch.status not in OPEN_STATUSES:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        # The service removes the essay's suggestions and decision with it, under the batch
        # lock: the delete permission on the essay is the permission that counts.
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: Essay) -> None:
        try:
            self.essay_remove(batch_id=obj.batch_id, essay_id=obj.pk, removed_by=request.user)
        except DomainError as exc:
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Essay]) -> None:
        for essay in queryset.select_related("batch"):
            self.delete_model(request, essay)
