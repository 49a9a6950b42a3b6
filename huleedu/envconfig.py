"""The operators' switches and thresholds, read from the environment by ``huleedu.settings``.

The original HuleEdu design names its configuration per service (``BOS_*``, ``ELS_*``,
``NLP_*``, ``CLASS_MGMT_*``); this product is one Django project, so those names are read
here beside the product's own ``HULEEDU_*`` names. Where a design name and a product name
set the same thing, either may be used; both at once with different values is a
configuration error, never a silent choice. Pure functions of an environment mapping, so the
tests read them without reloading settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
TIMEOUT_STRATEGIES = ("high_only", "best_match", "none")


def read_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    # A kill switch must never be half-read: "flase" is refused, not taken as "on".
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _read_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {raw!r}") from None


def _one_of(
    env: Mapping[str, str], names: tuple[str, str], parse: type[int] | type[str], default: object
) -> object:
    """The value set under either name (they must agree when both are set)."""
    values = {name: env[name].strip() for name in names if env.get(name, "").strip() != ""}
    parsed = {}
    for name, raw in values.items():
        try:
            parsed[name] = parse(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if len(set(parsed.values())) > 1:
        raise ImproperlyConfigured(f"{' and '.join(parsed)} are both set and disagree; set one of them")
    return next(iter(parsed.values())) if parsed else default


def validation_timeout_seconds(env: Mapping[str, str]) -> int:
    """``HULEEDU_VALIDATION_TIMEOUT_SECONDS`` or the design's ``ELS_ASSOCIATION_TIMEOUT_SECONDS``."""
    seconds = _one_of(env, ("HULEEDU_VALIDATION_TIMEOUT_SECONDS", "ELS_ASSOCIATION_TIMEOUT_SECONDS"),
                      int, 24 * 60 * 60)
    assert isinstance(seconds, int)
    if seconds <= 0:
        raise ImproperlyConfigured("the validation timeout must be a positive number of seconds")
    return seconds


def validation_check_interval_minutes(env: Mapping[str, str]) -> int:
    """How often the deadline job runs. Set in seconds (``HULEEDU_VALIDATION_CHECK_INTERVAL_SECONDS``
    or the design's ``ELS_ASSOCIATION_CHECK_INTERVAL_SECONDS``); django-q2 schedules run in whole
    minutes, so it is rounded up to the next minute (at least one)."""
    names = ("HULEEDU_VALIDATION_CHECK_INTERVAL_SECONDS", "ELS_ASSOCIATION_CHECK_INTERVAL_SECONDS")
    seconds = _one_of(env, names, int, 60)
    assert isinstance(seconds, int)
    if seconds <= 0:
        raise ImproperlyConfigured("the validation check interval must be a positive number of seconds")
    return max(1, math.ceil(seconds / 60))


def timeout_strategy(env: Mapping[str, str]) -> str:
    """``HULEEDU_TIMEOUT_STRATEGY`` or the design's ``CLASS_MGMT_TIMEOUT_STRATEGY``; the design's
    ``CLASS_MGMT_AUTO_CONFIRM_TIMEOUT=false`` means the deadline confirms nothing (``none``)."""
    strategy = _one_of(env, ("HULEEDU_TIMEOUT_STRATEGY", "CLASS_MGMT_TIMEOUT_STRATEGY"), str, "high_only")
    if strategy not in TIMEOUT_STRATEGIES:
        raise ImproperlyConfigured("the timeout strategy must be high_only, best_match or none")
    if not read_bool(env, "CLASS_MGMT_AUTO_CONFIRM_TIMEOUT", True):
        if strategy != "none" and any(env.get(n, "").strip() for n in
                                      ("HULEEDU_TIMEOUT_STRATEGY", "CLASS_MGMT_TIMEOUT_STRATEGY")):
            raise ImproperlyConfigured(
                f"CLASS_MGMT_AUTO_CONFIRM_TIMEOUT=false decides nothing at the deadline, but the timeout "
                f"strategy is set to {strategy!r}")
        return "none"
    return str(strategy)


def unit_threshold(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    """A threshold in [0, 1] (None: unset and no default)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number between 0 and 1, not {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1, not {value}")
    return value
