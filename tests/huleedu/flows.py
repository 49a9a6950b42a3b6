"""One REGULAR batch driven through the HTTP API from registration to READY, for the
observability tests (metrics, logs). Tasks run inline right after each commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from rest_framework.test import APIClient

from tests.conftest import docx_file, txt_file

ROSTER = [
    ("Åsa", "Sjöström", "asa.sjostrom@skola.example.se"),
    ("Erik", "Andersson", "erik.andersson@skola.example.se"),
    ("Elsa", "Lindqvist", None),
    ("Mohammed", "Ali", "mohammed.ali@skola.example.se"),
]


@dataclass
class RegularFlow:
    """Ids of what the flow created, and the X-Correlation-ID each request was sent with."""

    class_id: str = ""
    batch_id: str = ""
    correlation_ids: dict[str, str] = field(default_factory=dict)


def _headers(flow: RegularFlow, step: str, prefix: str) -> dict[str, str]:
    correlation_id = f"{prefix}-{step}"
    flow.correlation_ids[step] = correlation_id
    return {"HTTP_X_CORRELATION_ID": correlation_id}


def run_regular_flow(api: APIClient, *, prefix: str = "flow", class_name: str = "9B") -> RegularFlow:
    """Class → batch of 4 (txt utf-8, txt cp1252, docx, one unsupported file) → matching →
    one PUT decision, bulk accept of high-confidence matches, bulk decisions → READY."""
    flow = RegularFlow()
    created = api.post("/api/v1/classes/", {
        "name": class_name,
        "students": [{"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER],
    }, format="json", **_headers(flow, "class", prefix))
    assert created.status_code == 201, created.content
    flow.class_id = created.json()["class_id"]
    students = {s["last_name"]: s["student_id"] for s in created.json()["students"]}

    registered = api.post("/api/v1/batches/", {
        "course_code": "SVE1", "expected_essay_count": 4, "class_id": flow.class_id,
    }, format="json", **_headers(flow, "register", prefix))
    assert registered.status_code == 201, registered.content
    flow.batch_id = registered.json()["batch_id"]
    batch_url = f"/api/v1/batches/{flow.batch_id}"

    early = api.post(f"{batch_url}/pipeline/", {"pipeline": ["spellcheck"]}, format="json",
                     **_headers(flow, "early-pipeline", prefix))
    assert early.status_code == 409  # an API error on purpose: counted by code

    first = api.post(f"{batch_url}/essays/", {"files": [
        txt_file("uppsats.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nMin sommar var lång.", "cp1252"),
        docx_file("essay.docx", ["Name: Erik Andersson", "Teacher: Lena Berg", "My summer was fine."]),
    ]}, format="multipart", **_headers(flow, "upload-1", prefix))
    assert first.status_code == 201, first.content
    second = api.post(f"{batch_url}/essays/", {"files": [
        txt_file("mohammed_ali_essay.txt", "A text about football.\n\nBest regards, Mohammed Ali"),
        txt_file("notes.odt", "not really an essay"),
    ]}, format="multipart", **_headers(flow, "upload-2", prefix))
    assert second.status_code == 201, second.content
    assert api.get(f"{batch_url}/").json()["status"] == "AWAITING_STUDENT_VALIDATION"

    essays = {e["filename"]: e["essay_id"] for e in api.get(f"{batch_url}/essays/").json()
              if e["status"] == "PROVISIONED"}
    decided = api.put(f"/api/v1/classes/{flow.class_id}/associations/{essays['essay.docx']}/",
                      {"student_id": students["Andersson"]}, format="json",
                      **_headers(flow, "decision", prefix))
    assert decided.status_code == 200, decided.content
    accepted = api.post(f"{batch_url}/associations/confirm/", {"accept": "high_confidence"},
                        format="json", **_headers(flow, "accept-high", prefix))
    assert accepted.status_code == 200, accepted.content
    if accepted.json()["batch_status"] != "READY_FOR_PIPELINE_EXECUTION":
        pending = api.get(f"/api/v1/classes/{flow.class_id}/pending-associations/").json()
        rest = api.post(f"{batch_url}/associations/confirm/", {"decisions": [
            {"essay_id": e["essay_id"], "student_id": None} for e in pending
        ]}, format="json", **_headers(flow, "decide-rest", prefix))
        assert rest.status_code == 200, rest.content
        assert rest.json()["batch_status"] == "READY_FOR_PIPELINE_EXECUTION"
    assert api.get(f"{batch_url}/").json()["status"] == "READY_FOR_PIPELINE_EXECUTION"
    return flow
