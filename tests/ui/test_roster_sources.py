"""In a real browser: a class imported from the school's SS 12000 system (a local fake server),
then a batch of anonymised exam.net essays with their code list, every essay matched 'high'."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from batches.models import Batch
from classroster.models import ExamCode, SchoolClass, Ss12000Connection, Ss12000Teacher
from classroster.ss12000 import ss12000_connection_set_secrets
from essays.samples import docx_bytes, pdf_bytes
from tests.classroster.fake_ss12000 import FakeSs12000, FakeSs12000Server, school
from tests.ui.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODES = {"p-1": "QX4821", "p-2": "BT7730", "p-3": "LM1204", "p-4": "RZ5566", "p-5": "KD9013"}
NAMES = {"p-1": "Åsa Sjöström", "p-2": "Erik Andersson", "p-3": "Mohammed Ali", "p-4": "Linnéa Ekström",
         "p-5": "Karl Johan Öberg"}


@pytest.fixture
def fake_school() -> Iterator[FakeSs12000]:
    with FakeSs12000Server(school()) as fake:
        yield fake


def code_list_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Prov: SVE9 uppsats"])
    sheet.append(["Anonym kod", "Namn"])
    for person_id, code in CODES.items():
        sheet.append([code, NAMES[person_id]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def coded_essays() -> list[dict[str, Any]]:
    """exam.net's anonymised export: the code in the filename or on the first line, no author
    name, and classmates named in the text."""
    def body(n: int) -> list[str]:  # each essay its own text (a repeated text is a duplicate)
        return ["Min sommar", "", f"Jag och Erik Andersson åkte till havet {n} gånger med Åsa Sjöström."]

    return [
        {"name": "SVE9_QX4821.docx", "mimeType": DOCX, "buffer": docx_bytes(body(1))},
        {"name": "uppsats2.txt", "mimeType": "text/plain",
         "buffer": ("Anonym kod: BT7730\n\n" + "\n".join(body(2))).encode()},
        {"name": "LM1204.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(body(3))},
        {"name": "uppsats4.docx", "mimeType": DOCX, "buffer": docx_bytes(["Kod: RZ5566", *body(4)])},
        {"name": "KD9013.txt", "mimeType": "text/plain", "buffer": "\n".join(body(5)).encode("cp1252")},
    ]


def test_class_from_ss12000_then_coded_exam_net_essays_all_high(
    browser_context: Any, make_teacher: Any, fake_school: FakeSs12000
):
    teacher = make_teacher("anna")
    connection = Ss12000Connection.objects.create(
        name="Kommunens SS 12000", base_url=fake_school.base_url, token_url=fake_school.token_url,
        client_id=fake_school.client_id, organisation_id="org-1")
    ss12000_connection_set_secrets(connection=connection, client_secret=fake_school.client_secret)
    Ss12000Teacher.objects.create(connection=connection, user=teacher, person_id="t-1")

    page = browser_context.new_page()
    login(page, "anna", "pw-anna")

    # The teacher's groups, read from the school's system; 9B is imported with one click.
    page.click("text=Classes")
    page.click("[data-class-import-link]")
    page.wait_for_selector('[data-ss12000-groups] [data-group-id="g-9b"]')
    assert page.locator("[data-ss12000-groups] [data-group-id]").count() == 2  # only t-1's groups
    page.screenshot(path=str(ARTIFACTS / "ss12000-groups.png"), full_page=True)
    page.click('[data-group-id="g-9b"] [data-import-group]')
    page.wait_for_selector('[data-class-source="ss12000"]')
    assert page.locator("[data-roster] tbody tr[data-student-id]").count() == 5
    school_class = SchoolClass.objects.get(owner=teacher)
    assert {s.external_id for s in school_class.students.all()} == set(CODES)

    # A batch for the class; the code list goes in before the essays.
    page.click("text=Batches")
    page.fill("input[name=course_code]", "SVE9")
    page.fill("input[name=expected_essay_count]", "5")
    page.select_option("select[name=school_class]", label="9B Svenska")
    page.click("text=Create batch")
    page.wait_for_url("**/batches/*/upload/")
    batch_id = page.url.rstrip("/").split("/")[-2]
    page.goto(f"/batches/{batch_id}/codes/")
    page.set_input_files("[data-code-upload] input[type=file]", [
        {"name": "koder.xlsx", "mimeType": XLSX, "buffer": code_list_xlsx()}])
    page.click("[data-code-upload] button[type=submit]")
    page.wait_for_selector('[data-exam-codes] [data-code="KD9013"][data-on-roster="yes"]')
    assert page.locator('[data-exam-codes] [data-on-roster="no"]').count() == 0

    page.goto(f"/batches/{batch_id}/upload/")
    page.set_input_files("[data-file-input]", coded_essays())
    page.wait_for_selector("[data-upload-results] tr:nth-child(5)")
    assert page.locator('[data-upload-result="PROVISIONED"]').count() == 5

    # Every essay: its code's student, high confidence, the code as evidence.
    page.goto(f"/batches/{batch_id}/review/")
    page.wait_for_selector('[data-batch-status="AWAITING_STUDENT_VALIDATION"]')
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that one needs.
    page.locator("[data-suggested-student-id]").nth(4).wait_for()
    assert page.locator("[data-suggested-student-id]").count() == 5
    page.screenshot(path=str(ARTIFACTS / "review-coded.png"), full_page=True)
    expected = {c.code: str(c.student_id) for c in ExamCode.objects.filter(batch_id=batch_id)}
    batch = Batch.objects.get(pk=batch_id)
    for essay in batch.essays.all():
        code = next(code for code in expected if code in essay.original_filename or code in essay.text)
        row = page.locator(f'[data-essay-id="{essay.id}"]')
        assert row.get_attribute("data-suggested-student-id") == expected[code], essay.original_filename
        assert row.locator(".suggestion").first.locator(".level-high").count() == 1
    assert batch.processing_summary["high_confidence"] == 5

    # So one click confirms the whole batch.
    page.click("[data-accept-high]")
    page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')


def test_class_from_a_oneroster_export(browser_context: Any, make_teacher: Any):
    from tests.classroster.test_oneroster import oneroster_zip

    teacher = make_teacher("anna")
    page = browser_context.new_page()
    login(page, "anna", "pw-anna")
    page.goto("/classes/import/")
    page.wait_for_selector("[data-ss12000-none]")  # no school system connected for this teacher
    page.set_input_files("[data-oneroster-file]", [
        {"name": "oneroster.zip", "mimeType": "application/zip", "buffer": oneroster_zip()}])
    page.click("[data-oneroster-read] button[type=submit]")
    page.wait_for_selector("[data-oneroster-import]:not([hidden])")
    # The export's bad rows are listed by file and line before anything is imported.
    assert page.locator("[data-oneroster-errors] tbody tr").count() == 2
    page.select_option("[data-oneroster-class]", "c-9b")
    page.click("[data-oneroster-import] button[type=submit]")
    page.wait_for_selector('[data-class-source="oneroster"]')
    assert page.locator("[data-roster] tbody tr[data-student-id]").count() == 3
    students = SchoolClass.objects.get(owner=teacher).students.all()
    assert {s.external_id for s in students} == {"u-1", "u-2", "u-3"}
