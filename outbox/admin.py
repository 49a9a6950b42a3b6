"""Staff view of the outbox: every event, its delivery and its attempts (read-only)."""

from __future__ import annotations

from django.contrib import admin

from huleedu.admin_mixins import ReadOnlyAdminMixin
from outbox.models import BatchEvent


@admin.register(BatchEvent)
class BatchEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sequence", "event_type", "batch", "created_at", "delivered_at", "delivery_attempts")
    list_filter = ("event_type", ("delivered_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("=event_id", "=batch__id", "correlation_id", "batch__course_code")
    list_select_related = ("batch",)
    ordering = ("-sequence",)
    readonly_fields = ("sequence", "event_id", "batch", "event_type", "correlation_id", "payload",
                       "created_at", "delivered_at", "delivery_attempts")
