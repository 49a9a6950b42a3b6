"""Matching that keeps failing leaves the essays to the teacher instead of a stuck batch."""

from __future__ import annotations

import pytest

from batches.models import BatchStatus
from batches.services import batch_register
from essays.services import essays_upload
from matching import engine
from matching.models import MatchSuggestion, StudentAssociation
from matching.services import association_decide
from outbox.models import BatchEvent
from outbox.services import event_deliver
from tests.conftest import by_author, txt_file

pytestmark = pytest.mark.django_db


def broken_engine(*args, **kwargs):
    raise RuntimeError("the engine is broken today")


def test_after_the_last_attempt_the_batch_goes_to_validation_with_no_suggestions(
        teacher, school_class, committed, monkeypatch, settings):
    settings.MATCHING_MAX_ATTEMPTS = 3
    monkeypatch.setattr(engine, "match_batch", broken_engine)
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=2,
                               school_class=school_class)
        essays_upload(batch=batch, files=[txt_file(n, t) for n, t in by_author(2)])
    requested = BatchEvent.objects.get(batch=batch, event_type="batch.student.matching.requested")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_MATCHING  # the first attempt failed
    with pytest.raises(RuntimeError):
        event_deliver(requested.sequence)  # the second
    with committed():
        event_deliver(requested.sequence)  # the third and last: the fallback
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert batch.matching_failed and batch.processing_summary["matching_failed"] is True
    assert StudentAssociation.objects.filter(batch=batch, method="").count() == 2
    assert not MatchSuggestion.objects.filter(essay__batch=batch).exists()
    suggested = BatchEvent.objects.get(batch=batch, event_type="batch.author.matches.suggested")
    assert suggested.payload["matching_failed"] is True
    requested.refresh_from_db()
    assert requested.delivered_at is not None  # the relay does not hand it out again

    students = list(school_class.students.order_by("created_at"))
    for essay, student in zip(batch.essays.order_by("original_filename"), students, strict=False):
        association_decide(batch_id=batch.id, essay_id=essay.id, student_id=student.id, decided_by=teacher)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
