"""Staff views of classes and rosters. Deletes go through the roster services, so the admin
refuses what the API refuses (a class with batches, a student essays are attributed to)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from classroster import services
from classroster.models import ExamCode, SchoolClass, Ss12000Connection, Ss12000Teacher, Student
from classroster.ss12000 import ss12000_connection_set_secrets
from huleedu.errors import DomainError


class StudentInline(admin.TabularInline):
    model = Student
    fields = ("first_name", "last_name", "email", "external_id", "external_source", "left_at")
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

    @admin.display(description=_("students"), ordering="_students")
    def student_count(self, school_class: SchoolClass) -> int:
        return school_class._students  # type: ignore[attr-defined]

    def delete_model(self, request: HttpRequest, obj: SchoolClass) -> None:
        _through_service(self, request, lambda: services.class_delete(school_class=obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SchoolClass]) -> None:
        for school_class in queryset:
            self.delete_model(request, school_class)


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "external_id", "school_class", "left_at", "created_at")
    list_filter = ("school_class__owner", "external_source", "school_class")
    search_fields = ("first_name", "last_name", "email", "external_id", "id", "school_class__name")
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


class Ss12000ConnectionForm(forms.ModelForm):
    """Secrets are typed in, stored encrypted, and never shown back (blank keeps the stored one)."""

    client_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                                    help_text=_("Leave blank to keep the stored secret."))
    token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                            help_text=_("A fixed bearer token instead of client credentials. "
                                        "Leave blank to keep the stored token."))
    clear_secrets = forms.BooleanField(required=False, help_text=_("Remove the stored secret and token."))
    base_url = forms.URLField(max_length=500, assume_scheme="https",
                              help_text="e.g. https://api.school.example/ss12000/v2")
    token_url = forms.URLField(max_length=500, assume_scheme="https", required=False,
                               help_text=_("The OAuth 2 token endpoint, for client credentials."))

    class Meta:
        model = Ss12000Connection
        fields = ("name", "base_url", "organisation_id", "token_url", "client_id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("token_url") and not data.get("client_id"):
            self.add_error("client_id", _("Client credentials need a client id."))
        return data


class Ss12000TeacherInline(admin.TabularInline):
    model = Ss12000Teacher
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Ss12000Connection)
class Ss12000ConnectionAdmin(admin.ModelAdmin):
    form = Ss12000ConnectionForm
    list_display = ("name", "base_url", "organisation_id", "has_token", "has_client_secret")
    search_fields = ("name", "base_url")
    inlines = [Ss12000TeacherInline]

    @admin.display(boolean=True, description=_("token stored"))
    def has_token(self, connection: Ss12000Connection) -> bool:
        return bool(connection.token_encrypted)

    @admin.display(boolean=True, description=_("client secret stored"))
    def has_client_secret(self, connection: Ss12000Connection) -> bool:
        return bool(connection.client_secret_encrypted)

    def save_model(self, request: HttpRequest, obj: Ss12000Connection, form: Any, change: bool) -> None:
        data = form.cleaned_data
        clear = data.get("clear_secrets")
        ss12000_connection_set_secrets(
            connection=obj,
            client_secret="" if clear else (data.get("client_secret") or None),
            token="" if clear else (data.get("token") or None),
        )


@admin.register(ExamCode)
class ExamCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "student", "batch", "line")
    search_fields = ("code", "name", "email", "batch__id")
    list_select_related = ("student", "batch")
    raw_id_fields = ("batch", "student")
