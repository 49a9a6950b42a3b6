"""association_decide and associations_decide_bulk: versions, corrections until assessment
starts, and one student per essay unless the teacher says otherwise."""

from __future__ import annotations

import pytest

from batches.models import BatchStatus
from batches.services import batch_cancel, pipeline_request
from classroster.models import Student
from essays.models import Essay
from huleedu.errors import Conflict
from matching.models import DecisionMethod, StudentAssociation
from matching.services import association_decide, associations_decide_bulk, batch_timeout_apply
from outbox.models import BatchEvent
from tests.conftest import by_author

pytestmark = pytest.mark.django_db


def roster(batch) -> list[Student]:
    return list(Student.objects.filter(school_class=batch.school_class).order_by("created_at"))


def essay_ids(batch) -> list:
    return list(batch.essays.order_by("original_filename").values_list("id", flat=True))


def decide(batch, essay_id, student, teacher, **kwargs) -> StudentAssociation:
    return association_decide(batch_id=batch.id, essay_id=essay_id,
                              student_id=student.id if student else None, decided_by=teacher, **kwargs)


def events(batch, event_type: str) -> list[dict]:
    found = BatchEvent.objects.filter(batch=batch, event_type=event_type).order_by("sequence")
    return list(found.values_list("payload", flat=True))


def test_a_first_decision_needs_no_version_and_a_second_one_does(validating, teacher):
    batch = validating(by_author(3))
    students, essays = roster(batch), essay_ids(batch)
    decided = decide(batch, essays[0], students[0], teacher)
    assert (decided.version, decided.method) == (1, DecisionMethod.HUMAN)
    with pytest.raises(Conflict) as refused:
        decide(batch, essays[0], students[1], teacher)
    assert refused.value.code == "already_decided"
    assert refused.value.details["version"] == 1


def test_a_correction_names_the_version_it_saw_and_is_an_event(validating, teacher):
    batch = validating(by_author(3))
    students, essays = roster(batch), essay_ids(batch)
    decide(batch, essays[0], students[1], teacher, allow_second_essay=True)
    corrected = decide(batch, essays[0], students[0], teacher, expected_version=1)
    assert (corrected.version, corrected.student_id) == (2, students[0].id)
    assert events(batch, "student.association.corrected") == [{
        "essay_id": str(essays[0]), "from_student_id": str(students[1].id),
        "to_student_id": str(students[0].id), "previous_method": "human", "after_pipeline_request": False,
        "version": 2, "decided_by": teacher.get_username(),
    }]


def test_a_stale_version_is_refused_with_the_current_decision(validating, teacher):
    batch = validating(by_author(3))
    students, essays = roster(batch), essay_ids(batch)
    decide(batch, essays[0], students[0], teacher)
    decide(batch, essays[0], None, teacher, expected_version=1)
    with pytest.raises(Conflict) as stale:
        decide(batch, essays[0], students[0], teacher, expected_version=1)
    assert stale.value.code == "stale_decision"
    assert stale.value.details["student_id"] is None
    assert stale.value.details["version"] == 2
    assert stale.value.details["method"] == "human"


def test_what_the_timeout_decided_is_corrected_like_a_teachers_decision(validating, teacher):
    batch = validating([*by_author(2), ("anonym.txt", "Min sommar var lång.")])
    batch_timeout_apply(batch_id=batch.id, force=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    anonymous = Essay.objects.get(batch=batch, original_filename="anonym.txt")
    with pytest.raises(Conflict) as refused:
        decide(batch, anonymous.id, roster(batch)[5], teacher)
    assert refused.value.code == "decided_by_timeout"
    corrected = decide(batch, anonymous.id, roster(batch)[5], teacher, expected_version=1)
    assert corrected.method == DecisionMethod.HUMAN and not corrected.needs_attention
    assert events(batch, "student.association.corrected")[0]["previous_method"] == "timeout"
    anonymous.refresh_from_db()
    assert anonymous.student_id == roster(batch)[5].id  # after READY the essay carries its student


def test_one_student_gets_a_second_essay_only_when_the_teacher_says_so(validating, teacher):
    batch = validating(by_author(2))
    students, essays = roster(batch), essay_ids(batch)
    decide(batch, essays[0], students[0], teacher)
    with pytest.raises(Conflict) as refused:
        decide(batch, essays[1], students[0], teacher)
    assert refused.value.code == "student_already_attributed"
    assert refused.value.details["essay_id"] == str(essays[0])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    decide(batch, essays[1], students[0], teacher, allow_second_essay=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION


def test_accept_all_skips_essays_whose_student_is_taken(validating, teacher):
    batch = validating(by_author(3))
    students, essays = roster(batch), essay_ids(batch)
    decide(batch, essays[1], students[0], teacher)  # the wrong click
    outcome = associations_decide_bulk(batch_id=batch.id, decided_by=teacher, accept_high_confidence=True)
    assert outcome["skipped"] == [{"essay_id": str(essays[0]), "student_id": str(students[0].id),
                                   "reason": "student_already_attributed", "other_essay_id": str(essays[1])}]
    assert outcome["decided"] == 1 and outcome["remaining"] == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert not StudentAssociation.objects.get(essay_id=essays[0]).is_decided


def test_bulk_decisions_for_one_student_twice_are_refused_whole(validating, teacher):
    from matching.services import Decision

    batch = validating(by_author(2))
    students, essays = roster(batch), essay_ids(batch)
    with pytest.raises(Conflict) as refused:
        associations_decide_bulk(batch_id=batch.id, decided_by=teacher, decisions=[
            Decision(essays[0], students[0].id), Decision(essays[1], students[0].id)])
    assert refused.value.code == "student_already_attributed"
    assert not StudentAssociation.objects.filter(batch=batch).exclude(method="").exists()


def test_corrections_after_ready_and_after_the_pipeline_request(validating, teacher):
    batch = validating(by_author(2))
    students, essays = roster(batch), essay_ids(batch)
    associations_decide_bulk(batch_id=batch.id, decided_by=teacher, accept_high_confidence=True)
    decide(batch, essays[0], students[4], teacher, expected_version=1)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    assert Essay.objects.get(pk=essays[0]).student_id == students[4].id
    pipeline_request(batch_id=batch.id, pipeline=["cj_assessment"], requested_by=teacher)
    decide(batch, essays[0], students[0], teacher, expected_version=2)
    assert events(batch, "student.association.corrected")[-1]["after_pipeline_request"] is True
    assert Essay.objects.get(pk=essays[0]).student_id == students[0].id


def test_nothing_is_decided_in_a_cancelled_batch(validating, teacher):
    batch = validating(by_author(2))
    students, essays = roster(batch), essay_ids(batch)
    decide(batch, essays[0], students[0], teacher)
    batch_cancel(batch_id=batch.id, cancelled_by=teacher)
    with pytest.raises(Conflict) as refused:
        decide(batch, essays[1], students[1], teacher)
    assert refused.value.details["status"] == "CANCELLED"
    with pytest.raises(Conflict):
        decide(batch, essays[0], None, teacher, expected_version=1)
