"""Staff rights follow Django's model permissions, in the admin and in the API: a staff account
that may only view changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from batches.models import Batch
from classroster.models import SchoolClass, Student
from essays.models import Essay
from tests.conftest import CommittingAPIClient, CommittingClient
from tests.ui.test_admin import validating_batch  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def staff_with(make_teacher, *codenames: str, username: str = "visa"):
    user, _ = make_teacher(username), None
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # fresh: permissions are cached per instance


VIEW_ONLY = (
    "view_batch",
    "view_batchevent",
    "view_studentassociation",
    "view_matchsuggestion",
    "view_essay",
    "view_schoolclass",
    "view_student",
)


@pytest.fixture
def viewer(make_teacher) -> Client:
    client = CommittingClient()
    client.force_login(staff_with(make_teacher, *VIEW_ONLY))
    return client


def test_view_only_staff_cannot_run_the_batch_overrides(viewer, validating_batch):  # noqa: F811
    listing = viewer.get("/admin/batches/batch/")
    assert listing.status_code == 200
    assert b"force_validation_timeout" not in listing.content and b"rerun_matching" not in listing.content
    for action in ("force_validation_timeout", "rerun_matching"):
        viewer.post(
            "/admin/batches/batch/", {"action": action, "_selected_action": [str(validating_batch.id)]}
        )
    validating_batch.refresh_from_db()
    assert validating_batch.status == "AWAITING_STUDENT_VALIDATION"
    assert validating_batch.associations.exclude(method="").count() == 0


def test_view_only_staff_cannot_force_a_decision(viewer, validating_batch):  # noqa: F811
    association = validating_batch.associations.first()
    url = f"/admin/matching/studentassociation/{association.pk}/force-decision/"
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"student": "", "version": 0}).status_code == 403
    association.refresh_from_db()
    assert association.method == ""


def test_staff_with_change_permission_may_override(make_teacher, validating_batch):  # noqa: F811
    client = CommittingClient()
    client.force_login(
        staff_with(make_teacher, *VIEW_ONLY, "change_batch", "change_studentassociation", username="andra")
    )
    association = validating_batch.associations.first()
    response = client.post(
        f"/admin/matching/studentassociation/{association.pk}/force-decision/", {"student": "", "version": 0}
    )
    assert response.status_code == 302
    client.post(
        "/admin/batches/batch/",
        {"action": "force_validation_timeout", "_selected_action": [str(validating_batch.id)]},
    )
    validating_batch.refresh_from_db()
    assert validating_batch.status == "READY_FOR_PIPELINE_EXECUTION"


def test_admin_deletes_go_through_the_services(make_teacher, validating_batch):  # noqa: F811
    client = CommittingClient()
    client.force_login(make_teacher("chef", staff=True))  # a superuser
    essay = Essay.objects.filter(batch=validating_batch).first()
    expected = validating_batch.expected_essay_count
    assert client.get(f"/admin/essays/essay/{essay.pk}/delete/").status_code == 200
    assert client.post(f"/admin/essays/essay/{essay.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Essay.objects.filter(pk=essay.pk).exists()
    validating_batch.refresh_from_db()
    assert validating_batch.expected_essay_count == expected - 1  # the service's bookkeeping
    assert validating_batch.events.filter(event_type="essay.removed").count() == 1
    response = client.post(f"/admin/batches/batch/{validating_batch.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Batch.objects.filter(pk=validating_batch.pk).exists()
    assert not Essay.objects.filter(batch_id=validating_batch.pk).exists()


def test_view_only_staff_delete_nothing(viewer, validating_batch):  # noqa: F811
    essay = Essay.objects.filter(batch=validating_batch).first()
    assert viewer.post(f"/admin/essays/essay/{essay.pk}/delete/", {"post": "yes"}).status_code == 403
    batch_delete = f"/admin/batches/batch/{validating_batch.pk}/delete/"
    assert viewer.post(batch_delete, {"post": "yes"}).status_code == 403
    viewer.post(
        "/admin/essays/essay/",
        {"action": "delete_selected", "_selected_action": [str(essay.pk)], "post": "yes"},
    )
    assert Essay.objects.filter(pk=essay.pk).exists()
    assert Batch.objects.filter(pk=validating_batch.pk).exists()


def test_roster_deletes_go_through_the_service(make_teacher, validating_batch):  # noqa: F811
    client = CommittingClient()
    client.force_login(make_teacher("chef", staff=True))
    attributed = (
        validating_batch.associations.exclude(essay__suggestions=None).first().essay.suggestions.first()
    )
    client.post(
        f"/admin/matching/studentassociation/{attributed.essay.association.pk}/force-decision/",
        {"student": str(attributed.student_id), "version": 0},
    )
    client.post(f"/admin/classroster/student/{attributed.student_id}/delete/", {"post": "yes"})
    assert Student.objects.filter(pk=attributed.student_id).exists()  # in use: the service refused
    school_class = validating_batch.school_class
    client.post(f"/admin/classroster/schoolclass/{school_class.pk}/delete/", {"post": "yes"})
    assert SchoolClass.objects.filter(pk=school_class.pk).exists()  # has batches


def test_view_only_staff_read_but_do_not_write_through_the_api(make_teacher, validating_batch):  # noqa: F811
    viewer = CommittingAPIClient()
    viewer.force_authenticate(staff_with(make_teacher, *VIEW_ONLY))
    school_class = validating_batch.school_class
    essay = Essay.objects.filter(batch=validating_batch).first()
    assert viewer.get(f"/api/v1/batches/{validating_batch.id}/").status_code == 200
    assert viewer.get(f"/api/v1/classes/{school_class.id}/").status_code == 200
    writes = [
        viewer.put(f"/api/v1/classes/{school_class.id}/", {"name": "Hacked"}, format="json"),
        viewer.post(
            f"/api/v1/classes/{school_class.id}/students/",
            {"first_name": "X", "last_name": "Y"},
            format="json",
        ),
        viewer.put(
            f"/api/v1/classes/{school_class.id}/associations/{essay.id}/", {"student_id": None}, format="json"
        ),
        viewer.post(
            f"/api/v1/batches/{validating_batch.id}/associations/confirm/",
            {"accept": "high_confidence"},
            format="json",
        ),
        viewer.post(f"/api/v1/batches/{validating_batch.id}/finalize-uploads/", {}, format="json"),
    ]
    assert [w.status_code for w in writes] == [403] * len(writes)
    assert {w.json()["error"]["code"] for w in writes} == {"permission_denied"}
    assert SchoolClass.objects.get(pk=school_class.pk).name == "9B"
    assert Batch.objects.get(pk=validating_batch.pk).associations.exclude(method="").count() == 0


def test_staff_with_change_permission_may_write_and_own_objects_stay_writable(make_teacher, validating_batch):  # noqa: F811
    editor = CommittingAPIClient()
    editor.force_authenticate(staff_with(make_teacher, *VIEW_ONLY, "change_schoolclass", username="red"))
    school_class = validating_batch.school_class
    assert (
        editor.put(f"/api/v1/classes/{school_class.id}/", {"name": "9B2"}, format="json").status_code == 200
    )
    own = editor.post("/api/v1/classes/", {"name": "Staff class"}, format="json")
    assert own.status_code == 201
    viewer = CommittingAPIClient()
    viewer.force_authenticate(staff_with(make_teacher, *VIEW_ONLY, username="visa2"))
    mine = viewer.post("/api/v1/classes/", {"name": "Mine"}, format="json").json()["class_id"]
    assert viewer.put(f"/api/v1/classes/{mine}/", {"name": "Mine 2"}, format="json").status_code == 200
