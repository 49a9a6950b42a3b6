"""A Swedish class of 30 and a 28-essay batch (mixed .docx/.pdf/.txt), registered through the
HTTP API: what the review-page scripts (screenshots.py, review_28.py) start from.

23 essays carry a clear header; five are the hard ones a teacher meets every week: a nickname
(Kalle for Karl), no name at all, a student missing from the roster, a name only in the
signature ("/ Theo S."), and a name only in the filename.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api_walkthrough import Api, wait_for_status

from essays.samples import docx_bytes, pdf_bytes

ROSTER = [
    ("Anna", "Berg"),
    ("Johanna", "Ek"),
    ("Maja", "Öberg"),
    ("Olle", "Olsson"),
    ("Oskar", "Holm"),
    ("Karl", "Nilsson"),
    ("Sara", "Lind"),
    ("Elin", "Ström"),
    ("Nora", "Åberg"),
    ("Emil", "Dahl"),
    ("Vera", "Sjöberg"),
    ("Adam", "Wik"),
    ("Åsa", "Sjöström"),
    ("Erik", "Andersson"),
    ("Elsa", "Lindqvist"),
    ("Mohammed", "Ali"),
    ("Linnéa", "Ekström"),
    ("Ida", "Nyberg"),
    ("Alva", "Lund"),
    ("Liam", "Nguyen"),
    ("Wilma", "Åkesson"),
    ("Leo", "Sandberg"),
    ("Ella", "Forsberg"),
    ("Noah", "Sundqvist"),
    ("Saga", "Eriksson"),
    ("Olivia", "Hedlund"),
    ("Vincent", "Blom"),
    ("Alice", "Engström"),
    ("Ebba", "Wikström"),
    ("Theo", "Strand"),
]
BODY = [
    "Min sommar",
    "",
    "I somras åkte jag och min familj till Gotland. Vi cyklade runt hela ön och badade vid",
    "Tofta strand. Min kompis Elsa följde med några dagar, och vi lärde oss segla.",
    "Det bästa var kvällarna när vi grillade och tittade på solnedgången.",
]


@dataclass(frozen=True)
class SeededEssay:
    filename: str
    truth: tuple[str, str] | None  # who wrote it (None: nobody on the roster can be told)
    on_roster: bool = True


def _lines(index: int, header: list[str], signature: list[str] | None = None) -> list[str]:
    body = [*BODY, f"Det här är uppsats nummer {index}."]
    return [*header, "", *body, "", *(signature or [])]


# Written by someone the engine has to work for: Karl (as Kalle), Theo (signature only) and
# Olivia (filename only); every other roster student but these three writes a clear header.
HARD_WRITERS = {("Karl", "Nilsson"), ("Theo", "Strand"), ("Olivia", "Hedlund")}


def _essays() -> list[tuple[SeededEssay, list[str]]]:
    clear = [student for student in ROSTER if student not in HARD_WRITERS][:23]
    essays = []
    for i, (first, last) in enumerate(clear):
        essays.append(
            (
                SeededEssay(f"Uppsats ({i + 1})", (first, last)),
                _lines(i + 1, [f"Namn: {first} {last}", "Klass: 9B", "Lärare: Lena Berg"]),
            )
        )
    essays += [
        (SeededEssay("Uppsats (24)", ("Karl", "Nilsson")), _lines(24, ["Namn: Kalle Nilsson", "Klass: 9B"])),
        (SeededEssay("Uppsats (25)", None), _lines(25, ["Klass: 9B"])),
        (
            SeededEssay("Uppsats (26)", ("Hugo", "Eriksson"), on_roster=False),
            _lines(26, ["Namn: Hugo Eriksson", "Klass: 9B"]),
        ),
        (SeededEssay("Uppsats (27)", ("Theo", "Strand")), _lines(27, ["Klass: 9B"], ["/ Theo S."])),
        (SeededEssay("Uppsats (28) Olivia Hedlund", ("Olivia", "Hedlund")), _lines(28, ["Klass: 9B"])),
    ]
    return essays


def _file(index: int, essay: SeededEssay, lines: list[str]) -> tuple[str, str, bytes]:
    kind = ("docx", "pdf", "txt")[index % 3]
    if kind == "docx":
        return ("files", f"{essay.filename}.docx", docx_bytes(lines))
    if kind == "pdf":
        return ("files", f"{essay.filename}.pdf", pdf_bytes(lines))
    return ("files", f"{essay.filename}.txt", "\n".join(lines).encode("utf-8"))


def seed(base_url: str, username: str, password: str) -> dict[str, Any]:
    """Class, roster and the 28-essay batch, matched and awaiting the teacher: ids and truths."""
    api = Api(base_url)
    api.token = api.call("POST", "/api/v1/auth/token/", {"username": username, "password": password})["token"]
    students = [{"first_name": first, "last_name": last, "email": None} for first, last in ROSTER]
    school_class = api.call(
        "POST", "/api/v1/classes/", {"name": f"9B {uuid.uuid4().hex[:4]}", "students": students}
    )
    batch = api.call(
        "POST",
        "/api/v1/batches/",
        {"course_code": "SVA1", "expected_essay_count": 28, "class_id": school_class["class_id"]},
    )
    seeded = _essays()
    files = [_file(i, essay, lines) for i, (essay, lines) in enumerate(seeded)]
    for start in range(0, len(files), 10):
        api.call("POST", f"/api/v1/batches/{batch['batch_id']}/essays/", files=files[start : start + 10])
    wait_for_status(api, batch["batch_id"], "AWAITING_STUDENT_VALIDATION", timeout=60)
    essays = api.call("GET", f"/api/v1/batches/{batch['batch_id']}/essays/")
    by_stem = {essay.filename: essay for essay, _ in seeded}
    truths = {}
    for row in essays:
        essay = by_stem[row["filename"].rsplit(".", 1)[0]]
        truths[row["essay_id"]] = {
            "filename": row["filename"],
            "truth": essay.truth,
            "on_roster": essay.on_roster,
        }
    return {"api": api, "batch_id": batch["batch_id"], "class_id": school_class["class_id"], "essays": truths}


def login(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(base_url.rstrip("/") + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
