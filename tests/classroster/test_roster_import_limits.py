"""An oversize roster CSV is refused (413) before its body is read; lookalike names are 400."""

from __future__ import annotations

import io
import time

import pytest

pytestmark = pytest.mark.django_db


def test_a_60_mb_roster_csv_is_a_413_within_seconds(api, school_class):
    handle = io.BytesIO(b"first_name,last_name\n" + b"Anna,Berg\n" * (6 * 1024 * 1024))
    handle.name = "roster.csv"
    started = time.monotonic()
    response = api.post(f"/api/v1/classes/{school_class.id}/students/import/", {"file": handle},
                        format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert time.monotonic() - started < 5
    assert school_class.students.count() == 30  # nothing imported


def test_a_body_that_hides_its_size_stops_at_the_cap(school_class):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from classroster.apis import RosterImportApi

    body = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + b"Anna,Berg\n" * (400 * 1024) + b"\r\n--B--\r\n")
    request = APIRequestFactory().generic("POST", "/", body, content_type="multipart/form-data; boundary=B")
    request.META["CONTENT_LENGTH"] = "100"  # a lie: the parser must not trust it
    force_authenticate(request, user=school_class.owner)
    response = RosterImportApi.as_view()(request, class_id=str(school_class.id))
    assert response.status_code in (400, 413)
    assert school_class.students.count() == 30


def test_a_roster_within_the_limit_still_imports(api, school_class):
    handle = io.BytesIO("förnamn;efternamn\nÅsa;Nilsson\n".encode())
    handle.name = "roster.csv"
    response = api.post(f"/api/v1/classes/{school_class.id}/students/import/", {"file": handle},
                        format="multipart")
    assert response.status_code == 201


@pytest.mark.parametrize("name", ["9B\u202e", "9\u200bB", "\u200d9B", "9B\x07", "9\u2066B\u2069", "9B\ufeff"])
def test_names_with_invisible_characters_are_refused(api, name):
    response = api.post("/api/v1/classes/", {"name": name}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


def test_student_names_with_bidi_overrides_are_refused(api, school_class):
    response = api.post(f"/api/v1/classes/{school_class.id}/students/",
                        {"first_name": "Åsa\u202e", "last_name": "Berg"}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["details"]


def test_roster_rows_with_zero_width_characters_are_reported(api, school_class):
    handle = io.BytesIO("first_name,last_name\nÅs\u200ba,Nilsson\nIda,Holm\n".encode())
    handle.name = "roster.csv"
    response = api.post(f"/api/v1/classes/{school_class.id}/students/import/", {"file": handle},
                        format="multipart")
    assert response.status_code == 201
    assert response.json()["created"] == 1
    assert response.json()["errors"][0]["line"] == 2


def test_names_are_stored_in_one_unicode_form(api):
    decomposed = "A\u030asa"  # "Åsa" as A + combining ring, as some keyboards send it
    response = api.post("/api/v1/classes/", {"name": decomposed}, format="json")
    assert response.status_code == 201 and response.json()["name"] == "\u00c5sa"
    assert api.post("/api/v1/classes/", {"name": "\u00c5sa"}, format="json").status_code == 409


def test_an_oversize_oneroster_export_is_a_413_before_it_is_read(api):
    handle = io.BytesIO(b"PK" + b"\0" * (30 * 1024 * 1024))
    handle.name = "export.zip"
    started = time.monotonic()
    response = api.post("/api/v1/rosters/oneroster/classes/", {"file": handle}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"  # the route's own code, kept
    assert "request body" in response.json()["error"]["message"]  # judged by its Content-Length
    assert time.monotonic() - started < 5
