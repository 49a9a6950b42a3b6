#!/usr/bin/env python
"""Drive Phase 1 end to end through the HTTP API only, as an integrator's script would.

    .venv/bin/python scripts/api_walkthrough.py --base-url http://127.0.0.1:8000 \
        --username demo --password demo

Creates a class with a 30-student roster (half JSON, half CSV), registers a REGULAR batch of
10 essays, uploads them as .txt/.docx/.pdf in several requests, waits for suggestions, decides
some essays one by one and the rest in bulk, checks the batch is READY and that the pipeline
request is accepted; then shows that a GUEST batch reaches READY with no matching event.
Prints what it measured; exits non-zero on the first failed expectation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib import error, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from essays.samples import docx_bytes, pdf_bytes

FIRST = [
    "Åsa",
    "Erik",
    "Elsa",
    "Mohammed",
    "Karl Johan",
    "Linnéa",
    "Oskar",
    "Maja",
    "Sofia",
    "Nils",
    "Ida",
    "Hugo",
    "Alva",
    "Liam",
    "Wilma",
    "Leo",
    "Ella",
    "Noah",
    "Saga",
    "Adam",
    "Olivia",
    "Vincent",
    "Alice",
    "Ebba",
    "Axel",
    "Freja",
    "Theo",
    "Stella",
    "Melvin",
    "Anna-Karin",
]
LAST = [
    "Sjöström",
    "Andersson",
    "Lindqvist",
    "Ali",
    "Öberg",
    "Ekström",
    "Johansson",
    "Johanson",
    "de la Cruz",
    "Holm",
    "Berg",
    "Nyström",
    "Lund",
    "Nguyen",
    "Åkesson",
    "Sandberg",
    "Forsberg",
    "Sundqvist",
    "Eriksson",
    "Lindgren",
    "Hedlund",
    "Blom",
    "Engström",
    "Wikström",
    "Hansson",
    "Dahl",
    "Strand",
    "Lindberg",
    "Söderberg",
    "von Essen",
]


class Api:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.token: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        files: list[tuple[str, str, bytes]] | None = None,
        expect: tuple[int, ...] = (200, 201, 202),
    ) -> Any:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if files is not None:
            boundary = uuid.uuid4().hex
            parts = []
            for field, filename, content in files:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                    f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with request.urlopen(req, timeout=30) as response:
                status, payload = response.status, response.read()
        except error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        parsed = json.loads(payload) if payload else None
        if status not in expect:
            raise SystemExit(f"{method} {path}: expected {expect}, got {status}: {payload[:500]!r}")
        return parsed


def essay_files(students: list[dict]) -> list[tuple[str, str, bytes]]:
    files = []
    for i, student in enumerate(students):
        name = f"{student['first_name']} {student['last_name']}"
        lines = [
            f"Namn: {name}",
            "Kurs: SVE1",
            "Lärare: Lena Berg",
            "",
            "Min sommar",
            "",
            "Jag och Elsa åkte till havet och badade varje dag.",
        ]
        kind = ("txt", "docx", "pdf")[i % 3]
        if kind == "txt":
            content = "\n".join(lines).encode("cp1252" if i % 2 else "utf-8")
        elif kind == "docx":
            content = docx_bytes(lines)
        else:
            content = pdf_bytes(lines)
        files.append(("files", f"uppsats_{i + 1}.{kind}", content))
    return files


def wait_for_status(api: Api, batch_id: str, wanted: str, timeout: float) -> tuple[dict, float]:
    started = time.monotonic()
    while True:
        batch = api.call("GET", f"/api/v1/batches/{batch_id}/")
        if batch["status"] == wanted:
            return batch, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise SystemExit(f"batch {batch_id} is {batch['status']}, not {wanted}, after {timeout}s")
        time.sleep(0.1)


def run(base_url: str, username: str, password: str, suggestion_timeout: float = 5.0) -> dict[str, Any]:
    api = Api(base_url)
    api.token = api.call("POST", "/api/v1/auth/token/", {"username": username, "password": password})["token"]
    roster = [
        {"first_name": f, "last_name": last, "email": None} for f, last in zip(FIRST, LAST, strict=True)
    ]
    school_class = api.call(
        "POST", "/api/v1/classes/", {"name": f"9B {uuid.uuid4().hex[:6]}", "students": roster[:15]}
    )
    class_id = school_class["class_id"]
    csv_rows = "förnamn;efternamn;e-post\n" + "".join(
        f"{s['first_name']};{s['last_name']};\n" for s in roster[15:]
    )
    imported = api.call(
        "POST",
        f"/api/v1/classes/{class_id}/students/import/",
        files=[("file", "roster.csv", csv_rows.encode("cp1252"))],
    )
    assert imported["created"] == 15 and not imported["errors"], imported
    students = api.call("GET", f"/api/v1/classes/{class_id}/students/")
    assert len(students) == 30, len(students)

    batch = api.call(
        "POST", "/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 10, "class_id": class_id}
    )
    assert batch["batch_type"] == "REGULAR"
    batch_id = batch["batch_id"]
    by_name = {f"{s['first_name']} {s['last_name']}": s for s in students}
    authors = [by_name[f"{f} {last}"] for f, last in zip(FIRST[:10], LAST[:10], strict=True)]
    files = essay_files(authors)
    for chunk in (files[:4], files[4:7], files[7:]):
        result = api.call("POST", f"/api/v1/batches/{batch_id}/essays/", files=chunk)
        assert all(r["status"] == "PROVISIONED" for r in result["results"]), result
    batch, waited = wait_for_status(api, batch_id, "AWAITING_STUDENT_VALIDATION", suggestion_timeout)

    essays = api.call("GET", f"/api/v1/batches/{batch_id}/essays/")
    expected_author = {f"uppsats_{i + 1}": a["student_id"] for i, a in enumerate(authors)}
    right_top = sum(
        1
        for e in essays
        if e["suggestions"]
        and e["suggestions"][0]["student_id"] == expected_author[e["filename"].rsplit(".", 1)[0]]
    )
    for essay in essays[:3]:  # a few one by one, as a teacher clicking through would
        author = expected_author[essay["filename"].rsplit(".", 1)[0]]
        api.call(
            "PUT",
            f"/api/v1/classes/{class_id}/associations/{essay['essay_id']}/",
            {"student_id": author},
            expect=(200,),
        )
    bulk = api.call(
        "POST", f"/api/v1/batches/{batch_id}/associations/confirm/", {"accept": "high_confidence"}
    )
    left = [
        e for e in api.call("GET", f"/api/v1/batches/{batch_id}/essays/") if not e["association"]["decided"]
    ]
    if left:
        api.call(
            "POST",
            f"/api/v1/batches/{batch_id}/associations/confirm/",
            {
                "decisions": [
                    {
                        "essay_id": e["essay_id"],
                        "student_id": expected_author[e["filename"].rsplit(".", 1)[0]],
                    }
                    for e in left
                ]
            },
        )
    ready, _ = wait_for_status(api, batch_id, "READY_FOR_PIPELINE_EXECUTION", 10)
    final = api.call("GET", f"/api/v1/batches/{batch_id}/essays/")
    wrong = [
        e["filename"] for e in final if e["student_id"] != expected_author[e["filename"].rsplit(".", 1)[0]]
    ]
    assert not wrong, wrong
    api.call(
        "POST",
        f"/api/v1/batches/{batch_id}/pipeline/",
        {"pipeline": ["spellcheck", "cj_assessment"]},
        expect=(202,),
    )

    guest = api.call("POST", "/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 2})
    api.call("POST", f"/api/v1/batches/{guest['batch_id']}/essays/", files=essay_files(authors[:2]))
    wait_for_status(api, guest["batch_id"], "READY_FOR_PIPELINE_EXECUTION", 10)
    guest_events = [e["event_type"] for e in api.call("GET", f"/api/v1/batches/{guest['batch_id']}/events/")]
    assert not [t for t in guest_events if "match" in t or "association" in t], guest_events

    return {
        "class_id": class_id,
        "batch_id": batch_id,
        "suggestions_after_last_upload_s": round(waited, 3),
        "top_suggestion_right": f"{right_top}/10",
        "bulk_accepted_high_confidence": bulk["decided"],
        "decided_individually": 3 + len(left),
        "regular_status": ready["status"],
        "guest_events": guest_events,
    }


def cli(walk: Callable[[str, str, str], dict[str, Any]], description: str | None) -> None:
    """Run a walkthrough against a server named on the command line and print what it saw."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    print(json.dumps(walk(args.base_url, args.username, args.password), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    cli(run, __doc__)
