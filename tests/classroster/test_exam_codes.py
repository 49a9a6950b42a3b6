"""exam.net anonymous codes: a batch's code list (CSV or XLSX, Swedish or English headers) and
essays that carry a code in their first line or filename, matched with certainty; unknown codes
and list lines naming someone off the roster are reported, never guessed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from batches.models import Batch, BatchStatus
from batches.services import batch_register
from classroster.models import ExamCode
from essays.services import essays_upload
from matching.models import MatchSuggestion, StudentAssociation
from tests.conftest import ROSTER_NAMES, docx_file, txt_file

pytestmark = pytest.mark.django_db

CODES = ["QX4821", "BT7730", "LM1204", "RZ5566", "KD9013", "WP3378"]


def code_list_csv(
    rows: list[tuple[str, str, str]], header: str = "Kod;Namn;E-post", encoding: str = "cp1252"
) -> bytes:
    lines = [header] + [";".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def code_list_xlsx(
    rows: list[tuple[str, str, str]], header: tuple[str, ...] = ("Code", "Name", "Email")
) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Exam: SVE1 essay, anonymous codes"])  # exam.net puts a title row first
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_codes(api, batch_id, data: bytes, name: str = "koder.csv"):
    return api.post(
        f"/api/v1/batches/{batch_id}/exam-codes/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def roster_rows(n: int) -> list[tuple[str, str, str]]:
    return [(CODES[i], f"{ROSTER_NAMES[i][0]} {ROSTER_NAMES[i][1]}", "") for i in range(n)]


def anonymous_essay(code: str, where: str, index: int):
    # Each essay its own text: the same text twice in a batch is a duplicate upload.
    body = f"Min sommar\n\nJag och Elsa Lindqvist åkte till havet med Erik Andersson {index + 2} gånger."
    if where == "first_line":
        return txt_file(f"essay{index}.txt", f"Anonym kod: {code}\n\n{body}")
    return docx_file(f"SVE1_{code}.docx", ["Min sommar", "", body])


@pytest.fixture
def batch(teacher, school_class) -> Batch:
    return batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=6, school_class=school_class
    )


def test_swedish_csv_resolves_codes_and_reports_who_is_not_on_the_roster(api, batch):
    rows = [*roster_rows(4), ("ZZ0001", "Okänd Person", "okand@skola.example.se")]
    response = upload_codes(api, batch.id, code_list_csv(rows))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [c["on_roster"] for c in body["codes"]] == [True, True, True, True, False]
    assert body["not_on_roster"] == [
        {"line": 6, "code": "ZZ0001", "name": "Okänd Person", "email": "okand@skola.example.se"}
    ]
    assert api.get(f"/api/v1/batches/{batch.id}/exam-codes/").json()["codes"][0]["code"] == "QX4821"


def test_english_xlsx_with_a_title_row(api, batch, school_class):
    student = school_class.students.get(first_name="Åsa")
    student.email = "asa.sjostrom@skola.example.se"
    student.save()
    rows = [("QX4821", "", "ASA.SJOSTROM@skola.example.se"), ("BT7730", "ERIK ANDERSSON", "")]
    response = upload_codes(api, batch.id, code_list_xlsx(rows), name="codes.xlsx")
    assert response.status_code == 201, response.content
    codes = {c.code: c.student for c in ExamCode.objects.filter(batch=batch)}
    assert codes["QX4821"] == student
    assert codes["BT7730"].full_name == "Erik Andersson"


def test_coded_essays_are_matched_with_certainty_list_before_essays(api, batch, committed):
    # The list arrives first; the essays carry no names of their authors, only codes (and
    # mention classmates, which must not sway the match).
    assert upload_codes(api, batch.id, code_list_csv(roster_rows(6))).status_code == 201
    files = [anonymous_essay(CODES[i], "first_line" if i % 2 else "filename", i) for i in range(6)]
    with committed():
        essays_upload(batch=batch, files=files)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    by_code = {c.code: c.student_id for c in ExamCode.objects.filter(batch=batch)}
    for association in StudentAssociation.objects.filter(batch=batch).select_related("essay"):
        top = MatchSuggestion.objects.get(essay=association.essay, rank=1)
        code = next(
            c for c in CODES if c in association.essay.text or c in association.essay.original_filename
        )
        assert (association.match_level, top.confidence, top.level) == ("high", 1.0, "high")
        assert top.student_id == by_code[code]
        assert top.evidence[0]["kind"] == "code" and top.evidence[0]["matched_text"] == code
    assert batch.processing_summary["high_confidence"] == 6
    assert batch.processing_summary["exam_codes"]["matched_by_code"] == 6


def test_unknown_codes_and_codes_off_the_roster_are_reported_not_guessed(
    api, teacher, school_class, committed
):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=3, school_class=school_class
    )
    rows = [*roster_rows(1), ("ZZ0001", "Okänd Person", "")]
    assert upload_codes(api, batch.id, code_list_csv(rows)).status_code == 201
    # The unknown code's essay is signed by a roster student: still never 'high' by the code.
    files = [
        anonymous_essay(CODES[0], "first_line", 0),
        txt_file("b.txt", "Anonym kod: QX9999\n\nNamn: Erik Andersson\nMin sommar"),
        anonymous_essay("ZZ0001", "filename", 2),
    ]
    with committed():
        essays_upload(batch=batch, files=files)
    batch.refresh_from_db()
    report = batch.processing_summary["exam_codes"]
    assert [item["codes"] for item in report["unknown_codes"]] == [["qx9999"]]
    assert [item["code"] for item in report["codes_not_on_roster"]] == ["ZZ0001"]
    levels = {
        a.essay.original_filename: a.match_level
        for a in StudentAssociation.objects.filter(batch=batch).select_related("essay")
    }
    assert levels["essay0.txt"] == "high"
    assert levels["b.txt"] != "high" and levels["SVE1_ZZ0001.docx"] != "high"
    browser = Client()  # a page: reads only
    browser.force_login(teacher)
    page = browser.get(f"/batches/{batch.id}/codes/")
    assert page.status_code == 200
    assert b"data-unknown-code" in page.content and b"data-code-not-on-roster" in page.content


def test_a_code_wins_over_a_name_in_another_essay(api, teacher, school_class, committed):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=2, school_class=school_class
    )
    assert upload_codes(api, batch.id, code_list_csv(roster_rows(2))).status_code == 201
    # Essay 2 has no code and names Åsa in its header; Åsa's code is on essay 1.
    with committed():
        essays_upload(
            batch=batch,
            files=[
                anonymous_essay(CODES[0], "first_line", 0),
                txt_file("x.txt", "Namn: Åsa Sjöström\n\nMin sommar"),
            ],
        )
    top = {
        s.essay.original_filename: s
        for s in MatchSuggestion.objects.filter(essay__batch=batch, rank=1).select_related("essay", "student")
    }
    assert top["essay0.txt"].student.first_name == "Åsa"
    assert "x.txt" not in top or top["x.txt"].student.first_name != "Åsa"


def test_a_batch_without_a_code_list_matches_as_before(teacher, school_class, committed):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=1, school_class=school_class
    )
    with committed():
        essays_upload(batch=batch, files=[txt_file("a.txt", "Namn: Åsa Sjöström\n\nMin sommar")])
    batch.refresh_from_db()
    assert "exam_codes" not in batch.processing_summary


# --- hostile input -------------------------------------------------------------------------


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_wrong_headers(api, batch):
    error_of(upload_codes(api, batch.id, b"foo;bar\n1;2\n"), 400, "invalid_code_list_header")
    error_of(upload_codes(api, batch.id, b"kod;klass\nQX4821;9B\n"), 400, "invalid_code_list_header")
    assert not ExamCode.objects.exists()


def test_huge_file(api, batch):
    data = code_list_csv(roster_rows(1)) + b"x" * (3 * 1024 * 1024)
    error_of(upload_codes(api, batch.id, data), 413, "code_list_too_large")


@pytest.mark.parametrize("data", [b"\x00\x01\x02\x03" * 100, b"\xff\xfe\x00K\x00o\x00d"])
def test_binary_or_utf16(api, batch, data):
    error_of(upload_codes(api, batch.id, data), 400, "invalid_code_list")


def test_cp1252_is_read(api, batch):
    rows = [(CODES[0], "Åsa Sjöström", "")]
    assert upload_codes(api, batch.id, code_list_csv(rows, encoding="cp1252")).status_code == 201
    assert ExamCode.objects.get().student is not None


def test_xlsx_zip_bomb(api, batch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (50 * 1024 * 1024))
    error_of(upload_codes(api, batch.id, out.getvalue(), name="codes.xlsx"), 400, "unsafe_archive")


def test_broken_xlsx(api, batch):
    error_of(upload_codes(api, batch.id, b"PK\x03\x04broken", name="codes.xlsx"), 400, "invalid_code_list")


def test_bad_rows_are_reported_by_line(api, batch):
    data = code_list_csv(
        [*roster_rows(2), (CODES[0], "Elsa Lindqvist", ""), ("bad code!", "Ida Berg", ""), ("AA1111", "", "")]
    )
    body = upload_codes(api, batch.id, data).json()
    assert [(e["line"], e["error"].split(" ")[0]) for e in body["errors"]] == [
        (4, "the"),
        (5, "'bad"),
        (6, "the"),
    ]
    assert len(body["codes"]) == 2


def test_guest_batch_has_no_roster(api, teacher):
    guest = batch_register(owner=teacher, course_code="ENG5", expected_essay_count=1)
    error_of(upload_codes(api, guest.id, code_list_csv(roster_rows(1))), 409, "batch_has_no_class")


def test_other_teachers_batch_is_not_found(api_for, make_teacher, batch):
    other = api_for(make_teacher("bertil"))
    assert upload_codes(other, batch.id, code_list_csv(roster_rows(1))).status_code == 404


def test_a_list_uploaded_during_review_rematches_the_undecided_essays(api, batch, committed):
    with committed():
        essays_upload(batch=batch, files=[anonymous_essay(CODES[i], "first_line", i) for i in range(6)])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert not StudentAssociation.objects.filter(batch=batch, match_level="high").exists()
    assert upload_codes(api, batch.id, code_list_csv(roster_rows(6))).status_code == 201
    # The re-match ran on commit: every essay is now its code's student, high.
    assert StudentAssociation.objects.filter(batch=batch, match_level="high").count() == 6
    by_code = {c.code: c.student_id for c in ExamCode.objects.filter(batch=batch)}
    for suggestion in MatchSuggestion.objects.filter(essay__batch=batch, rank=1).select_related("essay"):
        code = next(c for c in CODES if c in suggestion.essay.text)
        assert suggestion.student_id == by_code[code] and suggestion.evidence[0]["kind"] == "code"


@pytest.mark.django_db(transaction=True)  # two threads, two transactions
def test_two_uploads_at_once_leave_one_whole_list(batch, teacher):
    import threading

    from django.db import connections

    from matching.services.exam_codes import exam_codes_import

    lists = [code_list_csv(roster_rows(6)), code_list_csv([(f"XY{i:04d}", f"{f} {la}", "") for i, (f, la)
                                                           in enumerate(ROSTER_NAMES[:4])])]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def upload(data: bytes) -> None:
        try:
            barrier.wait()
            exam_codes_import(batch=batch, data=data, uploaded_by=teacher)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload, args=(data,)) for data in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    codes = set(ExamCode.objects.filter(batch=batch).values_list("code", flat=True))
    assert codes in ({*CODES}, {f"XY{i:04d}" for i in range(4)})
