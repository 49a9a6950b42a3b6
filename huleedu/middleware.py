from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from huleedu import tracing
from huleedu.correlation import bound, clean_correlation_id

HEADER = "X-Correlation-ID"


class CorrelationIdMiddleware:
    """Takes the caller's X-Correlation-ID (or makes one) and returns it on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        correlation_id = clean_correlation_id(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        tracing.annotate(correlation_id=correlation_id)
        with bound(correlation_id):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and "batch_id" in match.kwargs:
            tracing.annotate(batch_id=match.kwargs["batch_id"])
        response[HEADER] = correlation_id
        return response
