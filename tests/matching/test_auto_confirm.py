"""Method ``auto``: a class or batch that confirms high-confidence matches as soon as they are
found. The decisions go the accept-all way, are counted as ``auto`` and stay correctable."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from batches.models import BatchStatus
from essays.services import essays_upload
from matching.models import DecisionMethod, StudentAssociation
from matching.services import association_decide
from outbox.models import BatchEvent
from tests.conftest import by_author, txt_file

pytestmark = pytest.mark.django_db

UNCLEAR = ("unclear.txt", "Min sommar\n\nJag åkte till havet med min familj.")


@pytest.fixture
def register(registered):
    """A REGULAR batch of these essays, matched (and, with the option, auto-confirmed)."""
    return registered


def confirmed(method: str) -> float:
    return REGISTRY.get_sample_value("nlp_phase1_associations_confirmed_total",
                                     {"validation_method": method}) or 0.0


def test_a_batch_that_confirms_as_found_decides_its_high_matches_with_method_auto(validating, teacher):
    batch = validating([*by_author(2), UNCLEAR], auto_confirm_high=True)
    decided = {a.essay.original_filename: a for a in
               StudentAssociation.objects.filter(batch=batch).select_related("essay")}
    assert decided["essay0.txt"].method == DecisionMethod.AUTO
    assert decided["essay1.txt"].method == DecisionMethod.AUTO
    assert decided["essay0.txt"].decided_by is None and decided["essay0.txt"].version == 1
    assert decided["unclear.txt"].method == ""  # not high: the teacher decides
    events = BatchEvent.objects.filter(batch=batch, event_type="essay.student.association.decided")
    assert sorted(e.payload["method"] for e in events) == ["auto", "auto"]
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION


def test_when_every_essay_is_high_the_batch_is_confirmed_at_once_and_counted_as_auto(register):
    before = confirmed("auto")
    batch = register(by_author(3), auto_confirm_high=True)
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    assert confirmed("auto") == before + 3
    ready = BatchEvent.objects.get(batch=batch, event_type="student.associations.confirmed")
    assert ready.payload["by_method"] == {"auto": 3}


def test_the_class_option_applies_unless_the_batch_says_otherwise(register, school_class):
    school_class.auto_confirm_high = True
    school_class.save()
    assert register(by_author(1)).status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    kept_open = register(by_author(1), auto_confirm_high=False)
    assert kept_open.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert not StudentAssociation.objects.filter(batch=kept_open).exclude(method="").exists()


def test_without_the_option_nothing_is_decided_automatically(validating):
    batch = validating(by_author(2))
    assert not StudentAssociation.objects.filter(batch=batch).exclude(method="").exists()


def test_a_student_already_taken_is_not_given_a_second_essay(validating, teacher, committed, school_class):
    batch = validating([*by_author(1), UNCLEAR], auto_confirm_high=True)
    unclear = batch.essays.get(original_filename="unclear.txt")
    first_student = school_class.students.order_by("created_at").first()
    # A late essay by the same student: high, but the student is taken.
    with committed():
        essays_upload(batch=batch, files=[txt_file("again.txt", by_author(1)[0][1] + "\n\nAgain.")])
    again = StudentAssociation.objects.get(essay__original_filename="again.txt", essay__batch=batch)
    assert again.method == ""
    association_decide(batch_id=batch.id, essay_id=unclear.id, student_id=None, decided_by=teacher)
    assert StudentAssociation.objects.filter(batch=batch, student=first_student).count() == 1


def test_late_essays_are_confirmed_as_found_too(register, committed):
    batch = register(by_author(1), auto_confirm_high=True)
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    with committed():
        essays_upload(batch=batch, files=[txt_file("late.txt", by_author(2)[1][1])])
    batch.refresh_from_db()
    late = StudentAssociation.objects.get(essay__original_filename="late.txt", essay__batch=batch)
    assert late.method == DecisionMethod.AUTO
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION and batch.validation_pass == 2


def test_an_auto_decision_is_corrected_like_any_other(register, teacher, school_class):
    batch = register(by_author(2), auto_confirm_high=True)
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    association = StudentAssociation.objects.get(essay__original_filename="essay0.txt", essay__batch=batch)
    other = school_class.students.order_by("created_at")[5]
    corrected = association_decide(batch_id=batch.id, essay_id=association.essay_id, student_id=other.id,
                                   decided_by=teacher, expected_version=association.version)
    assert corrected.method == DecisionMethod.HUMAN and corrected.student_id == other.id
    event = BatchEvent.objects.get(batch=batch, event_type="student.association.corrected")
    assert event.payload["previous_method"] == "auto"


def test_registration_takes_the_option_through_the_api(api, school_class):
    created = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 1,
                                            "class_id": str(school_class.id), "auto_confirm_high": True},
                       format="json")
    assert created.status_code == 201 and created.json()["auto_confirm_high"] is True
    plain = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 1,
                                          "class_id": str(school_class.id)}, format="json")
    assert plain.json()["auto_confirm_high"] is False  # the class's default
    bad = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 1,
                                        "auto_confirm_high": "sometimes"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"]


def test_staff_set_the_class_option_in_the_admin(make_teacher, school_class):
    from django.test import Client

    staff = make_teacher("ops", staff=True)
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    form = client.get(f"/admin/classroster/schoolclass/{school_class.id}/change/")
    assert form.status_code == 200 and 'name="auto_confirm_high"' in form.content.decode()
