"""Template helpers of the teacher pages. Everything user-written is escaped here."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from batches.models import STATUS_LABELS
from batches.models import status_label as batch_status_label
from essays.models import FAILURE_LABELS

register = template.Library()

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
    return batch_status_label(status)


@register.simple_tag
def upload_page_labels() -> dict[str, dict[str, str]]:
    """What the upload page's script shows for a state or a failure, in the teacher's language."""
    return {
        "status": {status: str(label) for status, label in STATUS_LABELS.items()},
        "failure": {code: str(label) for code, label in FAILURE_LABELS.items()},
    }


@register.filter
def failure_label(code: str) -> str:
    """Why an upload was not stored, in the teacher's language (nothing for a stored essay)."""
    return str(FAILURE_LABELS.get(code, FAILURE_LABELS["unreadable"])) if code else ""


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
