"""The school system's ids travel where Phase 2 and the school join on them: the attribution
CSV and the ``batch.essays.ready`` manifest."""

from __future__ import annotations

import csv
import io

import pytest

from classroster.models import RosterSource
from outbox.models import BatchEvent

pytestmark = pytest.mark.django_db


def test_attribution_csv_and_ready_event_carry_external_ids(api, awaiting_validation, school_class):
    students = list(school_class.students.order_by("last_name", "first_name"))
    for index, student in enumerate(students):
        student.external_id, student.external_source = f"p-{index}", RosterSource.SS12000
        student.save()
    batch = awaiting_validation(3)
    response = api.post(f"/api/v1/batches/{batch.id}/associations/confirm/", {"accept": "high_confidence"},
                        format="json")
    assert response.status_code == 200, response.content
    batch.refresh_from_db()
    assert batch.status == "READY_FOR_PIPELINE_EXECUTION"

    ready = BatchEvent.objects.filter(batch=batch, event_type="batch.essays.ready").get()
    by_student = {str(s.id): s.external_id for s in students}
    essays = ready.payload["essays"]
    assert len(essays) == 3
    for essay in essays:
        assert essay["student_external_id"] == by_student[essay["student_id"]]

    document = api.get(f"/api/v1/batches/{batch.id}/attributions.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(document)))
    assert {row["student_external_id"] for row in rows} == {e["student_external_id"] for e in essays}
