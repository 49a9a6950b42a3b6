from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from classroster.models import SchoolClass, Student


class StudentInline(admin.TabularInline):
    model = Student
    fields = ("first_name", "last_name", "email")
    extra = 0
    show_change_link = True


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "student_count", "created_at")
    list_filter = ("owner",)
    search_fields = ("name", "owner__username", "id")
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = [StudentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SchoolClass]:
        return super().get_queryset(request).select_related("owner").annotate(_students=Count("students"))

    @admin.display(description="students", ordering="_students")
    def student_count(self, school_class: SchoolClass) -> int:
        return school_class._students  # type: ignore[attr-defined]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "school_class", "created_at")
    list_filter = ("school_class__owner", "school_class")
    search_fields = ("first_name", "last_name", "email", "id", "school_class__name")
    list_select_related = ("school_class",)
    readonly_fields = ("id", "created_at", "updated_at")
    autocomplete_fields = ("school_class",)
