"""Password guessing is throttled: DRF's cache-backed throttles on every way to sign in.

The login page, the admin login and ``POST /api/v1/auth/token/`` count each attempt per
client address and username, and per client address alone, in the cache (Redis when
configured, so all processes count together). Past either rate the client gets 429 with
``Retry-After`` and no password is hashed: a flood of guesses costs a cache round trip each,
not a PBKDF2 computation, so it cannot starve the other requests of CPU either.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from huleedu import metrics
from huleedu.errors import error_body

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERIOD = re.compile(r"(?P<n>\d*)(?P<unit>[smhd])")


class _LoginThrottle(SimpleRateThrottle):
    """Counts sign-in attempts (POSTs) only; reading a login form is free."""

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        """DRF's ``N/period`` plus a multiplier: ``10/15m`` is 10 per 15 minutes."""
        if rate is None:
            return None, None
        count, period = rate.split("/")
        parsed = _PERIOD.match(period.strip())
        if parsed is None:
            raise ValueError(f"Unreadable rate {rate!r}: write N/period, e.g. 10/15m or 30/hour.")
        return int(count), int(parsed["n"] or 1) * _PERIOD_SECONDS[parsed["unit"]]

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.ident_for(request)}

    def ident_for(self, request: Any) -> str:
        return self.get_ident(request)


class LoginAddressThrottle(_LoginThrottle):
    scope = "login_address"


class LoginUsernameThrottle(_LoginThrottle):
    scope = "login_username"

    def ident_for(self, request: Any) -> str:
        username = str(_submitted_username(request) or "").strip().lower()[:150]
        # Hashed: a username may hold spaces or controls, which cache keys must not.
        return f"{self.get_ident(request)}:{hashlib.sha256(username.encode()).hexdigest()[:32]}"


def _submitted_username(request: Any) -> object:
    data = getattr(request, "data", None)  # a DRF request (JSON)
    if data is None:
        data = request.POST  # the login form
    return data.get("username") if hasattr(data, "get") else None


LOGIN_THROTTLES = (LoginAddressThrottle, LoginUsernameThrottle)


def login_retry_after(request: Any) -> int | None:
    """Seconds until this sign-in attempt may be made, or None when it may be made now.

    Every throttle is asked (and counts the attempt), as DRF's own check does."""
    waits = [throttle.wait() for throttle in (cls() for cls in LOGIN_THROTTLES)
             if not throttle.allow_request(request, None)]
    if not waits:
        return None
    return max(1, math.ceil(max(w or 1 for w in waits)))


def too_many_attempts(request: HttpRequest, retry_after: int) -> HttpResponse:
    metrics.api_error(code="throttled", status=429)
    message = _("Too many sign-in attempts. Try again in %(seconds)d seconds.") % {"seconds": retry_after}
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            error_body("throttled", message, {"retry_after": retry_after}), status=429
        )
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def throttle_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a Django (non-DRF) login view: attempts past the rate get 429 before any password
    check."""

    def throttled_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        retry_after = login_retry_after(request)
        if retry_after is not None:
            return too_many_attempts(request, retry_after)
        return view(request, *args, **kwargs)

    throttled_view.__name__ = getattr(view, "__name__", "throttled_view")
    throttled_view.__doc__ = view.__doc__
    return throttled_view
