"""JSON request bodies with a nesting limit.

Python's JSON decoder recurses once per level: a body nested 100,000 deep raises
RecursionError, which DRF does not turn into a 400. No request of this API needs more than a
handful of levels, so the depth is measured first, without recursion, and a deeper body is a
400 before the decoder sees it.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A JSON string (with its escapes) or one bracket. Strings are matched whole so that brackets
# inside them do not count; the regex engine does the scanning in C.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset(b"[{")


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """True when ``data`` opens more than ``limit`` arrays or objects inside each other."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(data):
        first = match.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif first != 0x22:  # a closing bracket (0x22 is the quote that starts a string)
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        data = stream.read()
        limit = settings.MAX_JSON_DEPTH
        if json_depth_exceeds(data, limit):
            raise ParseError(f"JSON parse error - the body is nested deeper than {limit} levels.")
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError as exc:  # a decoder built without a C scanner recurses deeper
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc

