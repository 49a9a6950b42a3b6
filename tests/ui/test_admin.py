"""Django admin for staff: lists, the event timeline, and the overrides through the services."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from batches.models import Batch
from batches.services import batch_register
from classroster.services import class_create, students_create_many
from essays.services import essays_upload
from tests.conftest import CommittingClient, as_committed, txt_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(make_teacher) -> Client:
    client = CommittingClient()
    client.force_login(make_teacher("staffan", staff=True))
    return client


@pytest.fixture
def validating_batch(teacher) -> Batch:
    school_class = class_create(owner=teacher, name="9B")
    students_create_many(school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": "asa@skola.example.se"},
        {"first_name": "Erik", "last_name": "Andersson", "email": None},
    ])
    with as_committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=2,
                               school_class=school_class)
        essays_upload(batch=batch, files=[
            txt_file("asa.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nText."),
            txt_file("okand.txt", "Ingen namnrad alls."),
        ])
    batch.refresh_from_db()
    assert batch.status == "AWAITING_STUDENT_VALIDATION"
    return batch


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_lists_and_searches_everything(staff_client, validating_batch):
    for url in ["/admin/classroster/schoolclass/", "/admin/classroster/student/?q=Sj%C3%B6str%C3%B6m",
                "/admin/batches/batch/?status__exact=AWAITING_STUDENT_VALIDATION",
                "/admin/outbox/batchevent/", "/admin/essays/essay/?q=asa",
                "/admin/matching/matchsuggestion/", "/admin/matching/studentassociation/?method__exact="]:
        assert staff_client.get(url).status_code == 200, url
    detail = staff_client.get(f"/admin/batches/batch/{validating_batch.id}/change/")
    assert detail.status_code == 200 and b"batch.author.matches.suggested" in detail.content  # the timeline


def test_rerun_matching_action_and_its_refusal(staff_client, validating_batch):
    action = {"action": "rerun_matching", "_selected_action": [str(validating_batch.id)]}
    response = staff_client.post("/admin/batches/batch/", action, follow=True)
    assert any("matching runs again" in m for m in flash(response))
    validating_batch.refresh_from_db()
    assert validating_batch.status == "AWAITING_STUDENT_VALIDATION"  # ran again inline
    association = validating_batch.associations.first()
    staff_client.post(f"/admin/matching/studentassociation/{association.pk}/force-decision/",
                      {"student": "", "version": "0"})
    again = staff_client.post("/admin/batches/batch/", action, follow=True)
    assert any("matching runs again" in m for m in flash(again))  # for the undecided essays only
    association.refresh_from_db()
    assert association.is_decided and association.student_id is None  # the decision stands
    validating_batch.associations.filter(method="").update(method="human", decided_at=association.decided_at)
    from django.db import transaction

    from batches.locks import batch_lock
    from matching.services import associations_confirm_if_complete

    with transaction.atomic():
        associations_confirm_if_complete(batch_lock(validating_batch.id))
    refused = staff_client.post("/admin/batches/batch/", action, follow=True)
    assert refused.status_code == 200
    assert any("“Ready”" in m for m in flash(refused))  # the state in words, not its raw name


def test_force_timeout_action_decides_what_is_open(staff_client, validating_batch):
    response = staff_client.post("/admin/batches/batch/", {
        "action": "force_validation_timeout", "_selected_action": [str(validating_batch.id)]}, follow=True)
    assert any("timeout decided" in m for m in flash(response))
    validating_batch.refresh_from_db()
    assert validating_batch.status == "READY_FOR_PIPELINE_EXECUTION"
    assert set(validating_batch.associations.values_list("method", flat=True)) == {"timeout"}
    again = staff_client.post("/admin/batches/batch/", {
        "action": "force_validation_timeout", "_selected_action": [str(validating_batch.id)]}, follow=True)
    assert any("nothing done" in m for m in flash(again))


def test_force_decision_form_calls_the_service(staff_client, validating_batch):
    essay = validating_batch.essays.get(original_filename="okand.txt")
    erik = validating_batch.school_class.students.get(last_name="Andersson")
    url = f"/admin/matching/studentassociation/{essay.id}/force-decision/"
    page = staff_client.get(url)
    assert page.status_code == 200 and "Erik Andersson" in page.content.decode()
    decided = staff_client.post(url, {"student": str(erik.id), "version": "0"}, follow=True)
    assert any("decided" in m for m in flash(decided))
    essay.association.refresh_from_db()
    assert essay.association.student_id == erik.id and essay.association.method == "human"


def test_force_decision_corrects_what_the_timeout_decided_from_the_version_shown(staff_client,
                                                                               validating_batch):
    from matching.services import batch_timeout_apply

    batch_timeout_apply(batch_id=validating_batch.id, force=True)
    essay = validating_batch.essays.get(original_filename="okand.txt")
    erik = validating_batch.school_class.students.get(last_name="Andersson")
    url = f"/admin/matching/studentassociation/{essay.id}/force-decision/"
    stale = staff_client.post(url, {"student": str(erik.id), "version": "0"}, follow=True)
    assert stale.status_code == 200
    assert any("changed since you saw it" in m for m in flash(stale))
    fixed = staff_client.post(url, {"student": str(erik.id), "version": "1"}, follow=True)
    assert any("decided" in m for m in flash(fixed))
    essay.association.refresh_from_db()
    assert (essay.association.student_id, essay.association.method) == (erik.id, "human")
    validating_batch.refresh_from_db()
    assert validating_batch.status == "READY_FOR_PIPELINE_EXECUTION"


def test_reopen_action_takes_a_ready_batch_back_into_validation(staff_client, validating_batch):
    from matching.services import batch_timeout_apply

    batch_timeout_apply(batch_id=validating_batch.id, force=True)
    action = {"action": "reopen_validation", "_selected_action": [str(validating_batch.id)]}
    reopened = staff_client.post("/admin/batches/batch/", action, follow=True)
    assert any("validation is open again" in m for m in flash(reopened))
    validating_batch.refresh_from_db()
    assert validating_batch.status == "AWAITING_STUDENT_VALIDATION"
    refused = staff_client.post("/admin/batches/batch/", action, follow=True)
    assert any("“Awaiting your review”" in m for m in flash(refused))


def test_teachers_do_not_get_into_the_admin(make_teacher):
    client = CommittingClient()
    client.force_login(make_teacher("lena"))
    assert client.get("/admin/batches/batch/").status_code == 302
