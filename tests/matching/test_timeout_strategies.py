"""What the validation deadline decides, by strategy (the deployment's or the batch's own), and
moving the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from batches.models import BatchStatus
from batches.services import validation_deadline_move
from huleedu.errors import Conflict, DomainError
from matching.models import DecisionMethod, MatchLevel, StudentAssociation
from matching.services import association_decide, validation_timeouts_apply
from outbox.models import BatchEvent
from tests.conftest import by_author

pytestmark = pytest.mark.django_db

# One essay with a clear header (high), one that only signs with a first name the class shares
# with nobody but gives no surname (review at best), one with no cue at all.
MIXED = [
    *by_author(1),
    ("hej.txt", "Min sommar\n\nJag badade varje dag och läste mycket.\n\n// Nils"),
    ("anonym.txt", "Min sommar var lång och varm."),
]


def due(batch) -> None:
    batch.validation_deadline = timezone.now() - timedelta(minutes=1)
    batch.save(update_fields=["validation_deadline"])


def associations(batch) -> dict[str, StudentAssociation]:
    return {
        a.essay.original_filename: a
        for a in StudentAssociation.objects.filter(batch=batch).select_related("essay")
    }


def test_high_only_confirms_high_matches_and_flags_the_rest(validating, settings):
    settings.TIMEOUT_STRATEGY = "high_only"
    batch = validating(MIXED)
    due(batch)
    assert validation_timeouts_apply() == 1
    decided = associations(batch)
    assert decided["essay0.txt"].student_id is not None and not decided["essay0.txt"].needs_attention
    for name in ("hej.txt", "anonym.txt"):
        assert decided[name].student_id is None and decided[name].needs_attention
    assert {a.method for a in decided.values()} == {DecisionMethod.TIMEOUT}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY_FOR_PIPELINE_EXECUTION


def test_best_match_confirms_every_best_match_and_flags_those_below_high(validating, settings):
    settings.TIMEOUT_STRATEGY = "high_only"
    batch = validating(MIXED, timeout_strategy="best_match")  # the batch's own choice wins
    due(batch)
    validation_timeouts_apply()
    decided = associations(batch)
    assert not decided["essay0.txt"].needs_attention
    weak = decided["hej.txt"]
    if weak.match_level != MatchLevel.NONE:  # a suggestion below high is taken, flagged
        assert weak.student_id is not None and weak.needs_attention
    assert decided["anonym.txt"].student_id is None and decided["anonym.txt"].needs_attention


def test_none_decides_nothing_marks_the_batch_overdue_once_and_a_new_deadline_clears_it(
    validating, teacher, settings
):
    settings.TIMEOUT_STRATEGY = "none"
    batch = validating(MIXED)
    due(batch)
    assert validation_timeouts_apply() == 1
    assert validation_timeouts_apply() == 0  # told once, not every minute
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION and batch.validation_overdue_at
    assert not StudentAssociation.objects.filter(batch=batch).exclude(method="").exists()
    overdue = BatchEvent.objects.get(batch=batch, event_type="batch.validation.overdue")
    assert overdue.payload["undecided"] == 3
    validation_deadline_move(batch_id=batch.id, deadline=timezone.now() + timedelta(days=1), moved_by=teacher)
    batch.refresh_from_db()
    assert batch.validation_overdue_at is None


def test_the_timeout_never_gives_a_student_a_second_essay(validating, teacher):
    batch = validating(by_author(2))
    essays = dict(batch.essays.values_list("original_filename", "id"))
    top_of_first = StudentAssociation.objects.get(essay_id=essays["essay0.txt"])
    top_student = batch.essays.get(pk=essays["essay0.txt"]).suggestions.get(rank=1).student_id
    association_decide(
        batch_id=batch.id, essay_id=essays["essay1.txt"], student_id=top_student, decided_by=teacher
    )
    due(batch)
    validation_timeouts_apply()
    top_of_first.refresh_from_db()
    assert top_of_first.method == DecisionMethod.TIMEOUT
    assert top_of_first.student_id is None and top_of_first.needs_attention


@pytest.mark.parametrize("days", [-1, 15])
def test_a_deadline_outside_the_window_is_invalid(validating, teacher, days):
    batch = validating([*by_author(1), ("anonym.txt", "Min sommar.")])
    with pytest.raises(DomainError) as refused:
        validation_deadline_move(
            batch_id=batch.id, deadline=timezone.now() + timedelta(days=days), moved_by=teacher
        )
    assert refused.value.code == "invalid_deadline" and refused.value.status_code == 400


def test_the_deadline_moves_only_while_validation_is_open(validating, teacher):
    batch = validating(by_author(1))
    from matching.services import associations_decide_bulk

    associations_decide_bulk(batch_id=batch.id, decided_by=teacher, accept_high_confidence=True)
    with pytest.raises(Conflict) as refused:
        validation_deadline_move(
            batch_id=batch.id, deadline=timezone.now() + timedelta(days=1), moved_by=teacher
        )
    assert refused.value.details["status"] == "READY_FOR_PIPELINE_EXECUTION"
