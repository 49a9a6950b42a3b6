from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from batches.selectors import batches_visible_to
from classroster.selectors import classes_visible_to


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard.html", {
        "batches": batches_visible_to(request.user)[:100],
        "classes": classes_visible_to(request.user),
    })


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
