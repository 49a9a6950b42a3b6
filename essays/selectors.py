from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from batches.models import Batch
from essays.models import Essay, EssayStatus
from huleedu.errors import NotFound
from huleedu.ids import parse_id


def batch_essay_counts(batch: Batch) -> dict[str, int]:
    provisioned = batch.essays.filter(status=EssayStatus.PROVISIONED).count()
    failed = batch.essays.filter(status=EssayStatus.FAILED).count()
    return {"provisioned": provisioned, "failed": failed, "expected": batch.expected_essay_count}


def batch_ready_manifest(batch: Batch) -> dict[str, Any]:
    """What Phase 2 reads: every essay to assess, with its student and how that was decided."""
    essays = (batch.essays.filter(status=EssayStatus.PROVISIONED).order_by("created_at", "id")
              .values_list("id", "original_filename", "association__student_id", "association__method",
                           "association__student__external_id"))
    return {
        "course_code": batch.course_code,
        "batch_type": batch.batch_type,
        "class_id": str(batch.school_class_id) if batch.school_class_id else None,
        "essays": [
            {"essay_id": str(essay_id), "filename": filename,
             "student_id": str(student_id) if student_id else None, "method": method or None,
             # The id the school's system knows the student by, so Phase 2 can join on it.
             "student_external_id": external_id or None}
            for essay_id, filename, student_id, method, external_id in essays
        ],
    }


def essay_original_for_owner(user: AbstractBaseUser, batch_id: object, essay_id: object) -> Essay:
    """An essay whose uploaded original the user may open: only the batch's owner may (staff
    read essays' text in the admin, never the students' files). Anyone else: not found."""
    batch_pk = parse_id(batch_id, what="batch")
    essay_pk = parse_id(essay_id, what="essay")
    essay = (Essay.objects.filter(pk=essay_pk, batch_id=batch_pk, batch__owner_id=user.pk)
             .exclude(original_file="").defer("text").first())
    if essay is None:
        raise NotFound(f"No original file for essay '{essay_pk}' in this batch.", code="original_not_found")
    return essay
