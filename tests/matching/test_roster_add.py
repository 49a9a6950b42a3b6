"""roster_student_add_and_rematch: a name the essay declares that is not on the roster."""

from __future__ import annotations

import pytest

from classroster.models import Student
from matching.models import StudentAssociation
from matching.selectors import batch_review
from outbox.models import BatchEvent
from tests.conftest import by_author

pytestmark = pytest.mark.django_db

HUGO = "Namn: Hugo Eriksson\nKurs: SVE1\n\nMin sommar var lång. Jag läste mycket."


def test_a_declared_name_not_on_the_roster_is_offered_then_added_and_matched(validating, api, committed):
    batch = validating([*by_author(2), ("Uppsats (3).txt", HUGO)])
    hugo_essay = batch.essays.get(original_filename="Uppsats (3).txt")
    review = batch_review(batch)
    offered = {item.essay.original_filename: item.names_not_on_roster for item in review.items}
    assert offered["Uppsats (3).txt"] == (("Hugo", "Eriksson"),)
    assert all(names == () for name, names in offered.items() if name != "Uppsats (3).txt")

    with committed():  # the re-match runs once the request commits
        response = api.post(
            f"/api/v1/batches/{batch.id}/roster-students/",
            {"first_name": "Hugo", "last_name": "Eriksson"},
            format="json",
        )
    assert response.status_code == 201, response.content
    hugo = Student.objects.get(school_class=batch.school_class, first_name="Hugo", last_name="Eriksson")
    assert response.json()["student_id"] == str(hugo.id)
    # Matching ran again for the undecided essays, against the roster with Hugo on it.
    assert BatchEvent.objects.filter(batch=batch, event_type="batch.student.rematch.requested").exists()
    assert hugo_essay.suggestions.get(rank=1).student_id == hugo.id
    assert StudentAssociation.objects.get(pk=hugo_essay.id).match_level == "high"
    assert all(item.names_not_on_roster == () for item in batch_review(batch).items)


def test_adding_to_the_roster_is_refused_whole_when_the_batch_takes_no_decisions(validating, api):
    batch = validating([("Uppsats (1).txt", HUGO)])
    assert api.post(f"/api/v1/batches/{batch.id}/cancel/").status_code == 200
    before = Student.objects.filter(school_class=batch.school_class).count()
    response = api.post(
        f"/api/v1/batches/{batch.id}/roster-students/",
        {"first_name": "Hugo", "last_name": "Eriksson"},
        format="json",
    )
    assert response.status_code == 409
    assert Student.objects.filter(school_class=batch.school_class).count() == before  # nothing half-done
    assert (
        api.post(
            f"/api/v1/batches/{batch.id}/roster-students/", {"first_name": ""}, format="json"
        ).status_code
        == 400
    )
