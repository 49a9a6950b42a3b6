"""A batch's whole life through the API: cancel, erasure, re-match, the attribution CSV, what
Phase 2 reads, and the roster guard for students an open batch depends on."""

from __future__ import annotations

import csv
import io

import pytest

from essays.models import Essay
from matching.models import MatchSuggestion, StudentAssociation
from outbox.models import BatchEvent
from tests.conftest import by_author, txt_file

pytestmark = pytest.mark.django_db


def accept_all(api, batch_id) -> dict:
    response = api.post(
        f"/api/v1/batches/{batch_id}/associations/confirm/", {"accept": "high_confidence"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def payload(batch_id, event_type: str) -> dict:
    return BatchEvent.objects.filter(batch_id=batch_id, event_type=event_type).latest("sequence").payload


@pytest.mark.parametrize(
    "stage", ["AWAITING_CONTENT", "AWAITING_STUDENT_VALIDATION", "READY_FOR_PIPELINE_EXECUTION"]
)
def test_cancel_from_any_open_state_then_uploads_decisions_and_the_pipeline_are_409(
    api, validating, school_class, stage
):
    if stage == "AWAITING_CONTENT":
        batch_id = api.post(
            "/api/v1/batches/",
            {"course_code": "SVE1", "expected_essay_count": 2, "class_id": str(school_class.id)},
            format="json",
        ).json()["batch_id"]
    else:
        batch_id = validating(by_author(2)).id
        if stage == "READY_FOR_PIPELINE_EXECUTION":
            accept_all(api, batch_id)
    cancelled = api.post(f"/api/v1/batches/{batch_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    assert payload(batch_id, "batch.cancelled")["previous_status"] == stage
    upload = api.post(
        f"/api/v1/batches/{batch_id}/essays/", {"files": [txt_file("x.txt", "Text.")]}, format="multipart"
    )
    assert upload.status_code == 409
    refused = api.post(f"/api/v1/batches/{batch_id}/pipeline/", {"pipeline": ["x"]}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["status"] == "CANCELLED"
    again = api.post(f"/api/v1/batches/{batch_id}/cancel/")
    assert again.status_code == 409


def test_cancel_after_the_pipeline_request_is_refused(api, validating):
    batch = validating(by_author(1))
    accept_all(api, batch.id)
    api.post(f"/api/v1/batches/{batch.id}/pipeline/", {"pipeline": ["x"]}, format="json")
    refused = api.post(f"/api/v1/batches/{batch.id}/cancel/")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["status"] == "PIPELINE_REQUESTED"


def test_erasure_leaves_nothing_and_every_route_is_404(api, validating, api_for, make_teacher):
    batch = validating(by_author(2))
    essay_ids = list(batch.essays.values_list("id", flat=True))
    assert api_for(make_teacher("bertil")).delete(f"/api/v1/batches/{batch.id}/").status_code == 404
    assert api.delete(f"/api/v1/batches/{batch.id}/").status_code == 204
    assert not Essay.objects.filter(pk__in=essay_ids).exists()
    assert not StudentAssociation.objects.filter(essay_id__in=essay_ids).exists()
    assert not MatchSuggestion.objects.filter(essay_id__in=essay_ids).exists()
    assert not BatchEvent.objects.filter(batch_id=batch.id).exists()
    for method, path in [
        ("get", ""),
        ("get", "essays/"),
        ("get", "events/"),
        ("get", "attributions.csv"),
        ("post", "pipeline/"),
        ("post", "cancel/"),
        ("post", "rematch/"),
        ("delete", ""),
    ]:
        assert getattr(api, method)(f"/api/v1/batches/{batch.id}/{path}").status_code == 404, path
    class_url = f"/api/v1/classes/{batch.school_class_id}/associations/{essay_ids[0]}/"
    assert api.put(class_url, {"student_id": None}, format="json").status_code == 404


def test_rematch_finds_a_student_added_to_the_roster_and_leaves_decisions_alone(
    api, validating, committed, school_class
):
    batch = validating([*by_author(1), ("greta.txt", "Namn: Greta Nilsson\n\nOm skogen.")])
    greta_essay = batch.essays.get(original_filename="greta.txt")
    assert not greta_essay.suggestions.exists()
    accept_all(api, batch.id)
    decided = StudentAssociation.objects.get(essay__original_filename="essay0.txt", essay__batch=batch)
    added = api.post(
        f"/api/v1/classes/{school_class.id}/students/",
        {"first_name": "Greta", "last_name": "Nilsson"},
        format="json",
    )
    with committed():
        assert api.post(f"/api/v1/batches/{batch.id}/rematch/").status_code == 202
    assert str(greta_essay.suggestions.get(rank=1).student_id) == added.json()["student_id"]
    again = StudentAssociation.objects.get(pk=decided.pk)
    assert (again.version, again.student_id, again.method) == (decided.version, decided.student_id, "human")
    accept_all(api, batch.id)
    assert api.post(f"/api/v1/batches/{batch.id}/rematch/").status_code == 409  # validation is closed


def test_attributions_csv_has_a_row_per_essay_and_quotes_formulas(api, validating):
    batch = validating([*by_author(2), ("=HYPERLINK(1).txt", "Min sommar.")])
    accept_all(api, batch.id)
    response = api.get(f"/api/v1/batches/{batch.id}/attributions.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    by_file = {row["filename"]: row for row in rows}
    assert by_file["'=HYPERLINK(1).txt"]["first_name"] == ""
    decided = by_file["essay0.txt"]
    assert (decided["first_name"], decided["last_name"], decided["method"]) == ("Åsa", "Sjöström", "human")
    assert decided["decided_by"] == "anna.larare" and decided["decided_at"]


def test_what_phase_two_reads(api, validating):
    batch = validating(by_author(2))
    completed = payload(batch.id, "batch.content.provisioning.completed")
    assert sorted(completed["essays_for_processing"]) == sorted(
        str(i) for i in batch.essays.values_list("id", flat=True)
    )
    assert completed["course_code"] == "SVE1" and completed["user_id"] == batch.owner_id
    accept_all(api, batch.id)
    ready = payload(batch.id, "batch.essays.ready")
    assert ready["pass"] == 1 and ready["course_code"] == "SVE1" and ready["batch_type"] == "REGULAR"
    assert ready["class_id"] == str(batch.school_class_id)
    assert sorted(ready["essays"], key=lambda e: e["filename"]) == [
        {
            "essay_id": str(e.id),
            "filename": e.original_filename,
            "student_id": str(e.association.student_id),
            "method": "human",
            "student_external_id": e.association.student.external_id,  # None: typed-in roster
        }
        for e in batch.essays.order_by("original_filename").select_related("association__student")
    ]


def test_a_student_suggested_in_an_open_batch_stays_on_the_roster(api, validating, school_class):
    batch = validating(by_author(1))
    suggested = batch.essays.get().suggestions.get(rank=1).student_id
    refused = api.delete(f"/api/v1/classes/{school_class.id}/students/{suggested}/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "student_in_use"
    api.post(f"/api/v1/batches/{batch.id}/cancel/")
    assert api.delete(f"/api/v1/classes/{school_class.id}/students/{suggested}/").status_code == 204


def test_the_schema_documents_every_lifecycle_route(api):
    schema = api.get("/api/schema/?format=json").json()["paths"]
    for path, method in [
        ("/api/v1/batches/{batch_id}/cancel/", "post"),
        ("/api/v1/batches/{batch_id}/", "patch"),
        ("/api/v1/batches/{batch_id}/", "delete"),
        ("/api/v1/batches/{batch_id}/rematch/", "post"),
        ("/api/v1/batches/{batch_id}/essays/{essay_id}/", "delete"),
        ("/api/v1/batches/{batch_id}/attributions.csv", "get"),
    ]:
        assert method in schema[path], (path, method)
