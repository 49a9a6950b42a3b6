"""The teacher's batch pages: the dashboard, create, upload (the review page is matching's).

Thin: selectors read, services write.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from batches import selectors, services
from batches.forms import BatchCreateForm
from batches.models import OPEN_STATUSES, UPLOADABLE_STATUSES, Batch
from classroster.selectors import classes_visible_to
from huleedu.errors import DomainError
from huleedu.pages import get_or_404


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard.html", {
        "batches": selectors.batches_visible_to(request.user)[:100],
        "classes": classes_visible_to(request.user),
        "batch_form": BatchCreateForm(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_register(
                owner=request.user,
                course_code=data["course_code"],
                expected_essay_count=data["expected_essay_count"],
                school_class=data["school_class"],
                essay_instructions=data["essay_instructions"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("batch-upload", batch_id=batch.id)
    return render(request, "batches/new.html", {"form": form})


@login_required
@require_GET
def batch_upload(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = get_or_404(selectors.batch_get_for_user, request.user, batch_id)
    uploads_open = batch.status in UPLOADABLE_STATUSES
    return render(request, "batches/upload.html", {
        "batch": batch,
        "essays": batch.essays.order_by("created_at", "id"),
        "uploads_open": uploads_open,
        "uploadable_statuses": sorted(UPLOADABLE_STATUSES),
        # After provisioning every upload is a late essay: matched on its own, the batch reopened.
        "late_uploads": uploads_open and batch.content_provisioned_at is not None,
        "removable": batch.status in OPEN_STATUSES,
        **live_urls(batch),
    })


def live_urls(batch: Batch) -> dict[str, str]:
    """Where a batch page follows the batch: its events (live) and its API representation."""
    return {
        "events_url": reverse("api-batch-events", args=[batch.id]),
        "batch_api_url": reverse("api-batch", args=[batch.id]),
    }
