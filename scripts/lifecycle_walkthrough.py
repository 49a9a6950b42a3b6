#!/usr/bin/env python
"""Walk the batch's whole life through the HTTP API, as an integrator's check would: every
mistake a teacher can make, and its fix.

    .venv/bin/python scripts/lifecycle_walkthrough.py --base-url http://127.0.0.1:8000 \
        --username demo --password demo

Duplicate upload, conflict-safe accept-all, one student refused a second essay, corrections
with versions (and a stale one refused), correction after READY, student_in_use, a late essay
reopening a READY batch (a second pass), essay removal, moving the deadline, re-match after a
roster fix, the attribution CSV, the Phase 2 payloads, a pipeline request and a correction
after it, cancel (then uploads and the pipeline request are 409) and erasure (then 404).
Exits non-zero on the first failed expectation; prints what it saw.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib import error, request

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_walkthrough import Api, cli, wait_for_status

ROSTER = [
    ("Åsa", "Sjöström"),
    ("Erik", "Andersson"),
    ("Elsa", "Lindqvist"),
    ("Mohammed", "Ali"),
    ("Linnéa", "Ekström"),
    ("Oskar", "Johansson"),
]


def essay(name: str, body: str = "Min sommar var lång och varm. Jag och Elsa badade.") -> bytes:
    return f"Namn: {name}\nKurs: SVE1\nLärare: Lena Berg\n\n{body}\n".encode()


def expect(condition: bool, what: str, seen: Any = None) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what}" + (f" — saw {seen!r}" if seen is not None else ""))


def error_code(body: Any) -> str | None:
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


class Walk:
    def __init__(self, api: Api, timeout: float) -> None:
        self.api = api
        self.timeout = timeout

    def essays(self, batch_id: str) -> dict[str, dict]:
        return {e["filename"]: e for e in self.api.call("GET", f"/api/v1/batches/{batch_id}/essays/")}

    def events(self, batch_id: str, event_type: str) -> list[dict]:
        return [
            e
            for e in self.api.call("GET", f"/api/v1/batches/{batch_id}/events/")
            if e["event_type"] == event_type
        ]

    def upload(self, batch_id: str, files: list[tuple[str, bytes]]) -> dict:
        return self.api.call(
            "POST",
            f"/api/v1/batches/{batch_id}/essays/",
            files=[("files", name, content) for name, content in files],
        )

    def decide(
        self, class_id: str, essay_id: str, student_id: str | None, expect_status: int = 200, **extra: Any
    ) -> dict:
        return self.api.call(
            "PUT",
            f"/api/v1/classes/{class_id}/associations/{essay_id}/",
            {"student_id": student_id, **extra},
            expect=(expect_status,),
        )

    def wait(self, batch_id: str, status: str) -> dict:
        return wait_for_status(self.api, batch_id, status, self.timeout)[0]

    def wait_for_suggestion(self, batch_id: str, filename: str) -> dict:
        started = time.monotonic()
        while time.monotonic() - started < self.timeout:
            found = self.essays(batch_id).get(filename)
            if found and found["suggestions"]:
                return found
            time.sleep(0.1)
        raise SystemExit(f"FAILED: no suggestion for {filename} within {self.timeout}s")

    def csv(self, batch_id: str) -> tuple[str, str]:
        req = request.Request(
            f"{self.api.base}/api/v1/batches/{batch_id}/attributions.csv",
            headers={"Authorization": f"Token {self.api.token}"},
        )
        try:
            with request.urlopen(req, timeout=30) as response:
                return response.headers.get("Content-Type", ""), response.read().decode("utf-8-sig")
        except error.HTTPError as exc:
            raise SystemExit(f"FAILED: attributions.csv answered {exc.code}") from exc


def run(base_url: str, username: str, password: str, timeout: float = 15.0) -> dict[str, Any]:
    api = Api(base_url)
    api.token = api.call("POST", "/api/v1/auth/token/", {"username": username, "password": password})["token"]
    walk = Walk(api, timeout)
    school_class = api.call(
        "POST",
        "/api/v1/classes/",
        {
            "name": f"8C {uuid.uuid4().hex[:6]}",
            "students": [{"first_name": first, "last_name": last} for first, last in ROSTER],
        },
    )
    class_id = school_class["class_id"]
    sid = {f"{s['first_name']} {s['last_name']}": s["student_id"] for s in school_class["students"]}
    names = [f"{first} {last}" for first, last in ROSTER]
    seen: dict[str, Any] = {"class_id": class_id}

    # --- uploads, a duplicate among them -------------------------------------------------------
    batch = api.call(
        "POST", "/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 4, "class_id": class_id}
    )
    batch_id = batch["batch_id"]
    first = walk.upload(batch_id, [(f"e{i}.txt", essay(names[i])) for i in range(3)])
    duplicate = walk.upload(batch_id, [("e0-again.txt", essay(names[0]).upper().replace(b"\n", b" \n "))])
    result = duplicate["results"][0]
    expect(
        result["status"] == "DUPLICATE" and result["duplicate_of"] == first["results"][0]["essay_id"],
        "a re-upload of the same text is DUPLICATE of the first",
        result,
    )
    expect(
        api.call("GET", f"/api/v1/batches/{batch_id}/")["counts"]["uploaded"] == 3,
        "a duplicate fills no slot",
    )
    walk.upload(batch_id, [("e3.txt", essay(names[3]))])
    walk.wait(batch_id, "AWAITING_STUDENT_VALIDATION")
    completed = walk.events(batch_id, "batch.content.provisioning.completed")[0]["payload"]
    expect(
        len(completed["essays_for_processing"]) == 4
        and completed["course_code"] == "SVE1"
        and completed["user_id"] is not None,
        "provisioning completed names the essays, course and user",
        completed,
    )
    essays = walk.essays(batch_id)
    expect(
        all(essays[f"e{i}.txt"]["association"]["version"] == 0 for i in range(4)), "undecided is version 0"
    )

    # --- a wrong click, then accept-all must not give that student a second essay ----------------
    wrong = walk.decide(class_id, essays["e1.txt"]["essay_id"], sid[names[0]])
    expect(wrong["version"] == 1, "a first decision is version 1", wrong)
    bulk = api.call(
        "POST", f"/api/v1/batches/{batch_id}/associations/confirm/", {"accept": "high_confidence"}
    )
    skipped = {s["essay_id"] for s in bulk["skipped"]}
    expect(essays["e0.txt"]["essay_id"] in skipped, "accept-all skips the essay whose student is taken", bulk)
    expect(bulk["batch_status"] == "AWAITING_STUDENT_VALIDATION", "no READY while an essay is open", bulk)
    refused = walk.decide(class_id, essays["e0.txt"]["essay_id"], sid[names[0]], expect_status=409)
    expect(
        error_code(refused) == "student_already_attributed"
        and refused["error"]["details"]["essay_id"] == essays["e1.txt"]["essay_id"],
        "a second essay for one student is refused, naming the other",
        refused,
    )

    # --- corrections with versions ------------------------------------------------------------------
    fixed = walk.decide(class_id, essays["e1.txt"]["essay_id"], sid[names[1]], expected_version=1)
    expect(
        fixed["version"] == 2 and fixed["student_id"] == sid[names[1]],
        "a correction bumps the version",
        fixed,
    )
    stale = walk.decide(
        class_id, essays["e1.txt"]["essay_id"], sid[names[2]], expect_status=409, expected_version=1
    )
    details = stale["error"]["details"]
    expect(
        error_code(stale) == "stale_decision"
        and details["version"] == 2
        and details["student_id"] == sid[names[1]]
        and details["method"] == "human",
        "a stale version is refused with the current decision",
        stale,
    )
    undecided_again = walk.decide(class_id, essays["e1.txt"]["essay_id"], None, expect_status=409)
    expect(error_code(undecided_again) == "already_decided", "no version on a decided essay", undecided_again)
    corrected = walk.events(batch_id, "student.association.corrected")
    expect(
        len(corrected) == 1
        and corrected[0]["payload"]["from_student_id"] == sid[names[0]]
        and corrected[0]["payload"]["to_student_id"] == sid[names[1]]
        and corrected[0]["payload"]["after_pipeline_request"] is False,
        "the correction is an event with from/to",
        corrected,
    )
    walk.decide(class_id, essays["e0.txt"]["essay_id"], sid[names[0]])
    walk.wait(batch_id, "READY_FOR_PIPELINE_EXECUTION")
    ready = walk.events(batch_id, "batch.essays.ready")
    expect(
        len(ready) == 1
        and ready[0]["payload"]["pass"] == 1
        and len(ready[0]["payload"]["essays"]) == 4
        and all(e["student_id"] for e in ready[0]["payload"]["essays"])
        and ready[0]["payload"]["course_code"] == "SVE1"
        and ready[0]["payload"]["batch_type"] == "REGULAR",
        "batch.essays.ready lists every essay with its student",
        ready,
    )

    # --- after READY: a correction, the roster guard, a late essay (a second pass), a removal ---------
    e2 = walk.essays(batch_id)["e2.txt"]
    after_ready = walk.decide(class_id, e2["essay_id"], None, expected_version=e2["association"]["version"])
    expect(after_ready["student_id"] is None, "a decision can be changed after READY", after_ready)
    expect(
        api.call("GET", f"/api/v1/batches/{batch_id}/")["status"] == "READY_FOR_PIPELINE_EXECUTION",
        "a correction keeps the batch ready",
    )
    walk.decide(class_id, e2["essay_id"], sid[names[2]], expected_version=after_ready["version"])
    in_use = api.call("DELETE", f"/api/v1/classes/{class_id}/students/{sid[names[0]]}/", expect=(409,))
    expect(error_code(in_use) == "student_in_use", "a decided student stays on the roster", in_use)
    late = walk.upload(batch_id, [("e4-late.txt", essay(names[4]))])
    expect(
        late["results"][0]["status"] == "PROVISIONED" and late["expected_essay_count"] == 5,
        "a late essay is taken and the batch expects one more",
        late,
    )
    expect(
        api.call("GET", f"/api/v1/batches/{batch_id}/")["status"] == "AWAITING_STUDENT_VALIDATION",
        "a late essay reopens a READY batch",
    )
    late_essay = walk.wait_for_suggestion(batch_id, "e4-late.txt")
    expect(
        late_essay["suggestions"][0]["student_id"] == sid[names[4]], "the late essay is matched", late_essay
    )
    walk.decide(class_id, late_essay["essay_id"], sid[names[4]])
    walk.wait(batch_id, "READY_FOR_PIPELINE_EXECUTION")
    passes = [e["payload"]["pass"] for e in walk.events(batch_id, "student.associations.confirmed")]
    expect(passes == [1, 2], "one confirmation per pass", passes)
    api.call("DELETE", f"/api/v1/batches/{batch_id}/essays/{essays['e3.txt']['essay_id']}/", expect=(204,))
    expect("e3.txt" not in walk.essays(batch_id), "a removed essay is gone")
    expect(len(walk.events(batch_id, "essay.removed")) == 1, "removal is an event")

    # --- validation open again: move the deadline, re-match after fixing the roster -------------------
    newcomer = "Greta Nilsson"
    walk.upload(batch_id, [("=1+1 uppsats.txt", essay(newcomer, "Jag skriver om skogen och om min hund."))])
    walk.wait(batch_id, "AWAITING_STUDENT_VALIDATION")
    deadline = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    moved = api.call("PATCH", f"/api/v1/batches/{batch_id}/", {"validation_deadline": deadline.isoformat()})
    expect(
        datetime.fromisoformat(moved["validation_deadline"].replace("Z", "+00:00")) == deadline,
        "the deadline moves",
        moved,
    )
    too_far = api.call(
        "PATCH",
        f"/api/v1/batches/{batch_id}/",
        expect=(400,),
        body={"validation_deadline": (datetime.now(UTC) + timedelta(days=30)).isoformat()},
    )
    expect(error_code(too_far) == "invalid_deadline", "a deadline beyond 14 days is refused", too_far)
    versions_before = {n: e["association"]["version"] for n, e in walk.essays(batch_id).items()}
    added = api.call(
        "POST", f"/api/v1/classes/{class_id}/students/", {"first_name": "Greta", "last_name": "Nilsson"}
    )
    api.call("POST", f"/api/v1/batches/{batch_id}/rematch/", expect=(202,))
    rematched = walk.wait_for_suggestion(batch_id, "=1+1 uppsats.txt")
    expect(
        rematched["suggestions"][0]["student_id"] == added["student_id"],
        "re-match finds the new student",
        rematched,
    )
    versions_after = {n: e["association"]["version"] for n, e in walk.essays(batch_id).items()}
    expect(all(versions_after[n] == v for n, v in versions_before.items()), "re-match leaves decisions alone")
    walk.decide(class_id, rematched["essay_id"], added["student_id"])
    walk.wait(batch_id, "READY_FOR_PIPELINE_EXECUTION")

    content_type, document = walk.csv(batch_id)
    lines = document.strip().splitlines()
    expect(
        content_type.startswith("text/csv") and len(lines) == 1 + len(walk.essays(batch_id)),
        "attributions.csv has a row per essay",
        lines,
    )
    expect(any(line.split(",")[1].startswith("'=") for line in lines[1:]), "formula cells are quoted", lines)

    # --- assessment requested: corrections still possible, removal no longer ------------------------
    api.call("POST", f"/api/v1/batches/{batch_id}/pipeline/", {"pipeline": ["cj_assessment"]}, expect=(202,))
    e2 = walk.essays(batch_id)["e2.txt"]
    walk.decide(class_id, e2["essay_id"], None, expected_version=e2["association"]["version"])
    last = walk.events(batch_id, "student.association.corrected")[-1]["payload"]
    expect(last["after_pipeline_request"] is True, "a correction after the pipeline request says so", last)
    api.call("DELETE", f"/api/v1/batches/{batch_id}/essays/{e2['essay_id']}/", expect=(409,))

    # --- a batch cancelled, then erased ------------------------------------------------------------
    other = api.call(
        "POST", "/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 3, "class_id": class_id}
    )["batch_id"]
    walk.upload(other, [("x.txt", essay(names[5]))])
    cancelled = api.call("POST", f"/api/v1/batches/{other}/cancel/")
    expect(cancelled["status"] == "CANCELLED", "cancel", cancelled)
    api.call(
        "POST", f"/api/v1/batches/{other}/essays/", files=[("files", "y.txt", essay(names[4]))], expect=(409,)
    )
    refused = api.call("POST", f"/api/v1/batches/{other}/pipeline/", {"pipeline": ["x"]}, expect=(409,))
    expect(refused["error"]["details"]["status"] == "CANCELLED", "the refusal names the state", refused)
    api.call("DELETE", f"/api/v1/batches/{other}/", expect=(204,))
    for path in ("", "essays/", "events/"):
        api.call("GET", f"/api/v1/batches/{other}/{path}", expect=(404,))
    api.call("POST", f"/api/v1/batches/{other}/pipeline/", {"pipeline": ["x"]}, expect=(404,))

    seen.update(
        {
            "batch_id": batch_id,
            "passes": passes,
            "csv_rows": len(lines) - 1,
            "skipped_by_accept_all": len(skipped),
            "erased_batch": other,
        }
    )
    return seen


if __name__ == "__main__":
    cli(run, __doc__)
