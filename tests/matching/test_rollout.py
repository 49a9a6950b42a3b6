"""The kill switch and the rollout flag: a switched-off class's batch goes to validation with no
suggestions, marked ``matching_skipped``, and its teacher attributes the essays by hand."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from prometheus_client import REGISTRY

from batches.models import BatchStatus
from classroster.services import class_create
from essays.services import essays_upload
from matching.models import MatchingRollout, MatchSuggestion, StudentAssociation
from matching.rollout import matching_skip_reason, rollout_bucket
from matching.services import association_decide, matching_rematch_request
from outbox.models import BatchEvent
from tests.conftest import by_author, txt_file

pytestmark = pytest.mark.django_db


def skipped(reason: str) -> float:
    return REGISTRY.get_sample_value("huleedu_matching_skipped_total", {"reason": reason}) or 0.0


def rollout(**fields) -> MatchingRollout:
    flag, _ = MatchingRollout.objects.update_or_create(pk=MatchingRollout.SINGLETON_ID, defaults=fields)
    return flag


def test_without_a_flag_row_and_with_the_switch_on_every_class_is_matched(school_class, validating):
    assert matching_skip_reason(class_id=school_class.id) is None
    batch = validating(by_author(2))
    assert MatchSuggestion.objects.filter(essay__batch=batch).exists()
    assert "matching_skipped" not in batch.processing_summary


def test_the_kill_switch_sends_a_regular_batch_to_validation_without_suggestions(
        teacher, school_class, validating, settings):
    settings.STUDENT_MATCHING_ENABLED = False
    before = skipped("kill_switch")
    batch = validating(by_author(2))
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert batch.processing_summary["matching_skipped"] is True
    assert batch.processing_summary["skip_reason"] == "kill_switch"
    assert batch.processing_summary["notice"]["code"] == "matching_skipped"
    assert not batch.matching_failed
    assert not MatchSuggestion.objects.filter(essay__batch=batch).exists()
    assert StudentAssociation.objects.filter(batch=batch, method="", match_level="none").count() == 2
    event = BatchEvent.objects.get(batch=batch, event_type="batch.author.matches.suggested")
    assert event.payload["processing_summary"]["matching_skipped"] is True  # the live page hears it
    assert skipped("kill_switch") == before + 1

    # The teacher attributes by hand, and the batch is confirmed as usual.
    students = list(school_class.students.order_by("created_at"))
    for essay, student in zip(batch.essays.order_by("original_filename"), students, strict=False):
        association_decide(batch_id=batch.id, essay_id=essay.id, student_id=student.id, decided_by=teacher)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION


def test_the_flag_switched_off_skips_every_class_even_the_allow_list(school_class, validating):
    flag = rollout(enabled=False)
    flag.allowed_classes.add(school_class)
    before = skipped("rollout")
    batch = validating(by_author(1))
    assert batch.processing_summary["skip_reason"] == "rollout"
    assert skipped("rollout") == before + 1


def test_the_deny_list_wins_over_the_allow_list_and_a_full_percentage(school_class, validating):
    flag = rollout(enabled=True, percentage=100)
    flag.allowed_classes.add(school_class)
    flag.denied_classes.add(school_class)
    batch = validating(by_author(1))
    assert batch.processing_summary["matching_skipped"] is True


def test_the_allow_list_matches_a_class_outside_the_percentage(school_class, validating):
    flag = rollout(enabled=True, percentage=0)
    assert matching_skip_reason(class_id=school_class.id) == "rollout"
    flag.allowed_classes.add(school_class)
    batch = validating(by_author(1))
    assert "matching_skipped" not in batch.processing_summary
    assert MatchSuggestion.objects.filter(essay__batch=batch).exists()


def test_the_percentage_is_stable_per_class_and_only_adds_classes_as_it_grows(teacher):
    classes = [class_create(owner=teacher, name=f"class {i}") for i in range(40)]
    on_at = {}
    for percentage in (0, 10, 50, 90, 100):
        rollout(enabled=True, percentage=percentage)
        on_at[percentage] = {c.id for c in classes if matching_skip_reason(class_id=c.id) is None}
        # The same answer every time it is asked (a hash, not a coin).
        assert on_at[percentage] == {c.id for c in classes if matching_skip_reason(class_id=c.id) is None}
        assert on_at[percentage] == {c.id for c in classes if rollout_bucket(c.id) < percentage}
    assert on_at[0] == set() and on_at[100] == {c.id for c in classes}
    assert on_at[10] <= on_at[50] <= on_at[90]
    assert 0 < len(on_at[50]) < 40
    # The bucket is the same across processes: a hash of the id, not Python's salted hash().
    assert rollout_bucket(uuid.UUID("00000000-0000-0000-0000-000000000001")) == rollout_bucket(
        "00000000-0000-0000-0000-000000000001")


def test_late_essays_of_a_switched_off_class_are_left_to_the_teacher(
        teacher, school_class, validating, committed, settings):
    batch = validating(by_author(2))
    settings.STUDENT_MATCHING_ENABLED = False
    with committed():
        essays_upload(batch=batch, files=[txt_file("late.txt", by_author(3)[2][1])])
    late = batch.essays.get(original_filename="late.txt")
    assert late.association.match_level == "none"
    assert not MatchSuggestion.objects.filter(essay=late).exists()


def test_a_rematch_once_the_class_is_switched_back_on_matches_and_clears_the_notice(
        teacher, school_class, validating, committed, settings):
    settings.STUDENT_MATCHING_ENABLED = False
    batch = validating(by_author(2))
    settings.STUDENT_MATCHING_ENABLED = True
    with committed():
        matching_rematch_request(batch_id=batch.id, requested_by=teacher)
    batch.refresh_from_db()
    assert MatchSuggestion.objects.filter(essay__batch=batch).count() >= 2
    assert "notice" not in batch.processing_summary and "matching_skipped" not in batch.processing_summary


def test_guest_batches_are_untouched_by_the_switch(teacher, committed, settings):
    from batches.services import batch_register

    settings.STUDENT_MATCHING_ENABLED = False
    with committed():
        batch = batch_register(owner=teacher, course_code="ENG5", expected_essay_count=1)
        essays_upload(batch=batch, files=[txt_file("g.txt", "A guest essay.")])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    assert batch.processing_summary is None


def test_staff_edit_the_flag_in_the_admin_at_run_time(make_teacher, school_class):
    staff = make_teacher("ops", staff=True)
    staff.is_superuser = True
    staff.save()
    assert MatchingRollout in site._registry
    client = Client()
    client.force_login(staff)
    added = client.post("/admin/matching/matchingrollout/add/", {
        "enabled": "on", "percentage": "0", "allowed_classes": [str(school_class.id)], "denied_classes": []})
    assert added.status_code == 302, added.content[:2000]
    flag = MatchingRollout.objects.get()
    assert flag.percentage == 0 and list(flag.allowed_classes.all()) == [school_class]
    assert matching_skip_reason(class_id=school_class.id) is None  # allowed
    refused = client.post(f"/admin/matching/matchingrollout/{flag.pk}/change/", {
        "enabled": "on", "percentage": "101", "allowed_classes": [], "denied_classes": []})
    assert refused.status_code == 200  # the form shows the error; nothing saved
    flag.refresh_from_db()
    assert flag.percentage == 0
    changed = client.post(f"/admin/matching/matchingrollout/{flag.pk}/change/", {
        "percentage": "100", "allowed_classes": [], "denied_classes": [str(school_class.id)]})
    assert changed.status_code == 302
    assert matching_skip_reason(class_id=school_class.id) == "rollout"  # the next run sees it
    assert client.get("/admin/matching/matchingrollout/add/").status_code == 403  # one row only
