"""The teacher's batch pages: the dashboard, create, upload, review. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from batches import selectors, services
from batches.forms import BatchCreateForm
from batches.models import CORRECTABLE_STATUSES, OPEN_STATUSES, UPLOADABLE_STATUSES, Batch, BatchStatus
from classroster.selectors import classes_visible_to
from huleedu.errors import DomainError, NotFound
from huleedu.pages import get_or_404
from matching.selectors import batch_review, essay_text_with_cues, roster_for_picker


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
        **_live_urls(batch),
    })


@login_required
@require_GET
def batch_review_page(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = get_or_404(selectors.batch_get_for_user, request.user, batch_id)
    context = _review_context(batch)
    roster = roster_for_picker(context["review"].roster)
    return render(request, "batches/review.html", {**context, "roster": roster, **_live_urls(batch)})


@login_required
@require_GET
def batch_review_live(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The live part of the review page, re-fetched by the page whenever the batch changes."""
    batch = get_or_404(selectors.batch_get_for_user, request.user, batch_id)
    return render(request, "batches/_review_live.html", _review_context(batch))


@login_required
@require_GET
def batch_review_essay_text(request: HttpRequest, batch_id: str, essay_id: str) -> HttpResponse:
    """One essay's whole text, every cue marked: fetched when the teacher asks for it."""
    batch = get_or_404(selectors.batch_get_for_user, request.user, batch_id)
    try:
        essay, needles = essay_text_with_cues(batch, essay_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "batches/_review_text.html", {"essay": essay, "needles": needles})


def _review_context(batch: Batch) -> dict[str, object]:
    # The sequence is read before the data (hence the batch is re-read): anything committed
    # after it makes the page fetch again, so the page never skips a change.
    last_sequence = selectors.batch_last_event_sequence(batch)
    batch.refresh_from_db()
    return {
        "batch": batch,
        "review": batch_review(batch),
        "last_sequence": last_sequence,
        "accepting_decisions": batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION,
        "correctable": batch.status in CORRECTABLE_STATUSES,
        "cancellable": batch.status in OPEN_STATUSES,
    }


def _live_urls(batch: Batch) -> dict[str, str]:
    return {
        "events_url": reverse("api-batch-events", args=[batch.id]),
        "batch_api_url": reverse("api-batch", args=[batch.id]),
    }
