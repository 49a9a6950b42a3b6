"""A name the teacher finds in an essay that is not on the roster: add the student, match again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from batches.locks import batch_lock
from batches.models import Batch
from classroster.models import Student
from classroster.services import student_create
from huleedu.errors import Conflict
from matching.services.decisions import VALIDATING
from matching.services.runs import matching_rematch_request


def roster_student_add_and_rematch(
    *, batch: Batch, first_name: str, last_name: str, email: str | None, added_by: AbstractBaseUser
) -> Student:
    """Add the student to the batch's class and re-match the batch's undecided essays against
    the roster as it is now (decisions stand). One transaction: a batch that no longer takes
    decisions refuses, and the student is not added either."""
    if batch.school_class_id is None:
        raise Conflict("A batch without a class has no roster.", code="guest_batch")
    with transaction.atomic():
        # The batch row first (the lock order of every matching write), then the roster.
        batch_lock(batch.id).require_status(
            VALIDATING, action="add a student and match again", code="batch_not_awaiting_validation"
        )
        student = student_create(
            school_class=batch.school_class, first_name=first_name, last_name=last_name, email=email
        )
        matching_rematch_request(batch_id=batch.id, requested_by=added_by)
    return student
