"""What decisions write, and what they cost in statements: accept-all decides a whole class in
the same few statements however large the class; one decision is a handful."""

from __future__ import annotations

from uuid import UUID

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import MatchSuggestion
from tests.conftest import txt_file

pytestmark = pytest.mark.django_db

NAMES = [("Åsa", "Sjöström"), ("Erik", "Andersson"), ("Elsa", "Lindqvist"), ("Mohammed", "Ali"),
         ("Saga", "Bergström"), ("Nils", "Öberg"), ("Ida", "Hedlund"), ("Viggo", "Nyström")]


def matched_batch(api, class_name: str, roster: list[tuple[str, str]], files: list) -> tuple[dict, dict]:
    """A class with this roster and a batch of these essays, matched and awaiting decisions."""
    created = api.post("/api/v1/classes/", {"name": class_name, "students": [
        {"first_name": first, "last_name": last} for first, last in roster]}, format="json")
    assert created.status_code == 201, created.content
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": len(files),
                                          "class_id": created.json()["class_id"]}, format="json").json()
    uploaded = api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": files}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    return created.json(), batch


def statements_to_accept_all(api, size: int) -> tuple[int, dict]:
    roster = NAMES[:size]
    _, batch = matched_batch(api, f"9B-{size}", roster, [
        txt_file(f"uppsats-{n}.txt", f"Namn: {first} {last}\nKlass: 9B\n\nMin sommar var lång och varm.")
        for n, (first, last) in enumerate(roster)])
    with CaptureQueriesContext(connection) as statements:
        accepted = api.post(f"/api/v1/batches/{batch['batch_id']}/associations/confirm/",
                            {"accept": "high_confidence"}, format="json")
    assert accepted.status_code == 200, accepted.content
    return len(statements.captured_queries), accepted.json()


def test_accept_all_costs_the_same_statements_for_three_essays_as_for_eight(api):
    small, small_outcome = statements_to_accept_all(api, 3)
    large, large_outcome = statements_to_accept_all(api, 8)
    assert small_outcome["decided"] == 3 and large_outcome["decided"] == 8
    assert small_outcome["batch_status"] == large_outcome["batch_status"] == "READY_FOR_PIPELINE_EXECUTION"
    assert large == small
    assert large <= 25  # a handful per request, not a few per essay


def test_one_decision_is_a_handful_of_statements_and_two_row_locks(api):
    created, batch = matched_batch(api, "9B", NAMES[:3], [
        txt_file(f"uppsats-{n}.txt", f"Namn: {first} {last}\n\nMin sommar var lång.")
        for n, (first, last) in enumerate(NAMES[:3])])
    essay = api.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()[0]
    student = created["students"][1]["student_id"]
    with CaptureQueriesContext(connection) as statements:
        decided = api.put(f"/api/v1/classes/{created['class_id']}/associations/{essay['essay_id']}/",
                          {"student_id": student}, format="json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["student_id"] == student
    sql = [query["sql"] for query in statements.captured_queries]
    # essay lookup; BEGIN; lock batch and association; check the student and that no other essay
    # has them; write the association and its suggestions; the event; any essay left?; COMMIT;
    # the event delivered; the answer
    assert len(sql) <= 16, sql
    row_locks = 2 if connection.features.has_select_for_update else 0  # SQLite locks the file
    assert sum("FOR UPDATE" in statement for statement in sql) == row_locks


def test_the_decision_that_completes_a_batch_costs_a_few_statements_more(api):
    """The last decision confirms the batch: read the decisions, check that no student has two
    essays, write the essays, the batch and both events, and mark those delivered."""
    created, batch = matched_batch(api, "9D", NAMES[:2], [
        txt_file(f"uppsats-{n}.txt", f"Namn: {first} {last}\n\nMin sommar var lång.")
        for n, (first, last) in enumerate(NAMES[:2])])
    first, last = api.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()
    costs = []
    for essay in (first, last):
        student = essay["suggestions"][0]["student_id"]
        with CaptureQueriesContext(connection) as statements:
            decided = api.put(f"/api/v1/classes/{created['class_id']}/associations/{essay['essay_id']}/",
                              {"student_id": student}, format="json")
        assert decided.status_code == 200, decided.content
        costs.append(len(statements.captured_queries))
    assert api.get(f"/api/v1/batches/{batch['batch_id']}/").json()["status"] == "READY_FOR_PIPELINE_EXECUTION"
    assert 0 < costs[1] - costs[0] <= 8, costs
    essays = api.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()
    assert all(e["student_id"] == e["suggestions"][0]["student_id"] for e in essays), essays


def test_a_decision_confirms_the_chosen_suggestion_and_rejects_the_rest(api):
    # One essay names two students, so both are suggested; the other keeps the batch open.
    created, batch = matched_batch(api, "9C", NAMES[:4], [
        txt_file("uppsats.txt", "Erik Andersson och Elsa Lindqvist\n\nVi skrev om sommaren."),
        txt_file("annan.txt", "Namn: Åsa Sjöström\n\nMin sommar var lång.")])
    essay = next(e for e in api.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()
                 if e["filename"] == "uppsats.txt")
    suggested = [s["student_id"] for s in essay["suggestions"]]
    assert len(suggested) >= 2
    url = f"/api/v1/classes/{created['class_id']}/associations/{essay['essay_id']}/"

    suggestions = MatchSuggestion.objects.filter(essay_id=essay["essay_id"])

    decided = api.put(url, {"student_id": suggested[1]}, format="json")
    assert decided.status_code == 200
    assert dict(suggestions.values_list("student_id", "status")) == {
        UUID(student): "confirmed" if student == suggested[1] else "rejected" for student in suggested}

    changed = api.put(url, {"student_id": None, "expected_version": decided.json()["version"]}, format="json")
    assert changed.status_code == 200, changed.content
    assert set(suggestions.values_list("status", flat=True)) == {"rejected"}
