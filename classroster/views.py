"""The teacher's class pages: list and create classes, see and grow a roster."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classroster import selectors, services, ss12000
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
        "student_url": reverse("api-student", args=[school_class.id, "__student__"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def class_import(request: HttpRequest) -> HttpResponse:
    """A class from the school's system: an SS 12000 group, or a class of a OneRoster export."""
    connections = ss12000.ss12000_connections_for(request.user)
    chosen = None
    groups: list[ss12000.Ss12000Group] = []
    connection_id = request.POST.get("connection") or request.GET.get("connection")
    try:
        if connection_id:
            chosen = ss12000.ss12000_connection_get_for(request.user, connection_id)
        elif len(connections) == 1:
            chosen = connections[0]
        if chosen is not None and request.method == "POST":
            school_class, result = ss12000.ss12000_class_import(
                user=request.user, connection=chosen, group_id=request.POST.get("group_id", ""),
                name=request.POST.get("name") or None)
            _sync_message(request, result)
            return redirect("class-detail", class_id=school_class.id)
        if chosen is not None:
            groups = ss12000.ss12000_groups_for_teacher(user=request.user, connection=chosen)
    except DomainError as exc:
        messages.error(request, exc.message)
    return render(request, "classes/import.html", {
        "connections": connections, "chosen": chosen, "groups": groups,
        "oneroster_classes_url": reverse("api-oneroster-classes"),
        "oneroster_import_url": reverse("api-oneroster-import"),
    })


@login_required
@require_http_methods(["POST"])
def class_sync(request: HttpRequest, class_id: str) -> HttpResponse:
    school_class = get_or_404(selectors.class_get_for_user, request.user, class_id)
    try:
        _sync_message(request, ss12000.ss12000_class_resync(school_class=school_class))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("class-detail", class_id=school_class.id)


def _sync_message(request: HttpRequest, result: services.RosterSyncResult) -> None:
    messages.success(request, _(
        "Roster synced: %(created)d added, %(updated)d updated, %(left)d marked as left, "
        "%(problems)d problems.") % {"created": len(result.created), "updated": len(result.updated),
                                      "left": len(result.left), "problems": len(result.problems)})
    for problem in result.problems[:20]:
        messages.warning(request, f"{problem.get('external_id', '')}: {problem['error']}")
