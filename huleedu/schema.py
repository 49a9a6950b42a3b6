"""OpenAPI post-processing: every operation documents the JSON error responses it can give."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"nullable": True},
            },
        }
    },
}

_COMMON = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Forbidden (e.g. missing CSRF token with session auth)",
    "404": "Not found, or not yours",
    "405": "Method not allowed",
    "413": "Request too large",
    "415": "Unsupported media type",
}
_WRITE_ONLY = {"409": "Conflicts with the current state (the body says which)"}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            codes = dict(_COMMON)
            if method in {"post", "put", "patch", "delete"}:
                codes.update(_WRITE_ONLY)
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
