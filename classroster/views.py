"""The teacher's class pages: list and create classes, see and grow a roster."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classroster import selectors, services
from classroster.forms import ClassCreateForm, StudentAddForm
from classroster.models import SchoolClass
from huleedu.errors import DomainError
from huleedu.pages import get_or_404


@login_required
@require_http_methods(["GET", "POST"])
def class_list(request: HttpRequest) -> HttpResponse:
    form = ClassCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.class_create(owner=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            return redirect("class-detail", class_id=school_class.id)
    return render(request, "classes/list.html", {
        "classes": selectors.classes_visible_to(request.user), "form": form,
    })


@login_required
@require_http_methods(["GET", "POST"])
def class_detail(request: HttpRequest, class_id: str) -> HttpResponse:
    """The roster; a POST adds one student."""
    school_class = get_or_404(selectors.class_get_for_user, request.user, class_id)
    form = StudentAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_create(school_class=school_class, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s was added to the roster.") % {"name": student.full_name})
            return redirect("class-detail", class_id=school_class.id)
    return render(request, "classes/detail.html", _class_context(school_class, form))


def _class_context(school_class: SchoolClass, form: StudentAddForm) -> dict[str, object]:
    return {
        "school_class": school_class,
        "students": selectors.class_students(school_class),
        "batches": school_class.batches.order_by("-created_at")[:20],
        "form": form,
        "import_url": reverse("api-roster-import", args=[school_class.id]),
    }
