"""Phase 1 end to end through the HTTP API, with tasks run right after each commit."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from outbox.models import BatchEvent
from tests.conftest import docx_file, txt_file

pytestmark = pytest.mark.django_db

ROSTER = [
    ("Åsa", "Sjöström", "asa.sjostrom@skola.example.se"),
    ("Erik", "Andersson", "erik.andersson@skola.example.se"),
    ("Elsa", "Lindqvist", None),
    ("Mohammed", "Ali", "mohammed.ali@skola.example.se"),
]


def make_class(api) -> dict:
    response = api.post(
        "/api/v1/classes/",
        {
            "name": "9B",
            "students": [{"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def event_types(api, batch_id: str) -> list[str]:
    return [e["event_type"] for e in api.get(f"/api/v1/batches/{batch_id}/events/").json()]


def test_regular_batch_reaches_ready_through_matching_and_decisions(api):
    school_class = make_class(api)
    students = {s["last_name"]: s["student_id"] for s in school_class["students"]}
    batch = api.post(
        "/api/v1/batches/",
        {"course_code": "SVE1", "expected_essay_count": 3, "class_id": school_class["class_id"]},
        format="json",
    ).json()
    assert batch["batch_type"] == "REGULAR" and batch["status"] == "AWAITING_CONTENT"
    batch_id = batch["batch_id"]

    first = api.post(
        f"/api/v1/batches/{batch_id}/essays/",
        {
            "files": [
                txt_file("uppsats.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nMin sommar var lång.", "cp1252"),
                docx_file(
                    "essay.docx", ["Name: Erik Andersson", "Teacher: Lena Berg", "My summer was fine."]
                ),
            ]
        },
        format="multipart",
    )
    assert first.status_code == 201, first.content
    assert [r["status"] for r in first.json()["results"]] == ["PROVISIONED", "PROVISIONED"]
    second = api.post(
        f"/api/v1/batches/{batch_id}/essays/",
        {
            "files": [
                txt_file("mohammed_ali_essay.txt", "A text about football.\n\nBest regards, Mohammed Ali")
            ]
        },
        format="multipart",
    )
    assert second.status_code == 201

    detail = api.get(f"/api/v1/batches/{batch_id}/").json()
    assert detail["status"] == "AWAITING_STUDENT_VALIDATION"
    assert detail["processing_summary"]["total_essays"] == 3
    assert detail["validation_deadline"]
    essays = api.get(f"/api/v1/batches/{batch_id}/essays/").json()
    top = {e["filename"]: e["suggestions"][0]["student_id"] for e in essays if e["suggestions"]}
    assert top["uppsats.txt"] == students["Sjöström"]
    assert "Åsa Sjöström" in essays[0]["text_preview"]  # cp1252 decoded right

    pending = api.get(f"/api/v1/classes/{school_class['class_id']}/pending-associations/").json()
    assert len(pending) == 3
    by_name = {e["filename"]: e["essay_id"] for e in essays}
    decided = api.put(
        f"/api/v1/classes/{school_class['class_id']}/associations/{by_name['essay.docx']}/",
        {"student_id": students["Andersson"]},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["method"] == "human"
    bulk = api.post(
        f"/api/v1/batches/{batch_id}/associations/confirm/",
        {
            "decisions": [
                {"essay_id": by_name["uppsats.txt"], "student_id": students["Sjöström"]},
                {"essay_id": by_name["mohammed_ali_essay.txt"], "student_id": None},
            ]
        },
        format="json",
    )
    assert bulk.status_code == 200, bulk.content
    assert bulk.json()["batch_status"] == "READY_FOR_PIPELINE_EXECUTION"

    types = event_types(api, batch_id)
    for expected in [
        "batch.essays.registered",
        "essay.content.provisioned",
        "batch.content.provisioning.completed",
        "batch.student.matching.initiate.command",
        "batch.student.matching.requested",
        "batch.author.matches.suggested",
        "student.associations.confirmed",
        "batch.essays.ready",
    ]:
        assert types.count(expected) == (3 if expected == "essay.content.provisioned" else 1), expected
    final = {e["filename"]: e["student_id"] for e in api.get(f"/api/v1/batches/{batch_id}/essays/").json()}
    assert final == {
        "uppsats.txt": students["Sjöström"],
        "essay.docx": students["Andersson"],
        "mohammed_ali_essay.txt": None,
    }

    accepted = api.post(f"/api/v1/batches/{batch_id}/pipeline/", {"pipeline": ["spellcheck"]}, format="json")
    assert accepted.status_code == 202 and accepted.json()["status"] == "PIPELINE_REQUESTED"
    again = api.post(f"/api/v1/batches/{batch_id}/pipeline/", {"pipeline": ["spellcheck"]}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["details"]["status"] == "PIPELINE_REQUESTED"
    assert BatchEvent.objects.filter(batch_id=batch_id, delivered_at__isnull=True).count() == 0


def test_guest_batch_is_ready_without_matching(api):
    batch = api.post(
        "/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 2}, format="json"
    ).json()
    assert batch["batch_type"] == "GUEST"
    early = api.post(f"/api/v1/batches/{batch['batch_id']}/pipeline/", {"pipeline": ["cj"]}, format="json")
    assert early.status_code == 409 and early.json()["error"]["details"]["status"] == "AWAITING_CONTENT"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    pdf = io.BytesIO()
    writer.write(pdf)
    pdf.seek(0)
    pdf.name = "blank.pdf"
    response = api.post(
        f"/api/v1/batches/{batch['batch_id']}/essays/",
        {"files": [txt_file("a.txt", "Name: Somebody\nText."), pdf]},
        format="multipart",
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["PROVISIONED", "FAILED"]
    assert results[1]["code"] == "empty"
    detail = api.get(f"/api/v1/batches/{batch['batch_id']}/").json()
    assert detail["status"] == "READY_FOR_PIPELINE_EXECUTION"
    types = event_types(api, batch["batch_id"])
    assert not [t for t in types if "match" in t or "association" in t]
    assert types[-1] == "batch.essays.ready"
