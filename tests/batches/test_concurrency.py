"""Exactly-once under real concurrency: threads with their own PostgreSQL connections."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from batches.models import Batch, BatchStatus
from classroster.models import Student
from matching.models import MatchSuggestion, StudentAssociation
from matching.services import matching_run_for_batch
from outbox.models import BatchEvent, ProcessedEvent
from outbox.services import event_deliver
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file
from tests.support.races import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def count(batch: Batch, event_type: str) -> int:
    return BatchEvent.objects.filter(batch=batch, event_type=event_type).count()


def test_twenty_concurrent_uploads_complete_the_batch_once(teacher, school_class):
    assert connection.vendor == "postgresql"
    from batches.services import batch_register

    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=20, school_class=school_class
    )

    def upload(i: int) -> Callable[[], int]:
        def send() -> int:
            client = APIClient()
            client.force_authenticate(teacher)
            essay = txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i]))
            return client.post(
                f"/api/v1/batches/{batch.id}/essays/", {"files": [essay]}, format="multipart"
            ).status_code

        return send

    statuses = run_together([upload(i) for i in range(20)])
    assert statuses == [201] * 20
    batch.refresh_from_db()
    assert batch.essays.count() == 20
    assert count(batch, "batch.content.provisioning.completed") == 1
    assert count(batch, "batch.author.matches.suggested") == 1
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION


def test_uploads_racing_past_the_expected_count_become_late_essays(teacher, school_class):
    """Provisioning completes once; every upload after it is a late essay, nothing is lost."""
    from batches.services import batch_register

    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=5, school_class=school_class
    )

    def upload(i: int) -> Callable[[], int]:
        def send() -> int:
            client = APIClient()
            client.force_authenticate(teacher)
            return client.post(
                f"/api/v1/batches/{batch.id}/essays/",
                {"files": [txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i]))]},
                format="multipart",
            ).status_code

        return send

    statuses = run_together([upload(i) for i in range(12)])
    assert statuses == [201] * 12
    assert batch.essays.count() == 12
    assert count(batch, "batch.content.provisioning.completed") == 1
    assert count(batch, "essay.added.late") == 7
    batch.refresh_from_db()
    assert batch.expected_essay_count == 12


def test_twenty_concurrent_final_decisions_confirm_once(teacher, awaiting_validation):
    batch = awaiting_validation(20)
    associations = list(StudentAssociation.objects.filter(batch=batch))
    students = list(Student.objects.filter(school_class=batch.school_class))

    def decide(association: StudentAssociation, student: Student) -> Callable[[], int]:
        def send() -> int:
            client = APIClient()
            client.force_authenticate(teacher)
            return client.put(
                f"/api/v1/classes/{batch.school_class_id}/associations/{association.essay_id}/",
                {"student_id": str(student.id)},
                format="json",
            ).status_code

        return send

    statuses = run_together([decide(a, s) for a, s in zip(associations, students, strict=False)])
    assert statuses == [200] * 20
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    assert count(batch, "student.associations.confirmed") == 1
    assert count(batch, "batch.essays.ready") == 1
    assert count(batch, "essay.student.association.decided") == 20
    assert batch.essays.filter(student__isnull=False).count() == 20


def test_matching_task_delivered_twice_stores_one_set(teacher, school_class):
    from batches.services import batch_register
    from essays.services import essays_upload

    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=4, school_class=school_class
    )
    files = [txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(4)]
    essays_upload(batch=batch, files=files)
    requested = BatchEvent.objects.get(batch=batch, event_type="batch.student.matching.requested")
    first_run = set(MatchSuggestion.objects.filter(essay__batch=batch).values_list("pk", flat=True))
    assert first_run

    # The same event delivered again (as after a lost acknowledgement): its handler key holds.
    BatchEvent.objects.filter(pk=requested.pk).update(delivered_at=None)
    event_deliver(requested.sequence)
    # Even with the handler key gone, the batch key (its state) keeps the job from running twice.
    ProcessedEvent.objects.filter(event=requested).delete()
    BatchEvent.objects.filter(pk=requested.pk).update(delivered_at=None)
    event_deliver(requested.sequence)
    assert run_together([lambda: matching_run_for_batch(batch_id=batch.id)] * 2) == [False, False]

    assert set(MatchSuggestion.objects.filter(essay__batch=batch).values_list("pk", flat=True)) == first_run
    assert StudentAssociation.objects.filter(batch=batch).count() == 4
    assert count(batch, "batch.author.matches.suggested") == 1


def test_two_matching_jobs_racing_on_a_fresh_batch_store_one_set(teacher, school_class):
    from django.db import transaction

    from batches.locks import batch_lock
    from batches.services import batch_register, batch_transition
    from essays.models import Essay, EssayStatus

    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=3, school_class=school_class
    )
    for i in range(3):
        Essay.objects.create(
            batch=batch,
            status=EssayStatus.PROVISIONED,
            original_filename=f"{i}.txt",
            text=essay_text_for(*ROSTER_NAMES[i]),
        )
    with transaction.atomic():  # put the batch where the job expects it, without running the job
        locked = batch_lock(batch.id)
        batch_transition(locked, BatchStatus.CONTENT_PROVISIONED)
        batch_transition(locked, BatchStatus.AWAITING_STUDENT_MATCHING)

    outcomes = run_together([lambda: matching_run_for_batch(batch_id=batch.id)] * 2)
    assert sorted(outcomes) == [False, True]
    assert StudentAssociation.objects.filter(batch=batch).count() == 3
    assert count(batch, "batch.author.matches.suggested") == 1


def test_every_event_of_a_finished_batch_delivered_again_changes_nothing(teacher, awaiting_validation):
    from matching.services import associations_decide_bulk

    batch = awaiting_validation(4)
    associations_decide_bulk(batch_id=batch.id, decided_by=teacher, accept_high_confidence=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    before = list(BatchEvent.objects.filter(batch=batch).values_list("sequence", "event_type"))
    suggestions = MatchSuggestion.objects.filter(essay__batch=batch).count()

    # Worst case: every handler key lost and every event handed out twice more.
    ProcessedEvent.objects.filter(event__batch=batch).delete()
    BatchEvent.objects.filter(batch=batch).update(delivered_at=None)
    for _ in range(2):
        for sequence, _type in before:
            event_deliver(sequence)
            BatchEvent.objects.filter(sequence=sequence).update(delivered_at=None)

    assert list(BatchEvent.objects.filter(batch=batch).values_list("sequence", "event_type")) == before
    assert MatchSuggestion.objects.filter(essay__batch=batch).count() == suggestions
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
