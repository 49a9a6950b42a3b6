"""Typed matching errors: a class without students (with a notice to the teacher), unreadable
uploads, and matching that gave up."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from batches.models import BatchStatus
from batches.services import batch_register
from classroster.services import class_create, students_create_many
from essays.services import essays_upload
from matching import engine
from matching.models import MatchSuggestion
from matching.services import matching_rematch_request
from outbox.models import BatchEvent
from outbox.services import event_deliver
from tests.conftest import by_author, txt_file

pytestmark = pytest.mark.django_db


def errors(error_type: str) -> float:
    return REGISTRY.get_sample_value("nlp_phase1_batch_errors_total", {"error_type": error_type}) or 0.0


def outcomes(outcome: str) -> float:
    return REGISTRY.get_sample_value("nlp_phase1_batch_match_outcomes_total", {"outcome": outcome}) or 0.0


def test_a_class_without_students_is_roster_not_found_and_the_teacher_is_told(teacher, committed):
    empty = class_create(owner=teacher, name="7A")
    before, before_error = errors("roster_not_found"), outcomes("error")
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=2, school_class=empty)
        essays_upload(batch=batch, files=[txt_file(n, t) for n, t in by_author(2)])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION  # not stuck
    assert batch.processing_summary["roster_not_found"] is True
    notice = batch.processing_summary["notice"]
    assert notice["code"] == "roster_not_found" and "no students" in notice["message"]
    event = BatchEvent.objects.get(batch=batch, event_type="batch.author.matches.suggested")
    assert event.payload["processing_summary"]["notice"]["code"] == "roster_not_found"
    assert errors("roster_not_found") == before + 1
    assert outcomes("error") == before_error + 2  # both essays could not be matched

    # The teacher adds the roster and asks again: matched, and the notice is gone.
    students_create_many(school_class=empty, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": None},
        {"first_name": "Erik", "last_name": "Andersson", "email": None}])
    with committed():
        matching_rematch_request(batch_id=batch.id, requested_by=teacher)
    batch.refresh_from_db()
    assert MatchSuggestion.objects.filter(essay__batch=batch, rank=1).count() == 2
    assert "notice" not in batch.processing_summary and "roster_not_found" not in batch.processing_summary


def test_the_review_api_shows_the_notice(api, teacher, committed):
    created = api.post("/api/v1/classes/", {"name": "7B"}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 1,
                                          "class_id": created["class_id"]}, format="json").json()
    with committed():
        api.post(f"/api/v1/batches/{batch['batch_id']}/essays/",
                 {"files": [txt_file("a.txt", "Namn: X Y\n\nText")]}, format="multipart")
    body = api.get(f"/api/v1/batches/{batch['batch_id']}/").json()
    assert body["processing_summary"]["notice"]["code"] == "roster_not_found"
    timeline = api.get(f"/api/v1/batches/{batch['batch_id']}/events/").json()
    suggested = [e for e in (timeline["events"] if isinstance(timeline, dict) else timeline)
                 if e["event_type"] == "batch.author.matches.suggested"]
    assert suggested and suggested[0]["payload"]["processing_summary"]["roster_not_found"] is True


def test_unreadable_uploads_are_content_fetch_failed_and_essays_in_error(teacher, school_class, committed):
    before, before_error = errors("content_fetch_failed"), outcomes("error")
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=3,
                               school_class=school_class)
        essays_upload(batch=batch, files=[*(txt_file(n, t) for n, t in by_author(2)),
                                          txt_file("notes.odt", "not an essay")])
    assert errors("content_fetch_failed") == before + 1
    assert outcomes("error") == before_error + 1


def broken_engine(*args, **kwargs):
    raise RuntimeError("the engine is broken today")


def test_matching_that_gives_up_is_a_timeout_error(teacher, school_class, committed, monkeypatch, settings):
    settings.MATCHING_MAX_ATTEMPTS = 2
    monkeypatch.setattr(engine, "match_batch", broken_engine)
    before = errors("timeout")
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1,
                               school_class=school_class)
        essays_upload(batch=batch, files=[txt_file(n, t) for n, t in by_author(1)])
    requested = BatchEvent.objects.get(batch=batch, event_type="batch.student.matching.requested")
    assert errors("timeout") == before  # one failed attempt is not yet an error of the batch
    with committed():
        event_deliver(requested.sequence)  # the last attempt: the fallback
    batch.refresh_from_db()
    assert batch.matching_failed
    assert errors("timeout") == before + 1


def test_the_review_page_tells_the_teacher_the_class_has_no_students(teacher, committed):
    from django.test import Client

    empty = class_create(owner=teacher, name="7C")
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1, school_class=empty)
        essays_upload(batch=batch, files=[txt_file(n, t) for n, t in by_author(1)])
    client = Client()
    client.force_login(teacher)
    page = client.get(f"/batches/{batch.id}/review/").content.decode()
    assert 'data-notice="roster-not-found"' in page and "This class has no students" in page
    assert 'data-notice="matching-skipped"' not in page


def test_the_review_page_says_when_matching_is_switched_off(teacher, school_class, committed, settings):
    from django.test import Client

    settings.STUDENT_MATCHING_ENABLED = False
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1,
                               school_class=school_class)
        essays_upload(batch=batch, files=[txt_file(n, t) for n, t in by_author(1)])
    client = Client()
    client.force_login(teacher)
    page = client.get(f"/batches/{batch.id}/review/").content.decode()
    assert 'data-notice="matching-skipped"' in page and 'data-notice="roster-not-found"' not in page
