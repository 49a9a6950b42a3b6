"""The validation deadline: what it decides, and first-writer-wins against the teacher."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from batches.models import Batch, BatchStatus
from batches.services import batch_register
from classroster.models import SchoolClass, Student
from essays.services import essays_upload
from matching.models import DecisionMethod, StudentAssociation
from matching.services import association_decide, validation_timeouts_apply
from outbox.models import BatchEvent
from tests.batches.test_concurrency import run_together
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file

pytestmark = pytest.mark.django_db(transaction=True)

ANONYMOUS = "MHHXGLCG 50 (SA24D ENG 5 WRITING 2025)\n\nThe summer I learned to swim was a long one."


def expire(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(validation_deadline=timezone.now() - timedelta(seconds=1))


def test_deadline_is_configurable(teacher, school_class, settings):
    settings.VALIDATION_TIMEOUT_SECONDS = 90
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=1, school_class=school_class
    )
    essays_upload(batch=batch, files=[txt_file("a.txt", essay_text_for(*ROSTER_NAMES[0]))])
    batch.refresh_from_db()
    remaining = (batch.validation_deadline - timezone.now()).total_seconds()
    assert 80 < remaining <= 90


def test_timeout_decides_a_half_validated_batch(teacher, school_class):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=5, school_class=school_class
    )
    files = [txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(4)]
    files.append(txt_file("MHHXGLCG 50.txt", ANONYMOUS))
    essays_upload(batch=batch, files=files)
    associations = {
        a.essay.original_filename: a
        for a in StudentAssociation.objects.filter(batch=batch).select_related("essay")
    }
    assert associations["e0.txt"].match_level == "high"
    assert associations["MHHXGLCG 50.txt"].match_level != "high"
    by_name = {s.last_name: s for s in Student.objects.filter(school_class=school_class)}

    # The teacher decides two essays (one of them against the suggestion), then goes home.
    association_decide(
        batch_id=batch.id,
        essay_id=associations["e0.txt"].essay_id,
        student_id=by_name["Sjöström"].id,
        decided_by=teacher,
    )
    association_decide(
        batch_id=batch.id,
        essay_id=associations["e1.txt"].essay_id,
        student_id=by_name["Holm"].id,
        decided_by=teacher,
    )
    assert validation_timeouts_apply() == 0  # not yet due
    expire(batch)
    assert validation_timeouts_apply() == 1

    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    decided = {
        a.essay.original_filename: a
        for a in StudentAssociation.objects.filter(batch=batch).select_related("essay", "student")
    }
    assert decided["e0.txt"].method == DecisionMethod.HUMAN
    assert decided["e1.txt"].method == DecisionMethod.HUMAN
    assert decided["e1.txt"].student.last_name == "Holm"  # the teacher's correction is kept
    assert decided["e2.txt"].method == DecisionMethod.TIMEOUT
    assert decided["e2.txt"].student.last_name == ROSTER_NAMES[2][1]
    assert not decided["e2.txt"].needs_attention
    anonymous = decided["MHHXGLCG 50.txt"]
    assert (anonymous.method, anonymous.student, anonymous.needs_attention) == (
        DecisionMethod.TIMEOUT,
        None,
        True,
    )
    timeline = list(BatchEvent.objects.filter(batch=batch).values_list("event_type", flat=True))
    assert timeline.count("batch.validation.timed_out") == 1
    assert timeline.count("student.associations.confirmed") == 1
    assert timeline[-1] == "batch.essays.ready"
    timed_out = BatchEvent.objects.get(batch=batch, event_type="batch.validation.timed_out").payload
    assert timed_out["decided"] == 3 and timed_out["left_without_student"] == 1
    assert batch.essays.get(original_filename="e2.txt").student_id == decided["e2.txt"].student_id


def test_a_decision_after_the_timeout_took_the_essay_is_a_409(api, teacher, awaiting_validation):
    batch = awaiting_validation(3)
    expire(batch)
    validation_timeouts_apply()
    association = StudentAssociation.objects.filter(batch=batch).first()
    other = Student.objects.filter(school_class=batch.school_class).exclude(pk=association.student_id).first()
    response = api.put(
        f"/api/v1/classes/{batch.school_class_id}/associations/{association.essay_id}/",
        {"student_id": str(other.id)},
        format="json",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "decided_by_timeout" and "deadline" in error["message"]
    assert error["details"]["method"] == "timeout"
    association.refresh_from_db()
    assert association.method == DecisionMethod.TIMEOUT and association.student_id != other.id


@pytest.mark.slow
def test_fifty_teacher_decisions_racing_the_timeout_have_one_winner_each(teacher):
    school_class = SchoolClass.objects.create(owner=teacher, name="Stor klass")
    students = [
        Student.objects.create(school_class=school_class, first_name=f"Elev{i}", last_name=f"Efternamn{i}")
        for i in range(50)
    ]
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=50, school_class=school_class
    )
    essays_upload(
        batch=batch, files=[txt_file(f"e{i}.txt", f"Namn: Elev{i} Efternamn{i}\n\nText.") for i in range(50)]
    )
    associations = list(StudentAssociation.objects.filter(batch=batch).order_by("essay__original_filename"))
    expire(batch)
    chosen = {a.essay_id: students[(i + 1) % 50].id for i, a in enumerate(associations)}  # all "corrections"

    def decide(essay_id):
        def send() -> int:
            client = APIClient()
            client.force_authenticate(teacher)
            return client.put(
                f"/api/v1/classes/{school_class.id}/associations/{essay_id}/",
                {"student_id": str(chosen[essay_id])},
                format="json",
            ).status_code

        return send

    jobs = [decide(a.essay_id) for a in associations]
    jobs.insert(25, validation_timeouts_apply)
    outcomes = run_together(jobs)
    statuses = outcomes[:25] + outcomes[26:]
    assert set(statuses) <= {200, 409}, statuses

    final = {a.essay_id: a for a in StudentAssociation.objects.filter(batch=batch)}
    for essay_id, status_code in zip([a.essay_id for a in associations], statuses, strict=True):
        winner = final[essay_id]
        if status_code == 200:  # the teacher got there first: their choice stands
            assert (winner.method, winner.student_id) == (DecisionMethod.HUMAN, chosen[essay_id])
        else:  # the timeout got there first: its decision stands
            assert winner.method == DecisionMethod.TIMEOUT
    decided_events = BatchEvent.objects.filter(batch=batch, event_type="essay.student.association.decided")
    assert decided_events.count() == 50  # exactly one decision per essay, nothing overwritten
    assert BatchEvent.objects.filter(batch=batch, event_type="student.associations.confirmed").count() == 1
    assert BatchEvent.objects.filter(batch=batch, event_type="batch.essays.ready").count() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
