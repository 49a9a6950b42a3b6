"""association_withdraw: the undo of a first decision, versioned like a correction."""

from __future__ import annotations

import pytest

from batches.models import BatchStatus
from batches.services import pipeline_request
from classroster.models import Student
from huleedu.errors import Conflict
from matching.models import MatchSuggestion, StudentAssociation
from matching.services import association_decide, association_withdraw
from outbox.models import BatchEvent
from tests.conftest import by_author

pytestmark = pytest.mark.django_db


def first_essay_and_student(batch):
    essay = batch.essays.order_by("original_filename").first()
    student = Student.objects.get(pk=essay.suggestions.get(rank=1).student_id)
    return essay, student


def test_withdrawing_a_decision_makes_the_essay_undecided_with_a_newer_version(validating, teacher):
    batch = validating(by_author(3))
    essay, student = first_essay_and_student(batch)
    decided = association_decide(
        batch_id=batch.id, essay_id=essay.id, student_id=student.id, decided_by=teacher
    )
    assert decided.version == 1

    withdrawn = association_withdraw(
        batch_id=batch.id, essay_id=essay.id, withdrawn_by=teacher, expected_version=1
    )
    association = StudentAssociation.objects.get(pk=essay.id)
    assert (association.method, association.student_id, association.version) == ("", None, 2)
    assert withdrawn.version == 2
    assert set(MatchSuggestion.objects.filter(essay=essay).values_list("status", flat=True)) == {
        "pending_validation"
    }
    event = BatchEvent.objects.filter(batch=batch, event_type="student.association.withdrawn").get()
    assert event.payload["from_student_id"] == str(student.id) and event.payload["version"] == 2

    # The stale tab that saw version 1 cannot withdraw (or change) the next decision by mistake.
    association_decide(batch_id=batch.id, essay_id=essay.id, student_id=student.id, decided_by=teacher)
    with pytest.raises(Conflict) as stale:
        association_withdraw(batch_id=batch.id, essay_id=essay.id, withdrawn_by=teacher, expected_version=1)
    assert stale.value.code == "stale_decision" and stale.value.details["version"] == 3


def test_an_undecided_essay_has_nothing_to_withdraw(validating, teacher):
    batch = validating(by_author(2))
    essay, _ = first_essay_and_student(batch)
    with pytest.raises(Conflict) as refused:
        association_withdraw(batch_id=batch.id, essay_id=essay.id, withdrawn_by=teacher, expected_version=0)
    assert refused.value.code == "not_decided"


def test_withdrawing_the_last_decision_reopens_a_ready_batch(validating, teacher, committed):
    batch = validating(by_author(2))
    with committed():
        for essay in batch.essays.all():
            top = essay.suggestions.get(rank=1)
            association_decide(
                batch_id=batch.id, essay_id=essay.id, student_id=top.student_id, decided_by=teacher
            )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    essay = batch.essays.order_by("original_filename").first()
    with committed():
        association_withdraw(batch_id=batch.id, essay_id=essay.id, withdrawn_by=teacher, expected_version=1)
    batch.refresh_from_db()
    essay.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION and essay.student_id is None

    # Deciding it again is a new pass: READY again.
    with committed():
        association_decide(
            batch_id=batch.id,
            essay_id=essay.id,
            student_id=essay.suggestions.get(rank=1).student_id,
            decided_by=teacher,
        )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION and batch.validation_pass == 2


def test_after_the_pipeline_request_a_decision_is_changed_never_withdrawn(validating, teacher, committed):
    batch = validating(by_author(1))
    essay, student = first_essay_and_student(batch)
    with committed():
        association_decide(batch_id=batch.id, essay_id=essay.id, student_id=student.id, decided_by=teacher)
        pipeline_request(batch_id=batch.id, pipeline=["cj_assessment"], requested_by=teacher)
    with pytest.raises(Conflict) as refused:
        association_withdraw(batch_id=batch.id, essay_id=essay.id, withdrawn_by=teacher, expected_version=1)
    assert refused.value.code == "not_withdrawable"


def test_the_api_withdraws_with_the_version_in_the_query(validating, teacher, api):
    batch = validating(by_author(2))
    essay, student = first_essay_and_student(batch)
    url = f"/api/v1/classes/{batch.school_class_id}/associations/{essay.id}/"
    assert api.put(url, {"student_id": str(student.id)}, format="json").status_code == 200
    assert api.delete(url).status_code == 400  # the version is required
    assert api.delete(url + "?expected_version=7").status_code == 409
    response = api.delete(url + "?expected_version=1")
    assert response.status_code == 200
    assert (response.json()["decided"], response.json()["version"]) == (False, 2)
