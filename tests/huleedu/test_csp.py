"""A Content-Security-Policy on every page: scripts and styles from this origin only, no inline
script anywhere, and the API docs served from here, not a CDN."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def inline_scripts(html: str) -> list[str]:
    """Executable scripts with a body (JSON data blocks do not run)."""
    return [body for attrs, body in SCRIPT.findall(html)
            if body.strip() and "application/json" not in attrs]


def test_pages_carry_a_same_origin_policy_without_inline_scripts(teacher, awaiting_validation):
    batch = awaiting_validation(2)
    client = Client()
    client.force_login(teacher)
    for url in ("/", "/classes/", f"/classes/{batch.school_class_id}/", f"/batches/{batch.id}/review/",
                f"/batches/{batch.id}/upload/", "/accounts/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert inline_scripts(response.content.decode()) == [], url


def test_api_docs_assets_are_same_origin():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_scripts(html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        assert Client().get(source).status_code == 200, source


def test_the_api_answers_carry_the_policy_too(api):
    assert "default-src 'self'" in api.get("/api/v1/batches/")["Content-Security-Policy"]
