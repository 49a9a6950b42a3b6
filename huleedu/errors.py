"""API errors as ``{"error": {"code", "message", "details"}}`` — never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from huleedu import metrics


class DomainError(Exception):
    """A business rule said no. Services raise these; the API turns them into 4xx JSON."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


_DRF_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.Throttled: "throttled",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _api_error_response(exc, context)
    if response is not None:
        metrics.api_error(code=response.data["error"]["code"], status=response.status_code)
    return response


def _api_error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("payload_too_large", _("The request body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("bad_request", str(exc) or _("Bad request.")), status=400)
    if isinstance(exc, DjangoValidationError):
        return Response(error_body("validation_error", _("Invalid input."), exc.messages), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        message = _("Invalid input.")
        details = response.data
    else:
        message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else _("Error.")
        details = None
    response.data = error_body(code, message, details)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def handler404(request: HttpRequest, exception: Exception) -> Any:
    if _wants_json(request):
        return json_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler400(request: HttpRequest, exception: Exception) -> Any:
    if _wants_json(request):
        return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> Any:
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", _("Forbidden.")), status=403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler500(request: HttpRequest) -> Any:
    if _wants_json(request):
        return JsonResponse(error_body("server_error", _("Internal server error.")), status=500)
    from django.views.defaults import server_error

    return server_error(request)
