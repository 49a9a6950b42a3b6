from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from huleedu import tracing
from huleedu.correlation import batch_correlation_id, bound, clean_correlation_id

HEADER = "X-Correlation-ID"


class CorrelationIdMiddleware:
    """Takes the caller's X-Correlation-ID (or makes one) and returns it on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        correlation_id = clean_correlation_id(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        with bound(correlation_id):
            response = self.get_response(request)
        if tracing.tracing_enabled():
            # As in the logs: the request's own id, and the batch's correlation id when the
            # request worked on a batch (the one of the request that registered it).
            match = getattr(request, "resolver_match", None)
            batch_id = match.kwargs.get("batch_id") if match is not None else None
            tracing.annotate(request_id=correlation_id, batch_id=batch_id,
                             correlation_id=(batch_id and batch_correlation_id(batch_id)) or correlation_id)
        response[HEADER] = correlation_id
        return response
