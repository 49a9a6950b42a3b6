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

# Where the engine found a cue (matching.engine's Evidence.source), as the review page names it.
EVIDENCE_SOURCE_LABELS = {"text": _("text"), "filename": _("filename")}

LEVEL_LABELS = {"high": _("High confidence"), "review": _("Needs review"), "none": _("No match")}


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
def evidence_label(source: str) -> str:
    return str(EVIDENCE_SOURCE_LABELS.get(source, source))


@register.filter
def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


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
