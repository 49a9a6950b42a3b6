"""Hostile and malformed input: every case gets a clear 4xx (or a recorded per-file failure)
and leaves nothing half-written."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from batches.models import Batch
from classroster.models import Student
from essays.models import Essay
from essays.samples import docx_bytes
from outbox.models import BatchEvent
from tests.conftest import txt_file

# The API client runs what a request schedules after commit (tests/conftest.py).
pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def guest_batch(api) -> str:
    response = api.post(
        "/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 20}, format="json"
    )
    return response.json()["batch_id"]


def upload(api, batch_id: str, *files) -> list[dict]:
    response = api.post(f"/api/v1/batches/{batch_id}/essays/", {"files": list(files)}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["results"]


def named(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def pdf_bytes(encrypt_with: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    if encrypt_with:
        writer.encrypt(encrypt_with)
    handle = io.BytesIO()
    writer.write(handle)
    return handle.getvalue()


def zip_bomb_docx() -> bytes:
    """A .docx-shaped zip whose document.xml inflates ~1000x to 80 MB."""
    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:t>" + b"A" * (80 * 1024 * 1024) + b"</w:t>")
    return handle.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("essay.docx", b"\x8a\x01\xff" * 500, "unreadable"),
        ("essay.pdf", b"\x00\x13garbage" * 300, "unreadable"),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer<<>>\n%%EOF",
            "unreadable",
        ),
        ("secret.pdf", pdf_bytes(encrypt_with="hemligt"), "encrypted"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n\t ", "empty"),
        ("binary.txt", bytes(range(256)) * 10, "unreadable"),
        ("program.exe", b"MZ\x90\x00", "unsupported"),
        ("noextension", b"Namn: Anna", "unsupported"),
        ("not-a-word-file.docx", _zip := b"PK\x03\x04" + b"\x00" * 40, "unreadable"),
    ],
)
def test_unusable_files_are_recorded_failures_with_a_reason(api, guest_batch, filename, data, code):
    [result] = upload(api, guest_batch, named(filename, data))
    assert result["status"] == "FAILED"
    assert result["code"] == code
    assert result["reason"]
    essay = Essay.objects.get(pk=result["essay_id"])
    assert essay.text == "" and essay.failure_code == code
    assert BatchEvent.objects.filter(batch_id=guest_batch, event_type="essay.validation.failed").count() == 1


def test_zip_bomb_docx_is_refused_without_inflating_it(api, guest_batch):
    [result] = upload(api, guest_batch, named("bomb.docx", zip_bomb_docx()))
    assert result["status"] == "FAILED"
    assert result["code"] in {"unreadable", "too_large"}


def test_oversized_file_is_recorded_too_large(api, guest_batch, settings):
    settings.MAX_UPLOAD_FILE_BYTES = 1000
    [result] = upload(api, guest_batch, named("long.txt", b"ord " * 1000))
    assert (result["status"], result["code"]) == ("FAILED", "too_large")
    assert "1,000" in result["reason"]


def test_oversized_request_is_refused_and_nothing_is_stored(api, guest_batch, settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 5000
    response = api.post(
        f"/api/v1/batches/{guest_batch}/essays/", {"files": [named("a.txt", b"x" * 6000)]}, format="multipart"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "upload_too_large"
    assert Essay.objects.filter(batch_id=guest_batch).count() == 0


def test_path_tricks_and_control_characters_in_filenames_are_neutralised(api, guest_batch):
    results = upload(
        api,
        guest_batch,
        named("../../etc/passwd.txt", b"Namn: Anna Berg"),
        named("..\\..\\windows\\x.txt", b"Namn: Anna Berg"),
        named("a\x01b\x7f.txt", b"Namn: Anna Berg"),
        named(("lång" * 200) + ".txt", b"Namn: Anna Berg"),
        named("uppsats\x00.exe.txt", b"Namn: Anna Berg"),
    )
    names = [r["filename"] for r in results]
    assert names[0] == "passwd.txt"
    assert names[1] == "x.txt"
    assert names[2] == "ab.txt"
    assert len(names[3]) == 255 and names[3].endswith(".txt")
    assert names[4] == "uppsats.exe.txt"
    assert all("/" not in n and "\\" not in n and "\x00" not in n for n in names)


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("cp1252", b""),
        ("latin-1", b""),
        ("utf-16", b""),
    ],
)
def test_swedish_text_comes_out_right_in_every_common_encoding(api, guest_batch, encoding, prefix):
    text = "Namn: Åsa Sjöström\nÄr det här rätt? Ja, så är det - öl och ägg."
    data = prefix + text.encode(encoding)
    [result] = upload(api, guest_batch, named("uppsats.txt", data))
    assert result["status"] == "PROVISIONED"
    assert Essay.objects.get(pk=result["essay_id"]).text.startswith("Namn: Åsa Sjöström\nÄr det här rätt?")


def test_real_docx_and_pdf_are_read(api, guest_batch):
    results = upload(api, guest_batch, named("uppsats.docx", docx_bytes(["Namn: Åsa Sjöström", "Brödtext."])))
    assert results[0]["status"] == "PROVISIONED"
    assert "Åsa Sjöström" in Essay.objects.get(pk=results[0]["essay_id"]).text


def test_upload_without_files_is_a_400(api, guest_batch):
    response = api.post(f"/api/v1/batches/{guest_batch}/essays/", {}, format="multipart")
    assert response.status_code == 400 and error_of(response)["code"] == "no_files"


def test_upload_to_a_closed_batch_is_a_409_and_stores_nothing(api):
    batch_id = api.post(
        "/api/v1/batches/", {"course_code": "X", "expected_essay_count": 1}, format="json"
    ).json()["batch_id"]
    upload(api, batch_id, txt_file("a.txt", "Namn: A B"))
    requested = api.post(f"/api/v1/batches/{batch_id}/pipeline/", {"pipeline": ["x"]}, format="json")
    assert requested.status_code == 202
    response = api.post(
        f"/api/v1/batches/{batch_id}/essays/", {"files": [txt_file("b.txt", "x")]}, format="multipart"
    )
    assert response.status_code == 409
    assert error_of(response)["details"]["status"] == "PIPELINE_REQUESTED"
    assert Essay.objects.filter(batch_id=batch_id).count() == 1


def test_same_upload_retried_with_idempotency_key_stores_one_essay(api, guest_batch):
    first = api.post(
        f"/api/v1/batches/{guest_batch}/essays/",
        {"files": [txt_file("a.txt", "Namn: A")]},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-123",
    )
    retry = api.post(
        f"/api/v1/batches/{guest_batch}/essays/",
        {"files": [txt_file("a.txt", "Namn: A")]},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-123",
    )
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json()["replayed"] is True
    assert retry.json()["results"] == first.json()["results"]
    assert Essay.objects.filter(batch_id=guest_batch).count() == 1


# --- JSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"course_code": "X", "expected_essay_count": "ten"},
        {"course_code": "X", "expected_essay_count": [3]},
        {"course_code": "X", "expected_essay_count": None},
        {"course_code": 12, "expected_essay_count": 2, "class_id": "not-a-uuid"},
        {"course_code": {"a": 1}, "expected_essay_count": 2},
        {"expected_essay_count": 2},
        [{"course_code": "X", "expected_essay_count": 2}],
        "just a string",
    ],
)
def test_batch_registration_with_wrong_types_is_a_400(api, body):
    response = api.post("/api/v1/batches/", body, format="json")
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "validation_error"
    assert Batch.objects.count() == 0


@pytest.mark.parametrize("count", [0, -1, 101, 10_000])
def test_essay_count_out_of_range_says_to_split(api, count):
    response = api.post(
        "/api/v1/batches/", {"course_code": "X", "expected_essay_count": count}, format="json"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["details"]["maximum"] == 100
    if count > 100:
        assert error["code"] == "batch_too_large" and "split" in error["message"]
    assert Batch.objects.count() == 0


def test_malformed_json_is_a_400(api):
    response = api.generic(
        "POST", "/api/v1/batches/", '{"course_code": "X", ', content_type="application/json"
    )
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_request"


def test_huge_json_body_is_a_413(api):
    body = json.dumps({"course_code": "X", "expected_essay_count": 2, "essay_instructions": "x" * 3_000_000})
    response = api.generic("POST", "/api/v1/batches/", body, content_type="application/json")
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"
    assert Batch.objects.count() == 0


def test_wrong_types_in_decisions_are_400s(api, awaiting_validation):
    batch = awaiting_validation(2)
    essay = Essay.objects.filter(batch=batch).first()
    url = f"/api/v1/classes/{batch.school_class_id}/associations/{essay.id}/"
    for body in ({"student_id": 5}, {"student_id": "nobody"}, {}, {"student_id": ["x"]}):
        response = api.put(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        error_of(response)
    confirm = f"/api/v1/batches/{batch.id}/associations/confirm/"
    for body in ({"accept": "everything"}, {"decisions": "all"}, {}, {"decisions": [{"essay_id": 1}]}):
        response = api.post(confirm, body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not batch.associations.exclude(method="").exists()


def test_pipeline_with_wrong_types_is_a_400(api):
    batch_id = api.post(
        "/api/v1/batches/", {"course_code": "X", "expected_essay_count": 1}, format="json"
    ).json()["batch_id"]
    for body in ({"pipeline": "spellcheck"}, {"pipeline": []}, {"pipeline": [1, {"a": 2}]}, {}):
        response = api.post(f"/api/v1/batches/{batch_id}/pipeline/", body, format="json")
        assert response.status_code == 400, (body, response.content)


# --- CSV roster import ----------------------------------------------------------------------------


def import_csv(api, class_id: str, data: bytes, name: str = "roster.csv"):
    return api.post(
        f"/api/v1/classes/{class_id}/students/import/", {"file": named(name, data)}, format="multipart"
    )


@pytest.fixture
def class_id(api) -> str:
    return api.post("/api/v1/classes/", {"name": "8A"}, format="json").json()["class_id"]


def test_csv_with_swedish_headers_semicolons_and_cp1252(api, class_id):
    data = "Förnamn;Efternamn;E-post;Klass\nÅsa;Sjöström;asa@skola.se;8A\nÖrjan;Ek;;8A\n".encode("cp1252")
    response = import_csv(api, class_id, data)
    assert response.status_code == 201, response.content
    assert {(s["first_name"], s["last_name"], s["email"]) for s in response.json()["students"]} == {
        ("Åsa", "Sjöström", "asa@skola.se"),
        ("Örjan", "Ek", None),
    }


def test_csv_bad_rows_are_reported_by_line_and_good_rows_kept(api, class_id):
    data = (
        "\ufefffirst_name,last_name,email\n"
        "Anna,Berg,anna@skola.se\n"
        ",,\n"
        "Bo,Ek,not-an-email\n"
        ",,nobody@skola.se\n"
        '"Lind, Jr","Karl",karl@skola.se\n'
        "Cecilia,Dahl,anna@skola.se\n"
    ).encode()
    response = import_csv(api, class_id, data)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2
    assert {e["line"] for e in body["errors"]} == {4, 5, 7}
    assert Student.objects.filter(school_class_id=class_id).count() == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"age,class\n15,8A\n", "invalid_csv_header"),
        (b"", "invalid_csv"),
        (b"\x00\x01\x02PK binary", "invalid_csv"),
        (b"first_name,last_name\n,\n", "invalid_csv_rows"),
    ],
)
def test_unusable_csv_is_a_400_and_imports_nothing(api, class_id, data, code):
    response = import_csv(api, class_id, data)
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == code
    assert Student.objects.filter(school_class_id=class_id).count() == 0


def test_csv_of_ten_thousand_rows_fills_the_roster_and_reports_the_rest(api, class_id):
    rows = "".join(f"Elev{i},Efternamn{i},elev{i}@skola.se\n" for i in range(10_000))
    response = import_csv(api, class_id, ("first_name,last_name,email\n" + rows).encode())
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 500
    assert len(body["errors"]) == 9_500 and "full" in body["errors"][0]["error"]


def test_csv_formula_injection_is_not_exported_back_as_a_formula(api, class_id):
    data = b"first_name,last_name,email\n=cmd|' /C calc'!A0,+SUM(A1),\n@evil,-2+3,\n"
    assert import_csv(api, class_id, data).status_code == 201
    exported = api.get(f"/api/v1/classes/{class_id}/students/export/")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    for line in exported.content.decode("utf-8-sig").splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), line
