"""Names people read (classes, students): what you see is all there is.

A right-to-left override, a zero-width space or a control character makes two names that
look the same compare different (three "9B" classes side by side) or makes a name display
as something else. Such names are refused (400); the rest is stored in Unicode NFC, so an
"å" typed on a Mac and one typed on Windows are the same letter.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Cc: controls (tab, newline, NUL...); Cf: format characters (bidi overrides and isolates,
# zero-width space/joiners, BOM, soft hyphen); Zl/Zp: line and paragraph separators;
# Cs: lone surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def invisible_characters(value: str) -> list[str]:
    """The code points of ``value`` that do not show as themselves, as ``U+XXXX`` names."""
    return sorted({f"U+{ord(char):04X}" for char in value
                   if unicodedata.category(char) in _INVISIBLE_CATEGORIES})


class NameField(serializers.CharField):
    default_error_messages = {
        "invisible": _("Names may not contain control, direction-changing or zero-width "
                       "characters (found {characters})."),
    }

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        found = invisible_characters(value)
        if found:
            self.fail("invisible", characters=", ".join(found[:5]))
        return unicodedata.normalize("NFC", value)
