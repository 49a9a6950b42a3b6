"""Roster CSV import with an optional id column: the school system's id kept as external id."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from classroster.models import Student
from classroster.services import class_create, roster_import_csv

pytestmark = pytest.mark.django_db


def test_an_id_column_becomes_the_external_id(teacher):
    school_class = class_create(owner=teacher, name="9C")
    data = ("förnamn;efternamn;e-post;Elev-ID\n"
            "Åsa;Sjöström;asa@skola.example.se;S-1001\n"
            "Erik;Andersson;;S-1002\n"
            "Elsa;Lindqvist;;\n"
            "Ida;Berg;;S-1001\n").encode("cp1252")
    result = roster_import_csv(school_class=school_class, data=data)
    assert [(s.first_name, s.external_id, s.external_source) for s in result.created] == [
        ("Åsa", "S-1001", "csv"), ("Erik", "S-1002", "csv"), ("Elsa", None, "")]
    assert result.errors == [{"line": 5, "error": "the id S-1001 is already on the roster",
                              "row": ["Ida", "Berg", "", "S-1001"]}]
    again = roster_import_csv(school_class=school_class, data=b"first_name,last_name,id\nNils,Holm,S-1002\n")
    assert again.errors[0]["error"] == "the id S-1002 is already on the roster"


def test_the_api_returns_and_exports_the_external_id(api, teacher):
    school_class = class_create(owner=teacher, name="9C")
    upload = SimpleUploadedFile("roster.csv", b"first_name,last_name,email,id\nAlva,Lund,,=HYPERLINK(1)\n")
    response = api.post(f"/api/v1/classes/{school_class.id}/students/import/", {"file": upload},
                        format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["students"][0]["external_id"] == "HYPERLINK(1)"  # a formula is stored as text
    exported = api.get(f"/api/v1/classes/{school_class.id}/students/export/").content.decode("utf-8-sig")
    assert exported.splitlines() == ["first_name,last_name,email,external_id", "Alva,Lund,,HYPERLINK(1)"]
    assert Student.objects.get().external_source == "csv"


def test_an_overlong_id_is_a_row_error(teacher):
    school_class = class_create(owner=teacher, name="9C")
    result = roster_import_csv(school_class=school_class,
                               data=b"first_name,last_name,id\nAlva,Lund," + b"9" * 300 + b"\n")
    assert not result.created and "longer than 200" in result.errors[0]["error"]
