"""Staff views of classes and rosters. Deletes go through the roster services, so the admin
refuses what the API refuses (a class with batches, a student essays are attributed to)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from classroster import services
from classroster.models import SchoolClass, Student
from huleedu.errors import DomainError


class StudentInline(admin.TabularInline):
    model = Student
    fields = ("first_name", "last_name", "email")
    extra = 0
    show_change_link = True
    can_delete = False  # a student is removed through the roster service (StudentAdmin)


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

    def delete_model(self, request: HttpRequest, obj: SchoolClass) -> None:
        _through_service(self, request, lambda: services.class_delete(school_class=obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SchoolClass]) -> None:
        for school_class in queryset:
            self.delete_model(request, school_class)


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "school_class", "created_at")
    list_filter = ("school_class__owner", "school_class")
    search_fields = ("first_name", "last_name", "email", "id", "school_class__name")
    list_select_related = ("school_class",)
    readonly_fields = ("id", "created_at", "updated_at")
    autocomplete_fields = ("school_class",)

    def delete_model(self, request: HttpRequest, obj: Student) -> None:
        _through_service(self, request, lambda: services.student_delete(student=obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Student]) -> None:
        for student in queryset:
            self.delete_model(request, student)


def _through_service(model_admin: admin.ModelAdmin, request: HttpRequest, delete: object) -> None:
    try:
        delete()  # type: ignore[operator]
    except DomainError as exc:
        model_admin.message_user(request, exc.message, messages.ERROR)
