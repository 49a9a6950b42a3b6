from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from batches.forms import BatchCreateForm
from batches.selectors import batches_visible_to
from classroster.selectors import classes_visible_to


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard.html", {
        "batches": batches_visible_to(request.user)[:100],
        "classes": classes_visible_to(request.user),
        "batch_form": BatchCreateForm(user=request.user),
    })
