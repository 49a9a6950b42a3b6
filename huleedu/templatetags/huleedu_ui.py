"""Template helpers of the teacher pages. Everything user-written is escaped here."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "AWAITING_CONTENT": _("Waiting for essays"),
    "CONTENT_PROVISIONED": _("Essays received"),
    "AWAITING_STUDENT_MATCHING": _("Matching students"),
    "AWAITING_STUDENT_VALIDATION": _("Awaiting your review"),
    "READY_FOR_PIPELINE_EXECUTION": _("Ready"),
    "PIPELINE_REQUESTED": _("Sent for assessment"),
    "FAILED": _("Failed"),
    "CANCELLED": _("Cancelled"),
}

LEVEL_LABELS = {"high": _("High confidence"), "review": _("Needs review"), "none": _("No match")}

# How strong a suggestion is, as the review page names it (MatchSuggestion.strength).
STRENGTH_LABELS = {
    "high": _("High confidence"),
    "review": _("Needs review"),
    "weak": _("Weak match"),
    "none": _("No suggestion"),
}

EVIDENCE_SOURCES = {"text": _("text"), "filename": _("filename"), "email": _("e-mail")}


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


@register.filter
def strength_label(strength: str) -> str:
    return str(STRENGTH_LABELS.get(strength, strength))


@register.filter
def evidence_source(source: str) -> str:
    return str(EVIDENCE_SOURCES.get(source, source))


@register.filter
def highlight_all(text: str | None, needles: list[str]) -> SafeString:
    """The whole text with every occurrence of any of the needles marked, all escaped."""
    text = text or ""
    words = sorted({needle.strip() for needle in needles if needle and needle.strip()}, key=len, reverse=True)
    if not words:
        return conditional_escape(text)
    pattern = "(" + "|".join(re.escape(word) for word in words) + ")"
    pieces = re.split(pattern, text, flags=re.IGNORECASE)
    html = "".join(
        format_html("<mark>{}</mark>", piece) if index % 2 else conditional_escape(piece)
        for index, piece in enumerate(pieces)
    )
    return mark_safe(html)  # every piece above went through escaping


@register.filter
def percent(value: float | None) -> str:
    return f"{round((value or 0.0) * 100)}%"


@register.filter
def highlight(context: str | None, matched_text: str | None) -> SafeString:
    """The evidence context with every occurrence of the matched text marked, all escaped."""
    context = context or ""
    needle = (matched_text or "").strip()
    if not needle:
        return conditional_escape(context)
    pieces = re.split(f"({re.escape(needle)})", context, flags=re.IGNORECASE)
    html = "".join(
        format_html("<mark>{}</mark>", piece) if index % 2 else conditional_escape(piece)
        for index, piece in enumerate(pieces)
    )
    return mark_safe(html)  # every piece above went through escaping
