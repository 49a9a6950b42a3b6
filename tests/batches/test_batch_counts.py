"""A batch's counts, as its detail (one statement) and the batch list (annotations) give them."""

from __future__ import annotations

import pytest

from tests.conftest import txt_file

pytestmark = pytest.mark.django_db


def test_detail_and_list_count_the_same_essays_and_decisions(api):
    created = api.post("/api/v1/classes/", {"name": "9B", "students": [
        {"first_name": "Åsa", "last_name": "Sjöström"}, {"first_name": "Erik", "last_name": "Andersson"},
        {"first_name": "Elsa", "last_name": "Lindqvist"}]}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 4,
                                          "class_id": created["class_id"]}, format="json").json()
    url = f"/api/v1/batches/{batch['batch_id']}/"
    assert api.get(url).json()["counts"] == {"expected": 4, "uploaded": 0, "provisioned": 0, "failed": 0,
                                             "to_decide": 0, "decided": 0}
    uploaded = api.post(f"{url}essays/", {"files": [
        txt_file("a.txt", "Namn: Åsa Sjöström\n\nMin sommar."),
        txt_file("b.txt", "Namn: Erik Andersson\n\nMin vinter."),
        txt_file("c.txt", "Namn: Elsa Lindqvist\n\nMin vår."),
        txt_file("d.odt", "not an essay format")]}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    essay = next(e for e in api.get(f"{url}essays/").json() if e["filename"] == "a.txt")
    decided = api.put(f"/api/v1/classes/{created['class_id']}/associations/{essay['essay_id']}/",
                      {"student_id": None}, format="json")
    assert decided.status_code == 200, decided.content

    detail = api.get(url).json()["counts"]
    assert detail == {"expected": 4, "uploaded": 4, "provisioned": 3, "failed": 1,
                      "to_decide": 3, "decided": 1}
    listed = next(b for b in api.get("/api/v1/batches/").json() if b["batch_id"] == batch["batch_id"])
    assert listed["counts"] == detail
