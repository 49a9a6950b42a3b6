"""Staff views of batches and their event timeline, with the overrides staff may need.

Batches are read-only here: their state changes only through the services (the state
machine), so the overrides are admin actions that call those services, offered only to staff
who hold the change permission on batches. Deleting a batch erases it through the service
that erases it with everything it holds (``batch_erase``), for staff with the delete
permission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from batches.models import Batch
from huleedu.admin_mixins import ReadOnlyAdminMixin
from huleedu.errors import DomainError
from outbox.models import BatchEvent


class BatchEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BatchEvent
    fields = ("sequence", "event_type", "created_at", "delivered_at", "delivery_attempts", "payload")
    readonly_fields = fields
    ordering = ("sequence",)
    extra = 0
    can_delete = False
    verbose_name = _("event")
    verbose_name_plural = _("timeline (events, oldest first)")


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("course_code", "owner", "school_class", "status", "expected_essay_count",
                    "validation_deadline", "created_at", "review_link")
    list_filter = ("status", "owner", "created_at", ("school_class", admin.EmptyFieldListFilter))
    search_fields = ("id", "course_code", "owner__username", "school_class__name", "correlation_id")
    list_select_related = ("owner", "school_class")
    date_hierarchy = "created_at"
    inlines = [BatchEventInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Erasing a batch is allowed with the model's delete permission, through batch_erase.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        # batch_erase removes the batch's essays, suggestions, decisions and events with it:
        # the delete permission on the batch is the permission that counts.
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: Batch) -> None:
        from batches.services import batch_erase

        batch_erase(batch_id=obj.pk, erased_by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Batch]) -> None:
        for batch in queryset:
            self.delete_model(request, batch)

    def has_override_permission(self, request: HttpRequest) -> bool:
        """The overrides change a teacher's batch: they need the change permission on batches
        (the change form itself stays read-only: states change through the services only)."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description=_("review page"))
    def review_link(self, batch: Batch) -> str:
        return format_html('<a href="{}">{}</a>', reverse("batch-review", args=[batch.id]), _("review"))

    def _for_each(self, request: HttpRequest, batches: QuerySet[Batch],
                  override: Callable[[Batch], tuple[str, int]]) -> None:
        """Run one override per batch through its service; a refusal is reported, never raised."""
        for batch in batches:
            try:
                message, level = override(batch)
            except DomainError as exc:
                self.message_user(request, f"{batch}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{batch}: {message}", level)
