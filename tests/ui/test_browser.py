"""The teacher's side in a real browser: headless Chromium against daphne (HTTP + WebSocket).

Every wait is on a selector or a URL, never a sleep: the pages change live, and the tests
wait for the stable hooks of the design (data-batch-status, data-essay-id, data-decision,
data-suggested-student-id) to say what they should.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from batches.models import Batch
from batches.services import batch_register
from classroster.services import class_create, students_create_many
from essays.samples import docx_bytes, pdf_bytes
from essays.services import essays_upload
from matching.services import association_decide, batch_timeout_apply
from tests.conftest import txt_file
from tests.ui.conftest import ARTIFACTS, login, outside_the_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROSTER_CSV = (
    "förnamn;efternamn;e-post\n"
    "Åsa;Sjöström;asa.sjostrom@skola.example.se\n"
    "Erik;Andersson;erik.andersson@skola.example.se\n"
    "Elsa;Lindqvist;\n"
    "Fel;Rad;inte-en-adress\n"
    "Mohammed;Ali;mohammed.ali@skola.example.se\n"
)
SCRIPT = "<script>window.pwned = 1</script>"
IMG_FILENAME = "<img src=x onerror=window.pwned=2>.txt"  # uploads keep no "/" in a filename


def essay_file(name: str, data: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def essay_selector(essay_id: str, **attributes: str) -> str:
    extra = "".join(f'[data-{key.replace("_", "-")}="{value}"]' for key, value in attributes.items())
    return f'[data-essay-id="{essay_id}"]{extra}'


def test_teacher_goes_from_files_to_a_ready_batch(browser_context: Any, make_teacher: Any, tmp_path: Any):
    make_teacher("anna")
    page = browser_context.new_page()
    login(page, "anna", "pw-anna")

    # A class from a spreadsheet export; the bad row is reported by its line, the rest imported.
    page.click("text=Classes")
    page.fill("input[name=name]", "9B")
    page.click("[data-class-create] button[type=submit]")
    page.wait_for_url("**/classes/*/")
    csv_path = tmp_path / "klasslista.csv"
    csv_path.write_bytes(ROSTER_CSV.encode("utf-8-sig"))
    page.set_input_files("[data-roster-file]", str(csv_path))
    page.click("[data-roster-import] button[type=submit]")
    page.wait_for_selector('[data-import-errors] [data-import-error-line="5"]')
    assert page.locator("[data-roster] tbody tr[data-student-id]").count() == 4

    # A batch of four essays for the class, registered on the dashboard.
    page.click("text=Batches")
    page.fill("input[name=course_code]", "SVE1")
    page.fill("input[name=expected_essay_count]", "4")
    page.select_option("select[name=school_class]", label="9B")
    page.click("text=Create batch")
    page.wait_for_url("**/batches/*/upload/")
    batch_id = page.url.rstrip("/").split("/")[-2]

    # Three files at once through the picker: a .txt, a .docx and a PDF.
    page.set_input_files("[data-file-input]", [
        essay_file("asa_sjostrom.txt", "Namn: Åsa Sjöström\nE-post: asa.sjostrom@skola.example.se\n"
                   "Klass: 9B\n\nMin sommar var lång.".encode(), "text/plain"),
        essay_file("erik_andersson.docx", docx_bytes(["Name: Erik Andersson", "Class: 9B", "My summer."]),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        essay_file("mohammed.pdf", pdf_bytes(["Name: Mohammed Ali", "Class: 9B", "", "About football."]),
                   "application/pdf"),
    ])
    page.wait_for_selector("[data-upload-results] tr:nth-child(3)")
    assert page.locator('[data-upload-result="PROVISIONED"]').count() == 3
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)

    # The review page is open before the last essay arrives (from another tab) ...
    page.goto(f"/batches/{batch_id}/review/")
    page.wait_for_selector('[data-batch-status="AWAITING_CONTENT"]')
    page.wait_for_selector('[data-live-state="live"]')
    assert page.locator("[data-suggested-student-id]").count() == 0
    other_tab = browser_context.new_page()
    other_tab.goto(f"/batches/{batch_id}/upload/")
    other_tab.set_input_files("[data-file-input]", [
        essay_file(IMG_FILENAME, f"Min sommar\n\nVi åkte till havet. {SCRIPT}".encode(), "text/plain"),
    ])
    other_tab.wait_for_selector("[data-next-step]:not([hidden])")
    other_tab.close()

    # ... and the suggestions appear on it without a reload.
    page.wait_for_selector('[data-batch-status="AWAITING_STUDENT_VALIDATION"]')
    # Locator waits, not wait_for_function: the page's CSP forbids the eval that one needs.
    page.locator("[data-suggested-student-id]").nth(2).wait_for()  # three or more
    assert page.locator('[data-decision="pending"]').count() == 4
    assert page.evaluate("window.pwned") is None  # the essay's <script> is shown, never run
    assert SCRIPT in page.locator("#review-essays").inner_text()
    assert IMG_FILENAME in page.locator("#review-essays .filename").all_inner_texts()
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)

    # One click accepts every high-confidence match.
    page.click("[data-accept-high]")
    page.wait_for_selector("[data-accept-high][disabled]")
    page.locator('[data-decision="decided"]').nth(2).wait_for()  # three or more

    # The essay without a name is given its student with the roster picker.
    batch = Batch.objects.get(pk=batch_id)
    unnamed = batch.essays.get(original_filename=IMG_FILENAME)
    elsa = batch.school_class.students.get(first_name="Elsa")
    picker = page.locator(f'{essay_selector(str(unnamed.id))} [data-picker-input]')
    picker.fill("lindq")
    page.click(f'{essay_selector(str(unnamed.id))} [data-picker-results] [data-decide="{elsa.id}"]')
    page.wait_for_selector(f'{essay_selector(str(unnamed.id), decision="decided")} '
                           f'[data-decided-student-id="{elsa.id}"]')

    # Whatever the engine left for review is accepted from the keyboard (select, then "a").
    pending = page.eval_on_selector_all('[data-decision="pending"]', "els => els.map(e => e.dataset.essayId)")
    for essay_id in pending:
        page.click(f"{essay_selector(essay_id)} .filename")
        page.keyboard.press("a")
        page.wait_for_selector(essay_selector(essay_id, decision="decided"))

    page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')
    assert page.locator('[data-decision="pending"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "review-ready.png"), full_page=True)
    page.goto("/")
    page.wait_for_selector(f'[data-batch-row="{batch_id}"][data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


def _batch_awaiting_validation(teacher: Any) -> Batch:
    school_class = class_create(owner=teacher, name="9C")
    students_create_many(school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": "asa.sjostrom@skola.example.se"},
        {"first_name": "Erik", "last_name": "Andersson", "email": None},
    ])
    batch = batch_register(owner=teacher, course_code="SVE2", expected_essay_count=2,
                           school_class=school_class)
    essays_upload(batch=batch, files=[
        txt_file("asa.txt", "Namn: Åsa Sjöström\nKlass: 9C\n\nText."),
        txt_file("utan_namn.txt", "En text utan namn."),
    ])
    batch.refresh_from_db()
    return batch


def test_decisions_from_the_api_and_the_timeout_appear_live(
    browser_context: Any, playwright_session: Any, asgi_server: str, make_teacher: Any
):
    teacher = make_teacher("bodil")
    batch = outside_the_browser_loop(_batch_awaiting_validation, teacher)
    assert batch.status == "AWAITING_STUDENT_VALIDATION"
    asa_essay = batch.essays.get(original_filename="asa.txt")
    other_essay = batch.essays.get(original_filename="utan_namn.txt")
    erik = batch.school_class.students.get(first_name="Erik")

    page = browser_context.new_page()
    login(page, "bodil", "pw-bodil")
    page.goto(f"/batches/{batch.id}/review/")
    page.wait_for_selector('[data-live-state="live"]')
    page.wait_for_selector(essay_selector(str(other_essay.id), decision="pending"))

    # A script decides one essay through the HTTP API (token auth): the open page follows.
    token = Token.objects.create(user=teacher)
    api = playwright_session.request.new_context(
        base_url=asgi_server, extra_http_headers={"Authorization": f"Token {token.key}"})
    response = api.put(f"/api/v1/classes/{batch.school_class_id}/associations/{other_essay.id}/",
                       data={"student_id": str(erik.id)})
    assert response.status == 200, response.text()
    api.dispose()
    page.wait_for_selector(f'{essay_selector(str(other_essay.id), decision="decided")} '
                           f'[data-decided-student-id="{erik.id}"]')

    # The timeout, run by another process (here: this one), decides the rest: live too.
    outside_the_browser_loop(batch_timeout_apply, batch_id=batch.id, force=True)
    page.wait_for_selector(essay_selector(str(asa_essay.id), decision="decided"))
    page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')


def test_the_review_page_catches_up_after_the_socket_was_down(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("cecilia")
    batch = outside_the_browser_loop(_batch_awaiting_validation, teacher)
    essay = batch.essays.get(original_filename="utan_namn.txt")
    page = browser_context.new_page()
    login(page, "cecilia", "pw-cecilia")
    page.goto(f"/batches/{batch.id}/review/")
    page.wait_for_selector('[data-live-state="live"]')

    browser_context.set_offline(True)
    page.wait_for_selector('[data-live-state="offline"], [data-live-state="connecting"]')
    outside_the_browser_loop(association_decide, batch_id=batch.id, essay_id=essay.id, student_id=None,
                             decided_by=teacher)
    browser_context.set_offline(False)
    # Nothing was pushed to this page while it was offline: it asks ?after= on reconnect.
    page.wait_for_selector(essay_selector(str(essay.id), decision="decided"), timeout=60_000)
