"""OneRoster 1.1 CSV: a zip of orgs/classes/users/enrollments becomes a roster; bad rows are
reported by file and line; hostile zips are refused with a clear 4xx and store nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from classroster.models import SchoolClass, Student
from classroster.oneroster import MAX_UNCOMPRESSED_BYTES

pytestmark = pytest.mark.django_db

ORGS = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-1,,,Norra skolan,school,,\n"
)
CLASSES = (
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
    "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
    "c-9b,,,9B Svenska,09,course-1,SVE9B,scheduled,,org-1,term-1,,,\n"
    "c-9a,,,9A Svenska,09,course-1,SVE9A,scheduled,,org-1,term-1,,,\n"
)
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
)
USERS = USERS_HEADER + (
    "u-1,,,true,org-1,student,asa,,Åsa,Sjöström,,,asa.sjostrom@skola.example.se,,,,09,\n"
    "u-2,,,true,org-1,student,erik,,Erik,Andersson,,,erik.andersson@skola.example.se,,,,09,\n"
    "u-3,,,true,org-1,student,linnea,,Linnéa,Ekström,,,,,,,09,\n"
    "u-4,,,true,org-1,student,nils,,Nils,Holm,,,nils.holm@skola.example.se,,,,09,\n"
    "t-1,,,true,org-1,teacher,lena,,Lena,Berg,,,lena.berg@skola.example.se,,,,,\n"
    "u-5,,,true,org-1,student,broken,,Too,Few,Fields\n"
)
ENROLLMENTS = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
    "beginDate,endDate\n"
    "e-1,,,c-9b,org-1,u-1,student,false,,\n"
    "e-2,,,c-9b,org-1,u-2,student,false,,\n"
    "e-3,,,c-9b,org-1,u-3,student,false,,\n"
    "e-4,,,c-9a,org-1,u-4,student,false,,\n"
    "e-5,,,c-9b,org-1,t-1,teacher,true,,\n"
    "e-6,,,c-9b,org-1,u-404,student,false,,\n"
)


def oneroster_zip(**overrides: str | bytes) -> bytes:
    files: dict[str, str | bytes] = {
        "orgs.csv": ORGS,
        "classes.csv": CLASSES,
        "users.csv": USERS,
        "enrollments.csv": ENROLLMENTS,
        "manifest.csv": "propertyName,value\n",
    }
    files.update(overrides)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def as_upload(data: bytes, name: str = "oneroster.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_classes_of_an_export_are_listed_with_bad_rows_by_file_and_line(api):
    response = api.post(
        "/api/v1/rosters/oneroster/classes/", {"file": as_upload(oneroster_zip())}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["sourced_id"], c["student_count"], c["school"]) for c in body["classes"]] == [
        ("c-9a", 1, "Norra skolan"),
        ("c-9b", 3, "Norra skolan"),
    ]
    assert {(e["file"], e["line"]) for e in body["errors"]} == {("users.csv", 7), ("enrollments.csv", 7)}
    assert not SchoolClass.objects.exists()  # reading stores nothing


def test_a_class_becomes_a_roster_with_sourced_ids(api):
    response = api.post(
        "/api/v1/rosters/oneroster/import/",
        {"file": as_upload(oneroster_zip()), "class_sourced_id": "c-9b"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sync"]["created"] == 3
    school_class = SchoolClass.objects.get(pk=body["school_class"]["class_id"])
    assert (school_class.name, school_class.external_source, school_class.external_id) == (
        "9B Svenska",
        "oneroster",
        "c-9b",
    )
    assert {(s.external_id, s.full_name, s.email) for s in school_class.students.all()} == {
        ("u-1", "Åsa Sjöström", "asa.sjostrom@skola.example.se"),
        ("u-2", "Erik Andersson", "erik.andersson@skola.example.se"),
        ("u-3", "Linnéa Ekström", None),
    }  # the teacher enrolled in the class is not a student


def test_reimport_updates_and_marks_leavers(api):
    first = api.post(
        "/api/v1/rosters/oneroster/import/",
        {"file": as_upload(oneroster_zip()), "class_sourced_id": "c-9b"},
        format="multipart",
    )
    class_id = first.json()["school_class"]["class_id"]
    enrollments = ENROLLMENTS.replace("e-3,,,c-9b,org-1,u-3", "e-3,,,c-9a,org-1,u-3")
    users = USERS.replace("Erik,Andersson", "Erik,Andersén")
    response = api.post(
        "/api/v1/rosters/oneroster/import/",
        {
            "file": as_upload(oneroster_zip(**{"enrollments.csv": enrollments, "users.csv": users})),
            "class_sourced_id": "c-9b",
            "class_id": class_id,
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sync"] | {"problems": []} == {
        "created": 0,
        "updated": 1,
        "left": 1,
        "returned": 0,
        "unchanged": 1,
        "problems": [],
    }
    assert Student.objects.get(external_id="u-2").last_name == "Andersén"
    assert Student.objects.get(external_id="u-3").left_at is not None
    assert Student.objects.count() == 3


def refused(api, data: bytes, status: int, code: str) -> dict:
    response = api.post("/api/v1/rosters/oneroster/classes/", {"file": as_upload(data)}, format="multipart")
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    imported = api.post(
        "/api/v1/rosters/oneroster/import/",
        {"file": as_upload(data), "class_sourced_id": "c-9b"},
        format="multipart",
    )
    assert imported.status_code == status
    assert not SchoolClass.objects.exists() and not Student.objects.exists()
    return error


def test_zip_bomb_is_refused(api):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("orgs.csv", ORGS), ("classes.csv", CLASSES), ("enrollments.csv", ENROLLMENTS)):
            archive.writestr(name, content)
        archive.writestr("users.csv", USERS.encode() + b" " * (MAX_UNCOMPRESSED_BYTES // 2))
    assert len(out.getvalue()) < 1_000_000
    refused(api, out.getvalue(), 400, "unsafe_archive")


def test_oversized_content_is_refused(api):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("orgs.csv", ORGS)
        for index in range(6):  # many plain members adding up beyond the bound
            archive.writestr(f"pad{index}.bin", b"x" * (MAX_UNCOMPRESSED_BYTES // 5))
    # The upload limit stops it first when the zip itself is too big.
    refused(api, out.getvalue(), 413, "file_too_large")


@pytest.mark.parametrize("name", ["../users.csv", "/etc/users.csv", "export/../../users.csv", "C:/users.csv"])
def test_path_tricks_are_refused(api, name):
    data = oneroster_zip(**{name: USERS})
    assert refused(api, data, 400, "unsafe_archive")["details"]["name"] == name


def test_wrong_headers_are_named(api):
    error = refused(
        api, oneroster_zip(**{"users.csv": "id,first,last\n1,A,B\n"}), 400, "invalid_oneroster_header"
    )
    assert error["details"]["file"] == "users.csv"
    assert "givenname" in error["details"]["missing"]


def test_missing_files_are_named(api):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("orgs.csv", ORGS)
    assert refused(api, out.getvalue(), 400, "invalid_oneroster")["details"]["missing_files"] == [
        "classes.csv",
        "enrollments.csv",
        "users.csv",
    ]


def test_bad_encoding_is_refused_with_its_line(api):
    latin1 = USERS.encode("cp1252", errors="replace")
    error = refused(api, oneroster_zip(**{"users.csv": latin1}), 400, "invalid_encoding")
    assert error["details"] == {"file": "users.csv", "line": 2}


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 100, b"\x00\xff" * 500])
def test_not_a_zip_is_refused(api, data):
    refused(api, data, 400, "invalid_archive")


def test_binary_member_is_refused(api):
    refused(api, oneroster_zip(**{"classes.csv": b"\x00\x01\x02binary"}), 400, "invalid_oneroster")


def test_no_file_and_unknown_class(api):
    response = api.post("/api/v1/rosters/oneroster/classes/", {}, format="multipart")
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_file"
    response = api.post(
        "/api/v1/rosters/oneroster/import/",
        {"file": as_upload(oneroster_zip()), "class_sourced_id": "nope"},
        format="multipart",
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "oneroster_class_not_found"


def test_content_beyond_the_decompressed_bound_is_refused(api, monkeypatch):
    import os

    from classroster import oneroster

    # A smaller bound so the test stays small; the data compresses only ~7x, so it is no bomb.
    monkeypatch.setattr(oneroster, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    noise = os.urandom(3 * 1024 * 1024).translate(bytes(b"ab"[i & 1] for i in range(256)))
    data = oneroster_zip(**{"notes.txt": noise})
    assert len(data) < 1024 * 1024
    refused(api, data, 413, "archive_too_large")
