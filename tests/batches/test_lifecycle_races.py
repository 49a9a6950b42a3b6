"""The lifecycle under real concurrency (threads with their own PostgreSQL connections):
nothing lost, nothing duplicated, one confirmation per pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from batches.models import BatchStatus
from batches.services import batch_register
from essays.models import Essay
from matching.models import StudentAssociation
from outbox.models import BatchEvent
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file
from tests.support.races import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def events(batch, event_type: str) -> list[dict]:
    return list(
        BatchEvent.objects.filter(batch=batch, event_type=event_type)
        .order_by("sequence")
        .values_list("payload", flat=True)
    )


def test_two_tabs_correcting_one_essay_with_the_same_version_one_wins(teacher, awaiting_validation):
    assert connection.vendor == "postgresql"
    batch = awaiting_validation(2)
    association = StudentAssociation.objects.filter(batch=batch).order_by("essay_id").first()
    students = list(batch.school_class.students.order_by("created_at")[5:7])
    url = f"/api/v1/classes/{batch.school_class_id}/associations/{association.essay_id}/"
    assert client(teacher).put(url, {"student_id": None}, format="json").status_code == 200

    def tab(student) -> Callable[[], tuple[int, dict]]:
        def correct() -> tuple[int, dict]:
            response = client(teacher).put(
                url, {"student_id": str(student.id), "expected_version": 1}, format="json"
            )
            return response.status_code, response.json()

        return correct

    outcomes = run_together([tab(students[0]), tab(students[1])])
    assert sorted(status for status, _ in outcomes) == [200, 409]
    winner = next(body for status, body in outcomes if status == 200)
    loser = next(body for status, body in outcomes if status == 409)
    assert loser["error"]["code"] == "stale_decision"
    assert loser["error"]["details"]["student_id"] == winner["student_id"]
    association.refresh_from_db()
    assert association.version == 2 and str(association.student_id) == winner["student_id"]
    assert len(events(batch, "student.association.corrected")) == 1


def race_late_essay_with_last_decision(teacher, batch) -> None:
    first, last = StudentAssociation.objects.filter(batch=batch).order_by("essay_id")
    class_url = f"/api/v1/classes/{batch.school_class_id}/associations"
    top = batch.essays.get(pk=first.essay_id).suggestions.get(rank=1).student_id
    client(teacher).put(f"{class_url}/{first.essay_id}/", {"student_id": str(top)}, format="json")
    last_student = batch.essays.get(pk=last.essay_id).suggestions.get(rank=1).student_id

    def decide_last() -> int:
        return (
            client(teacher)
            .put(f"{class_url}/{last.essay_id}/", {"student_id": str(last_student)}, format="json")
            .status_code
        )

    def upload_late() -> int:
        late = txt_file("late.txt", essay_text_for(*ROSTER_NAMES[9]))
        return (
            client(teacher)
            .post(f"/api/v1/batches/{batch.id}/essays/", {"files": [late]}, format="multipart")
            .status_code
        )

    assert sorted(run_together([decide_last, upload_late])) == [200, 201]


def test_a_late_essay_racing_the_last_decision_loses_nothing(teacher, awaiting_validation):
    for _ in range(3):  # different interleavings on different rounds
        batch = awaiting_validation(2)
        race_late_essay_with_last_decision(teacher, batch)
        batch.refresh_from_db()
        assert Essay.objects.filter(batch=batch).count() == 3 and batch.expected_essay_count == 3
        entered_ready = len(events(batch, "batch.essays.ready"))
        assert len(events(batch, "student.associations.confirmed")) == entered_ready <= 1
        # Whichever came first, the late essay is waiting for the teacher, matched.
        assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
        late = StudentAssociation.objects.get(essay__batch=batch, essay__original_filename="late.txt")
        assert not late.is_decided


def race_cancel_with_upload(teacher, batch, filename: str, text: str) -> tuple[int, int]:
    def upload() -> int:
        return (
            client(teacher)
            .post(
                f"/api/v1/batches/{batch.id}/essays/",
                {"files": [txt_file(filename, text)]},
                format="multipart",
            )
            .status_code
        )

    def cancel() -> int:
        return client(teacher).post(f"/api/v1/batches/{batch.id}/cancel/").status_code

    upload_status, cancel_status = run_together([upload, cancel])
    return upload_status, cancel_status


def test_a_cancel_racing_an_upload_never_stores_after_the_cancel(teacher, school_class):
    for round_number in range(3):
        batch = batch_register(
            owner=teacher, course_code="SVE1", expected_essay_count=5, school_class=school_class
        )
        upload_status, cancel_status = race_cancel_with_upload(
            teacher, batch, f"r{round_number}.txt", essay_text_for(*ROSTER_NAMES[round_number])
        )
        assert cancel_status == 200 and upload_status in {201, 409}
        batch.refresh_from_db()
        assert batch.status == BatchStatus.CANCELLED
        stored = Essay.objects.filter(batch=batch).count()
        assert stored == (1 if upload_status == 201 else 0)
        timeline = list(
            BatchEvent.objects.filter(batch=batch).order_by("sequence").values_list("event_type", flat=True)
        )
        assert timeline[-1] == "batch.cancelled"  # nothing was written after the cancel
