"""essays_upload and essay_remove: duplicates take no slot, uploads after provisioning are late
essays (matched, reopening a READY batch), and a wrong upload can be removed."""

from __future__ import annotations

import pytest

from batches.models import BatchStatus
from matching.models import MatchLevel, StudentAssociation
from outbox.models import BatchEvent
from tests.conftest import ROSTER_NAMES, by_author, essay_text_for, txt_file

pytestmark = pytest.mark.django_db


def upload(api, batch_id, *files):
    return api.post(f"/api/v1/batches/{batch_id}/essays/", {"files": list(files)}, format="multipart")


def accept_all(api, batch_id) -> None:
    accepted = api.post(f"/api/v1/batches/{batch_id}/associations/confirm/", {"accept": "high_confidence"},
                        format="json")
    assert accepted.status_code == 200, accepted.content


def status_of(api, batch_id) -> str:
    return api.get(f"/api/v1/batches/{batch_id}/").json()["status"]


def test_the_same_text_again_is_a_duplicate_and_fills_no_slot(api, school_class):
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 3,
                                          "class_id": str(school_class.id)}, format="json").json()
    text = essay_text_for(*ROSTER_NAMES[0])
    first = upload(api, batch["batch_id"], txt_file("a.txt", text),
                   txt_file("a-copy.txt", "  " + text.upper().replace("\n", " \n\n ")))
    assert first.status_code == 201
    original, copy = first.json()["results"]
    assert copy["status"] == "DUPLICATE" and copy["duplicate_of"] == original["essay_id"]
    again = upload(api, batch["batch_id"], txt_file("a-third.txt", text))
    assert again.status_code == 200  # well-formed, nothing stored: still its per-file results
    assert again.json()["results"][0]["duplicate_of"] == original["essay_id"]
    counts = api.get(f"/api/v1/batches/{batch['batch_id']}/").json()["counts"]
    assert counts["uploaded"] == 1 and counts["expected"] == 3


def test_a_late_essay_is_matched_against_the_students_still_free(api, validating, teacher, committed):
    batch = validating(by_author(2))
    with committed():
        accept_all(api, batch.id)
    assert status_of(api, batch.id) == "READY_FOR_PIPELINE_EXECUTION"
    with committed():
        # A second essay by a student who already has one, and one by a new author.
        late = upload(api, batch.id, txt_file("again.txt", essay_text_for(*ROSTER_NAMES[0]) + "\nDel två."),
                      txt_file("new.txt", essay_text_for(*ROSTER_NAMES[2])))
    assert late.status_code == 201
    assert [r["late"] for r in late.json()["results"]] == [True, True]
    assert late.json()["expected_essay_count"] == 4
    assert status_of(api, batch.id) == "AWAITING_STUDENT_VALIDATION"
    levels = {a.essay.original_filename: a.match_level for a in
              StudentAssociation.objects.filter(batch=batch).select_related("essay")}
    assert levels["again.txt"] != MatchLevel.HIGH  # their student is taken: a question, not a match
    assert levels["new.txt"] == MatchLevel.HIGH
    assert BatchEvent.objects.filter(batch=batch, event_type="essay.added.late").count() == 2


def test_a_late_essay_in_a_guest_batch_gives_phase_two_a_new_manifest(api, committed):
    batch = api.post("/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 1},
                     format="json").json()
    with committed():
        upload(api, batch["batch_id"], txt_file("a.txt", "An essay about the sea."))
    with committed():
        upload(api, batch["batch_id"], txt_file("b.txt", "An essay about the forest."))
    ready = list(BatchEvent.objects.filter(batch_id=batch["batch_id"], event_type="batch.essays.ready")
                 .order_by("sequence").values_list("payload", flat=True))
    assert [r["pass"] for r in ready] == [1, 2]
    assert [len(r["essays"]) for r in ready] == [1, 2]
    assert all(e["student_id"] is None and e["method"] is None for e in ready[-1]["essays"])


def test_removing_an_upload_frees_its_slot_before_provisioning_completes(api, school_class):
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 2,
                                          "class_id": str(school_class.id)}, format="json").json()
    broken = upload(api, batch["batch_id"], txt_file("tom.txt", "   ")).json()["results"][0]
    assert broken["status"] == "FAILED"
    removed = api.delete(f"/api/v1/batches/{batch['batch_id']}/essays/{broken['essay_id']}/")
    assert removed.status_code == 204
    body = api.get(f"/api/v1/batches/{batch['batch_id']}/").json()
    assert body["counts"]["uploaded"] == 0 and body["expected_essay_count"] == 2
    assert BatchEvent.objects.filter(batch_id=batch["batch_id"], event_type="essay.removed").count() == 1


def test_removing_the_last_undecided_essay_completes_validation(api, validating, teacher, committed):
    batch = validating([*by_author(1), ("anonym.txt", "Min sommar var lång.")])
    anonymous = batch.essays.get(original_filename="anonym.txt")
    with committed():
        accept_all(api, batch.id)
        assert api.delete(f"/api/v1/batches/{batch.id}/essays/{anonymous.id}/").status_code == 204
    body = api.get(f"/api/v1/batches/{batch.id}/").json()
    assert body["status"] == "READY_FOR_PIPELINE_EXECUTION" and body["expected_essay_count"] == 1


def test_removal_after_the_pipeline_request_and_of_unknown_essays_is_refused(api, validating, make_teacher,
                                                                            api_for):
    batch = validating(by_author(1))
    essay = batch.essays.get()
    assert api.delete(f"/api/v1/batches/{batch.id}/essays/not-an-id/").status_code == 404
    other = api_for(make_teacher("someone.else"))
    assert other.delete(f"/api/v1/batches/{batch.id}/essays/{essay.id}/").status_code == 404
    accept_all(api, batch.id)
    requested = api.post(f"/api/v1/batches/{batch.id}/pipeline/", {"pipeline": ["x"]}, format="json")
    assert requested.status_code == 202
    refused = api.delete(f"/api/v1/batches/{batch.id}/essays/{essay.id}/")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["status"] == "PIPELINE_REQUESTED"
    assert batch.essays.count() == 1
    assert status_of(api, batch.id) == BatchStatus.PIPELINE_REQUESTED
