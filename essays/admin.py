from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from essays.models import Essay
from matching.models import MatchSuggestion


class MatchSuggestionInline(admin.TabularInline):
    model = MatchSuggestion
    fields = ("rank", "student", "confidence", "level", "status", "reasons", "evidence")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    list_display = ("original_filename", "batch", "status", "file_format", "size_bytes", "student",
                    "created_at")
    list_filter = ("status", "file_format", "failure_code")
    search_fields = ("=id", "original_filename", "=batch__id", "batch__course_code", "sha256")
    list_select_related = ("batch", "student")
    readonly_fields = ("id", "batch", "original_filename", "file_format", "size_bytes", "sha256", "status",
                       "failure_code", "failure_reason", "text", "student", "created_at")
    inlines = [MatchSuggestionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # every field is the upload's record: nothing to edit

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A raw delete would free a slot and drop suggestions behind the batch's state machine
        # and its timeline; removing an essay belongs to the essay service and the API.
        return False
