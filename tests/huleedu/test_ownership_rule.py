"""One ownership rule: a batch's decisions belong to the batch's owner, not the class's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from batches.services import batch_register
from essays.services import essays_upload
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_class_owner_cannot_decide_on_anothers_batch_in_their_class(teacher, school_class, make_teacher):
    staff = make_teacher("personal", staff=True)
    batch = batch_register(owner=staff, course_code="SVE1", expected_essay_count=1, school_class=school_class)
    essays_upload(batch=batch, files=[txt_file("e.txt", essay_text_for(*ROSTER_NAMES[0]))])
    essay = batch.essays.get()
    class_owner = APIClient()
    class_owner.force_authenticate(teacher)
    assert class_owner.get(f"/api/v1/batches/{batch.id}/").status_code == 404
    pending = class_owner.get(f"/api/v1/classes/{school_class.id}/pending-associations/")
    assert pending.status_code == 200 and pending.json() == []  # not their batch's essays
    response = class_owner.put(
        f"/api/v1/classes/{school_class.id}/associations/{essay.id}/", {"student_id": None}, format="json"
    )
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.associations.exclude(method="").count() == 0
    owner = APIClient()
    owner.force_authenticate(staff)
    assert [
        e["essay_id"] for e in owner.get(f"/api/v1/classes/{school_class.id}/pending-associations/").json()
    ] == [str(essay.id)]
    decided = owner.put(
        f"/api/v1/classes/{school_class.id}/associations/{essay.id}/", {"student_id": None}, format="json"
    )
    assert decided.status_code == 200
