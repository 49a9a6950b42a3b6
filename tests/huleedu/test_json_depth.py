"""Deeply nested JSON is a 400, on routes with and without authentication, and never a 500."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from huleedu.parsers import json_depth_exceeds

pytestmark = pytest.mark.django_db


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [100, 100_000])
def test_deep_json_to_the_token_endpoint_is_a_400(levels, caplog):
    with caplog.at_level(logging.ERROR):
        response = APIClient().generic(
            "POST", "/api/v1/auth/token/", deep(levels), content_type="application/json"
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert "nested deeper" in response.json()["error"]["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_deep_json_to_an_authenticated_route_is_a_400(api):
    body = '{"name": ' + deep(50_000) + "}"
    response = api.generic("POST", "/api/v1/classes/", body, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_nesting_still_parses(api):
    response = api.post(
        "/api/v1/classes/",
        {"name": "9C", "students": [{"first_name": "Åsa", "last_name": "[{not a bracket}]", "email": None}]},
        format="json",
    )
    assert response.status_code == 201


def test_brackets_inside_strings_do_not_count():
    assert not json_depth_exceeds(b'{"a": "' + b"[" * 1000 + b'\\"[["}', 3)
    assert json_depth_exceeds(b'{"a": [[[[1]]]]}', 4)
    assert not json_depth_exceeds(b'{"a": [[[1]]]}', 4)
