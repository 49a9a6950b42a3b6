"""Accept-all decides a whole class in the same few statements, however large the class."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import txt_file

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = [("Åsa", "Sjöström"), ("Erik", "Andersson"), ("Elsa", "Lindqvist"), ("Mohammed", "Ali"),
         ("Saga", "Bergström"), ("Nils", "Öberg"), ("Ida", "Hedlund"), ("Viggo", "Nyström")]


def statements_to_accept_all(api, size: int) -> tuple[int, dict]:
    roster = NAMES[:size]
    created = api.post("/api/v1/classes/", {"name": f"9B-{size}", "students": [
        {"first_name": first, "last_name": last} for first, last in roster]}, format="json")
    assert created.status_code == 201, created.content
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": size,
                                          "class_id": created.json()["class_id"]}, format="json").json()
    uploaded = api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file(f"uppsats-{n}.txt", f"Namn: {first} {last}\nKlass: 9B\n\nMin sommar var lång och varm.")
        for n, (first, last) in enumerate(roster)]}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
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


def test_one_decision_is_a_dozen_plain_statements(api):
    created = api.post("/api/v1/classes/", {"name": "9B", "students": [
        {"first_name": first, "last_name": last} for first, last in NAMES[:3]]}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 3,
                                          "class_id": created["class_id"]}, format="json").json()
    api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file(f"uppsats-{n}.txt", f"Namn: {first} {last}\n\nMin sommar var lång.")
        for n, (first, last) in enumerate(NAMES[:3])]}, format="multipart")
    essay = api.get(f"/api/v1/batches/{batch['batch_id']}/essays/").json()[0]
    student = created["students"][1]["student_id"]
    with CaptureQueriesContext(connection) as statements:
        decided = api.put(f"/api/v1/classes/{created['class_id']}/associations/{essay['essay_id']}/",
                          {"student_id": student}, format="json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["student_id"] == student
    sql = [query["sql"] for query in statements.captured_queries]
    # essay lookup; BEGIN; lock batch and association; check the student; write the association
    # and the suggestions (reject all, confirm one); the event; any essay left?; COMMIT; delivered
    assert len(sql) <= 12, sql
    assert sum("FOR UPDATE" in statement for statement in sql) == 2
