"""The review page (the teacher confirms or corrects each essay's student, live) and a batch's
exam.net code list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from batches.models import CORRECTABLE_STATUSES, OPEN_STATUSES, Batch, BatchStatus
from batches.selectors import batch_get_for_user, batch_last_event_sequence
from batches.views import live_urls
from classroster.selectors import exam_codes_of
from huleedu.errors import DomainError, NotFound
from huleedu.pages import get_or_404
from matching.selectors import batch_review, essay_text_with_cues, roster_for_picker
from matching.services import exam_codes


@login_required
@require_GET
def batch_review_page(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = get_or_404(batch_get_for_user, request.user, batch_id)
    context = _review_context(batch)
    roster = roster_for_picker(context["review"].roster)
    return render(request, "batches/review.html", {**context, "roster": roster, **live_urls(batch)})


@login_required
@require_GET
def batch_review_live(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The live part of the review page, re-fetched by the page whenever the batch changes."""
    batch = get_or_404(batch_get_for_user, request.user, batch_id)
    return render(request, "batches/_review_live.html", _review_context(batch))


@login_required
@require_GET
def batch_review_essay_text(request: HttpRequest, batch_id: str, essay_id: str) -> HttpResponse:
    """One essay's whole text, every cue marked: fetched when the teacher asks for it."""
    batch = get_or_404(batch_get_for_user, request.user, batch_id)
    try:
        essay, needles = essay_text_with_cues(batch, essay_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "batches/_review_text.html", {"essay": essay, "needles": needles})


def _review_context(batch: Batch) -> dict[str, object]:
    # The sequence is read before the data (hence the batch is re-read): anything committed
    # after it makes the page fetch again, so the page never skips a change.
    last_sequence = batch_last_event_sequence(batch)
    batch.refresh_from_db()
    return {
        "batch": batch,
        "review": batch_review(batch),
        "last_sequence": last_sequence,
        "accepting_decisions": batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION,
        "correctable": batch.status in CORRECTABLE_STATUSES,
        "cancellable": batch.status in OPEN_STATUSES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def batch_exam_codes(request: HttpRequest, batch_id: str) -> HttpResponse:
    """A batch's exam.net code list: upload it (before or after the essays) and see what it matched."""
    batch = get_or_404(batch_get_for_user, request.user, batch_id)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Choose the code list file (CSV or Excel) first."), code="no_file")
            if upload.size and upload.size > exam_codes.MAX_CODE_LIST_BYTES:
                raise DomainError(_("The code list is too large."), code="code_list_too_large")
            result = exam_codes.exam_codes_import(batch=batch, data=upload.read(), filename=upload.name or "",
                                             uploaded_by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)d codes imported.") % {"count": len(result.codes)})
    summary = (batch.processing_summary or {}).get("exam_codes")
    return render(request, "classes/codes.html", {
        "batch": batch, "codes": exam_codes_of(batch).select_related("student"),
        "errors": result.errors if result else [], "report": summary,
    })
