"""Staff views of suggestions and decisions; a forced decision goes through the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from batches.admin import BatchAdmin
from batches.models import Batch, status_label
from classroster.models import Student
from essays.admin import EssayAdmin
from essays.models import Essay
from huleedu.admin_mixins import ReadOnlyAdminMixin
from huleedu.errors import DomainError
from matching import services
from matching.models import MatchingRollout, MatchSuggestion, StudentAssociation
from matching.services import association_decide


@admin.register(MatchSuggestion)
class MatchSuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("essay", "rank", "student", "confidence", "level", "status", "created_at")
    list_filter = ("level", "status", "rank")
    search_fields = ("=essay__id", "essay__original_filename", "student__first_name", "student__last_name",
                     "=essay__batch__id")
    list_select_related = ("essay", "student")


class ForceDecisionForm(forms.Form):
    student = forms.ModelChoiceField(
        queryset=Student.objects.none(), required=False, empty_label=_("— no student —"),
        help_text=_("The student who wrote this essay, or none of the roster."),
    )
    allow_second_essay = forms.BooleanField(
        required=False, help_text=_("This student also wrote another essay of the batch."))
    # The version shown when the page was opened: a decision changed meanwhile is not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, association: StudentAssociation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": association.version})
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.filter(
            school_class_id=association.batch.school_class_id
        )


@admin.register(StudentAssociation)
class StudentAssociationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("essay", "batch", "match_level", "match_confidence", "student", "method", "decided_by",
                    "decided_at", "needs_attention", "force_decision_link")
    list_filter = ("method", "match_level", "needs_attention", "batch__status")
    search_fields = ("=essay__id", "essay__original_filename", "=batch__id", "batch__course_code",
                     "student__first_name", "student__last_name")
    list_select_related = ("essay", "batch", "student", "decided_by")
    readonly_fields = ("essay", "batch", "match_level", "match_confidence", "student", "method", "decided_by",
                       "decided_at", "needs_attention", "force_decision_link")

    def has_change_permission_for_overrides(self, request: HttpRequest) -> bool:
        """The change form stays read-only (decisions go through the service); forcing a
        decision needs the change permission on associations."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description=_("force a decision"))
    def force_decision_link(self, association: StudentAssociation) -> str:
        url = reverse("admin:matching_studentassociation_force_decision", args=[association.pk])
        return format_html('<a href="{}">{}</a>', url, _("decide…"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path("<path:object_id>/force-decision/", self.admin_site.admin_view(self.force_decision_view),
                 name="matching_studentassociation_force_decision"),
            *super().get_urls(),
        ]

    def force_decision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        # Deciding changes the association: viewing it is not enough.
        if not self.has_change_permission_for_overrides(request):
            raise PermissionDenied
        association = self.get_object(request, unquote(object_id))
        if association is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = ForceDecisionForm(request.POST or None, association=association)
        if request.method == "POST" and form.is_valid():
            student = form.cleaned_data["student"]
            try:
                # Staff override: a decided essay is changed from the version shown on this page.
                seen = form.cleaned_data["version"] if association.is_decided else None
                association_decide(batch_id=association.batch_id, essay_id=association.essay_id,
                                   student_id=student.id if student else None, decided_by=request.user,
                                   expected_version=seen,
                                   allow_second_essay=form.cleaned_data["allow_second_essay"])
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("%(essay)s: decided (%(student)s).") % {
                    "essay": association.essay, "student": student or _("no student")},
                                  messages.SUCCESS)
                return redirect("admin:matching_studentassociation_change", association.pk)
        return TemplateResponse(request, "admin/matching/studentassociation/force_decision.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Force a decision: %(essay)s") % {"essay": association.essay},
            "association": association,
            "suggestions": association.essay.suggestions.select_related("student").order_by("rank"),
            "form": form,
        })


@admin.register(MatchingRollout)
class MatchingRolloutAdmin(admin.ModelAdmin):
    """Staff switch automatic matching on or off, by share of classes and per class, at run time."""

    list_display = ("__str__", "enabled", "percentage", "updated_at")
    fields = ("enabled", "percentage", "allowed_classes", "denied_classes", "updated_at")
    readonly_fields = ("updated_at",)
    filter_horizontal = ("allowed_classes", "denied_classes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: the flag. Once it exists it is changed, never added to.
        return super().has_add_permission(request) and not MatchingRollout.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting would silently mean "on for everyone"; switch it instead


# --- batches and essays, with what matching adds to them -----------------------------------------


class BatchWithMatchingAdmin(BatchAdmin):
    """The batch admin, with the overrides of matching and validation staff may need."""

    actions = ["rerun_matching", "force_validation_timeout", "reopen_validation"]

    @admin.action(description=_("Re-run student matching for the undecided essays (decisions stand)"),
                  permissions=["override"])
    def rerun_matching(self, request: HttpRequest, batches: QuerySet[Batch]) -> None:
        def rerun(batch: Batch) -> tuple[str, int]:
            services.matching_rerun(batch_id=batch.id, by=request.user)
            return str(_("matching runs again.")), messages.SUCCESS

        self._for_each(request, batches, rerun)

    @admin.action(description=_("Force the validation timeout now (decide what is still open)"),
                  permissions=["override"])
    def force_validation_timeout(self, request: HttpRequest, batches: QuerySet[Batch]) -> None:
        def timeout(batch: Batch) -> tuple[str, int]:
            if services.batch_timeout_apply(batch_id=batch.id, force=True):
                return str(_("the timeout decided the open essays.")), messages.SUCCESS
            return str(_("not awaiting your review (%(status)s); nothing done.") % {
                "status": status_label(batch.status)}), messages.WARNING

        self._for_each(request, batches, timeout)

    @admin.action(description=_("Reopen validation of a ready batch (its decisions can then be changed)"),
                  permissions=["override"])
    def reopen_validation(self, request: HttpRequest, batches: QuerySet[Batch]) -> None:
        def reopen(batch: Batch) -> tuple[str, int]:
            services.batch_reopen(batch_id=batch.id, reopened_by=request.user)
            return str(_("validation is open again.")), messages.SUCCESS

        self._for_each(request, batches, reopen)


class MatchSuggestionInline(admin.TabularInline):
    model = MatchSuggestion
    fields = ("rank", "student", "confidence", "level", "status", "reasons", "evidence")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EssayWithSuggestionsAdmin(EssayAdmin):
    """The essay admin, with the essay's suggestions; a delete also confirms a batch whose last
    undecided essay it removes."""

    inlines = [MatchSuggestionInline]
    essay_remove = staticmethod(services.essay_remove)


# Matching's admins replace the ones batches and essays register (they extend them).
admin.site.unregister(Batch)
admin.site.register(Batch, BatchWithMatchingAdmin)
admin.site.unregister(Essay)
admin.site.register(Essay, EssayWithSuggestionsAdmin)
