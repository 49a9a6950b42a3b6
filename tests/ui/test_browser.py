"""The teacher's side in a real browser: headless Chromium against daphne (HTTP + WebSocket).

Every wait is on a selector or a URL, never a sleep: the pages change live, and the tests
wait for the stable hooks of the design (data-batch-status, data-essay-id, data-decision,
data-suggested-student-id) to say what they should.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from rest_framework.authtoken.models import Token

from batches.models import Batch
from batches.services import batch_register
from classroster.services import class_create, students_create_many
from essays.samples import docx_bytes, pdf_bytes
from essays.services import essays_upload
from matching.models import MatchLevel, StudentAssociation
from matching.services import association_decide, batch_timeout_apply
from outbox.models import BatchEvent
from tests.conftest import txt_file
from tests.ui.conftest import ARTIFACTS, ROOT, login, outside_the_browser_loop

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
    page.wait_for_selector("[data-accept-high]", state="detached")  # nothing high is left
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


def _batch_ready(teacher: Any) -> Batch:
    """A READY batch: Åsa's essay decided for Åsa, the unnamed essay decided "no student"."""
    batch = _batch_awaiting_validation(teacher)
    asa = batch.school_class.students.get(first_name="Åsa")
    for essay in batch.essays.all():
        student_id = asa.id if essay.original_filename == "asa.txt" else None
        association_decide(batch_id=batch.id, essay_id=essay.id, student_id=student_id, decided_by=teacher)
    batch.refresh_from_db()
    return batch


def _open_review(context: Any, batch: Batch) -> Any:
    page = context.new_page()
    page.goto(f"/batches/{batch.id}/review/")
    page.wait_for_selector('[data-live-state="live"]')
    return page


def test_a_decision_changed_after_ready_shows_live_in_the_second_tab(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("dora")
    batch = outside_the_browser_loop(_batch_ready, teacher)
    assert batch.status == "READY_FOR_PIPELINE_EXECUTION"
    asa_essay = batch.essays.get(original_filename="asa.txt")
    unnamed = batch.essays.get(original_filename="utan_namn.txt")
    erik = batch.school_class.students.get(first_name="Erik")
    login(browser_context.new_page(), "dora", "pw-dora")
    page = _open_review(browser_context, batch)
    second_tab = _open_review(browser_context, batch)  # the same teacher, another tab
    second_tab.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')
    # The READY summary names the essay that goes on without a student, as a link to its card.
    assert page.locator(f'[data-essays-without-student] a[href="#essay-{unnamed.id}"]').count() == 1
    card = essay_selector(str(unnamed.id))
    assert page.get_attribute(card, "data-version") == "1"

    # "Change" opens the picker on the decided essay; the teacher gives it to Erik.
    page.click(f"{card} [data-change]")
    page.fill(f"{card} [data-picker-input]", "erik and")
    page.click(f'{card} [data-picker-results] [data-decide="{erik.id}"]')
    page.wait_for_selector(f'{essay_selector(str(unnamed.id), decision="decided", version="2")} '
                           f'[data-decided-student-id="{erik.id}"]')
    # The other tab follows without a reload: the new student, the new version, still READY.
    second_tab.wait_for_selector(f'{essay_selector(str(unnamed.id), decision="decided", version="2")} '
                                 f'[data-decided-student-id="{erik.id}"]')
    status = second_tab.get_attribute("[data-batch-status]", "data-batch-status")
    assert status == "READY_FOR_PIPELINE_EXECUTION"
    assert second_tab.locator("[data-essays-without-student]").count() == 0
    association = unnamed.association
    association.refresh_from_db()
    assert (association.student_id, association.version, association.method) == (erik.id, 2, "human")

    # Giving Erik a second essay is asked about, naming the other essay; "yes" records it.
    asa_card = essay_selector(str(asa_essay.id))
    page.click(f"{asa_card} [data-change]")
    page.fill(f"{asa_card} [data-picker-input]", "erik")
    page.click(f'{asa_card} [data-picker-results] [data-decide="{erik.id}"]')
    question = page.wait_for_selector(f"{asa_card} [data-second-essay]:not([hidden])")
    assert "utan_namn.txt" in question.inner_text()
    assert page.get_attribute(f"{asa_card} [data-second-essay] a", "data-other-essay-id") == str(unnamed.id)
    page.click(f"{asa_card} [data-second-essay-yes]")
    second_tab.wait_for_selector(f'{essay_selector(str(asa_essay.id), version="2")} '
                                 f'[data-decided-student-id="{erik.id}"]')
    page.wait_for_selector(f"{asa_card}.claimed-twice")

    # "Send for assessment" makes the pipeline request; both tabs follow.
    page.click("[data-send-for-assessment]")
    page.wait_for_selector('[data-batch-status="PIPELINE_REQUESTED"]')
    second_tab.wait_for_selector('[data-batch-status="PIPELINE_REQUESTED"]')
    batch.refresh_from_db()
    assert batch.status == "PIPELINE_REQUESTED" and batch.pipeline == ["cj_assessment"]
    assert page.locator("[data-cancel-batch]").count() == 0  # assessment started: no cancelling
    page.screenshot(path=str(ARTIFACTS / "review-corrected.png"), full_page=True)


def test_a_stale_change_is_refused_and_the_page_reads_itself_again(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("edvin")
    batch = outside_the_browser_loop(_batch_ready, teacher)
    unnamed = batch.essays.get(original_filename="utan_namn.txt")
    erik = batch.school_class.students.get(first_name="Erik")
    login(browser_context.new_page(), "edvin", "pw-edvin")
    page = _open_review(browser_context, batch)
    card = essay_selector(str(unnamed.id))
    page.click(f"{card} [data-change]")
    # Another tab changes the same decision while this one cannot re-read itself (its refresh
    # is refused once): it still shows version 1 with the change controls open.
    page.route("**/review/live/", lambda route: route.abort())
    with page.expect_event("requestfailed") as failed:
        outside_the_browser_loop(association_decide, batch_id=batch.id, essay_id=unnamed.id,
                                 student_id=erik.id, decided_by=teacher, expected_version=1)
    assert failed.value.url.endswith("/review/live/")
    page.unroute("**/review/live/")
    assert page.get_attribute(card, "data-version") == "1"
    page.click(f"{card} [data-decide='']")  # "No student", sent with expected_version 1
    page.wait_for_selector("[data-announce].error")
    assert "changed meanwhile" in page.inner_text("[data-announce]")
    page.wait_for_selector(f'{essay_selector(str(unnamed.id), version="2")} '
                           f'[data-decided-student-id="{erik.id}"]')
    association = unnamed.association
    association.refresh_from_db()
    assert (association.student_id, association.version) == (erik.id, 2)  # nothing overwritten


def test_the_teacher_cancels_then_deletes_a_batch(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("frida")
    batch = outside_the_browser_loop(_batch_awaiting_validation, teacher)
    login(browser_context.new_page(), "frida", "pw-frida")
    page = _open_review(browser_context, batch)
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("[data-cancel-batch]")
    page.wait_for_selector('[data-batch-status="CANCELLED"]')
    page.wait_for_selector('[data-notice="cancelled"]')
    assert page.locator("[data-cancel-batch], [data-rematch], [data-accept-high]").count() == 0
    batch.refresh_from_db()
    assert batch.status == "CANCELLED"

    page.click("[data-delete-batch]")
    page.wait_for_url(lambda url: "/batches/" not in url)
    page.wait_for_selector("#dashboard-batches")
    assert len(dialogs) == 2
    assert not Batch.objects.filter(pk=batch.id).exists()
    assert page.locator(f'[data-batch-row="{batch.id}"]').count() == 0


def test_deadline_move_reports_the_servers_refusal(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("gustav")
    batch = outside_the_browser_loop(_batch_awaiting_validation, teacher)
    login(browser_context.new_page(), "gustav", "pw-gustav")
    page = _open_review(browser_context, batch)
    assert page.input_value("[data-deadline-input]")  # the current deadline, in the browser's time
    page.fill("[data-deadline-input]", "2099-01-01T10:00")
    page.click("[data-deadline-form] button[type=submit]")
    page.wait_for_selector("[data-deadline-error]:not([hidden])")
    assert "14 days" in page.inner_text("[data-deadline-error]")
    before = batch.validation_deadline
    page.evaluate("""() => {
        const soon = new Date(Date.now() + 3 * 24 * 3600 * 1000);
        const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000);
        document.querySelector('[data-deadline-input]').value = local.toISOString().slice(0, 16);
    }""")
    page.click("[data-deadline-form] button[type=submit]")
    page.locator("[data-announce]", has_text="moved").wait_for()  # no wait_for_function: CSP
    batch.refresh_from_db()
    assert batch.validation_deadline != before

    # "Re-run matching" asks for matching again; the batch stays open for decisions.
    page.click("[data-rematch]")
    page.locator("[data-announce]", has_text="runs again").wait_for()
    assert BatchEvent.objects.filter(batch_id=batch.id, event_type="batch.student.rematch.requested").exists()
    page.wait_for_selector('[data-batch-status="AWAITING_STUDENT_VALIDATION"]')


def test_upload_page_removes_replaces_and_takes_late_essays(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("hedda")
    batch = outside_the_browser_loop(_batch_ready, teacher)
    unnamed = batch.essays.get(original_filename="utan_namn.txt")
    page = browser_context.new_page()
    login(page, "hedda", "pw-hedda")
    page.goto(f"/batches/{batch.id}/upload/")
    page.wait_for_selector("[data-late-notice]:not([hidden])")
    assert page.is_visible("[data-dropzone]")

    # A file with the same text as an essay already in the batch: not stored, its original named.
    page.set_input_files("[data-file-input]", [
        essay_file("kopia.txt", "Namn: Åsa Sjöström\nKlass: 9C\n\nText.".encode(), "text/plain"),
    ])
    duplicate = page.wait_for_selector('[data-upload-result="DUPLICATE"]')
    assert "asa.txt" in duplicate.inner_text()

    # Remove frees the slot; the batch shrinks back to what it holds.
    page.click(f'[data-remove-essay="{unnamed.id}"]')
    page.wait_for_selector(f'[data-upload-essay-id="{unnamed.id}"]', state="detached")
    assert not batch.essays.filter(pk=unnamed.id).exists()

    # Replace: the new file is chosen, the old essay removed, the new one added as a late essay.
    asa_essay = batch.essays.get(original_filename="asa.txt")
    with page.expect_file_chooser() as chooser:
        page.click(f'[data-replace-essay="{asa_essay.id}"]')
    chooser.value.set_files([essay_file("asa_v2.txt", "Namn: Åsa Sjöström\n\nEn ny version.".encode(),
                                        "text/plain")])
    page.wait_for_selector(f'[data-upload-essay-id="{asa_essay.id}"]', state="detached")
    late = page.wait_for_selector('[data-upload-result="PROVISIONED"]:has-text("asa_v2.txt")')
    assert "late" in late.inner_text()
    assert list(batch.essays.values_list("original_filename", flat=True)) == ["asa_v2.txt"]
    page.wait_for_selector('[data-batch-status="AWAITING_STUDENT_VALIDATION"]')


def _batch_with_two_essays_for_one_student(teacher: Any) -> Batch:
    school_class = class_create(owner=teacher, name="9D")
    students_create_many(school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": "asa.sjostrom@skola.example.se"},
        {"first_name": "Erik", "last_name": "Andersson", "email": None},
    ])
    batch = batch_register(owner=teacher, course_code="SVE3", expected_essay_count=2,
                           school_class=school_class)
    essays_upload(batch=batch, files=[
        txt_file("asa_1.txt", "Namn: Åsa Sjöström\nKlass: 9D\n\nDen första texten om sommaren."),
        txt_file("asa_2.txt", "Namn: Åsa Sjöström\nKlass: 9D\n\nEn helt annan text om vintern."),
    ])
    # The engine proposes a student as "high" on one essay of a batch at most; the teacher
    # gives her the other essay first, so accept-all meets a student who is already taken.
    second = StudentAssociation.objects.get(batch=batch, match_level=MatchLevel.REVIEW)
    asa = school_class.students.get(first_name="Åsa")
    association_decide(batch_id=batch.id, essay_id=second.essay_id, student_id=asa.id,
                       decided_by=teacher)
    batch.refresh_from_db()
    return batch


def test_accept_all_leaves_a_taken_student_to_the_teacher(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("ines")
    batch = outside_the_browser_loop(_batch_with_two_essays_for_one_student, teacher)
    assert batch.status == "AWAITING_STUDENT_VALIDATION"
    login(browser_context.new_page(), "ines", "pw-ines")
    page = _open_review(browser_context, batch)
    page.click("[data-accept-high]")
    page.wait_for_selector("[data-announce].error")
    page.wait_for_selector('[data-decision="decided"]')
    assert page.locator('[data-decision="pending"]').count() == 1
    pending = page.get_attribute('[data-decision="pending"]', "data-essay-id")
    left = batch.essays.get(pk=pending).original_filename
    assert left in page.inner_text("[data-announce]")
    batch.refresh_from_db()
    assert batch.status == "AWAITING_STUDENT_VALIDATION"  # no wrong READY


def test_a_guest_batch_is_cancelled_and_deleted_from_its_upload_page(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("jonas")
    batch = outside_the_browser_loop(batch_register, owner=teacher, course_code="ENG7",
                                     expected_essay_count=3)
    page = browser_context.new_page()
    login(page, "jonas", "pw-jonas")
    page.goto(f"/batches/{batch.id}/upload/")
    page.wait_for_selector("[data-dropzone]:not([hidden])")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-cancel-batch]")
    page.wait_for_selector('[data-batch-status="CANCELLED"]')
    page.wait_for_selector("[data-uploads-closed]:not([hidden])")
    assert page.is_hidden("[data-dropzone]") and page.is_hidden("[data-cancel-batch]")
    page.click("[data-delete-batch]")
    page.wait_for_url(lambda url: "/batches/" not in url)
    assert not Batch.objects.filter(pk=batch.id).exists()


# =============================================================================================
# The review page a teacher can trust at speed: selection and keys, queued decisions, toasts
# with undo (also in a second tab), triage order, the Swedish picker, shortcuts switched off.
# =============================================================================================

SWEDISH_ROSTER = [
    ("Anna", "Berg"), ("Johanna", "Ek"), ("Maja", "Öberg"), ("Olle", "Olsson"), ("Oskar", "Holm"),
    ("Karl", "Nilsson"), ("Sara", "Lind"), ("Elin", "Ström"), ("Nora", "Åberg"), ("Emil", "Dahl"),
    ("Vera", "Sjöberg"), ("Adam", "Wik"),
]


def _header(first: str, last: str, body: str = "Min sommar var lång och varm.") -> str:
    return f"Namn: {first} {last}\nKlass: 9E\n\n{body}\n\nVi badade varje dag vid sjön."


def _swedish_batch(teacher: Any, essays: list[tuple[str, str]], class_name: str = "9E") -> Batch:
    school_class = class_create(owner=teacher, name=class_name)
    students_create_many(school_class=school_class, rows=[
        {"first_name": first, "last_name": last, "email": None} for first, last in SWEDISH_ROSTER])
    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=len(essays),
                           school_class=school_class)
    essays_upload(batch=batch, files=[txt_file(name, text) for name, text in essays])
    batch.refresh_from_db()
    assert batch.status == "AWAITING_STUDENT_VALIDATION", batch.status
    return batch


def _high_batch(teacher: Any, count: int) -> Batch:
    """count essays, each clearly naming its own roster student (all high confidence)."""
    return _swedish_batch(teacher, [
        (f"Uppsats ({i + 1}).txt", _header(*SWEDISH_ROSTER[i], body=f"Text nummer {i + 1} om sommaren."))
        for i in range(count)])


def _page_order(page: Any) -> list[str]:
    return page.eval_on_selector_all("#review-essays > [data-essay-id]",
                                     "els => els.map(e => e.dataset.essayId)")


def _selected(page: Any) -> str:
    return page.get_attribute('#review-essays > [aria-current="true"]', "data-essay-id")


def _decided_for(essay_id: str, student_id: object, **attributes: str) -> str:
    """The card of an essay decided for this student ("" : no student)."""
    return f'{essay_selector(essay_id, **attributes)} [data-decided-student-id="{student_id or ""}"]'


def _filenames(batch: Batch, essay_ids: list[str]) -> list[str]:
    names = dict(batch.essays.values_list("id", "original_filename"))
    return [names[UUID(essay_id)] for essay_id in essay_ids]


def test_review_a_key_acts_on_the_essay_that_was_clicked_or_linked(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("klara")
    batch = outside_the_browser_loop(_swedish_batch, teacher, [
        ("Uppsats (1).txt", _header("Anna", "Berg")),
        ("Uppsats (2).txt", _header("Maja", "Öberg", "Den första texten om vintern.")),
        ("Uppsats (3).txt", _header("Maja", "Öberg", "En helt annan text om hösten.")),
        ("Uppsats (4).txt", _header("Emil", "Dahl")),
    ])
    login(browser_context.new_page(), "klara", "pw-klara")
    page = _open_review(browser_context, batch)
    first_selected = _selected(page)
    emil = batch.essays.get(original_filename="Uppsats (4).txt")
    assert first_selected != str(emil.id)

    # A click on another essay's card selects it: "a" accepts *that* essay's top suggestion.
    page.click(f"{essay_selector(str(emil.id))} .filename")
    assert page.get_attribute(essay_selector(str(emil.id)), "aria-current") == "true"
    page.keyboard.press("a")
    dahl = batch.school_class.students.get(last_name="Dahl")
    page.wait_for_selector(_decided_for(str(emil.id), dahl.id, decision="decided"))
    assert page.get_attribute(essay_selector(first_selected), "data-decision") == "pending"

    # A link in "Students claimed by more than one essay" selects the essay it shows.
    third = batch.essays.get(original_filename="Uppsats (3).txt")
    page.click(f'[data-claimed-twice] a[href="#essay-{third.id}"]')
    assert page.get_attribute(essay_selector(str(third.id)), "aria-current") == "true"
    page.keyboard.press("n")
    page.wait_for_selector(_decided_for(str(third.id), None, decision="decided"))
    assert StudentAssociation.objects.get(pk=third.id).student_id is None
    assert page.get_attribute(essay_selector(first_selected), "data-decision") == "pending"

    # Every decision button names its essay (and student), not 24 × "Accept a".
    anna_card = essay_selector(str(batch.essays.get(original_filename="Uppsats (1).txt").id))
    label = page.get_attribute(f"{anna_card} .suggestion [data-decide]", "aria-label")
    assert "Anna Berg" in label and "Uppsats (1).txt" in label
    assert "Uppsats (1).txt" in page.get_attribute(f"{anna_card} button.no-student", "aria-label")
    assert page.get_attribute("progress", "aria-labelledby") == "review-progress-text"

    # A key never acts on an essay scrolled out of view: it is brought back instead.
    page.click(f"{anna_card} .filename")
    page.set_viewport_size({"width": 1200, "height": 300})
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate(f"document.querySelector('{anna_card}').getBoundingClientRect().top") > 300
    page.keyboard.press("a")
    page.locator("[data-announce]", has_text="not in view").wait_for()
    assert page.get_attribute(anna_card, "data-decision") == "pending"


def test_review_five_quick_a_presses_make_five_decisions_in_order(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("ludvig")
    batch = outside_the_browser_loop(_high_batch, teacher, 6)
    login(browser_context.new_page(), "ludvig", "pw-ludvig")
    page = _open_review(browser_context, batch)
    order = _page_order(page)
    assert _selected(page) == order[0]
    for _ in range(5):
        page.keyboard.press("a")
        page.wait_for_timeout(120)
    for essay_id in order[:5]:
        page.wait_for_selector(essay_selector(essay_id, decision="decided"))
    assert page.get_attribute(essay_selector(order[5]), "data-decision") == "pending"
    decided = list(StudentAssociation.objects.filter(batch=batch).exclude(method="")
                   .order_by("decided_at").values_list("essay_id", "student_id"))
    assert [str(essay_id) for essay_id, _ in decided] == order[:5]  # these five, in this order
    tops = dict(batch.essays.values_list("id", "suggestions__student_id").filter(suggestions__rank=1))
    assert all(student_id == tops[essay_id] for essay_id, student_id in decided)
    # One toast per decision, naming the essay and the student.
    toasts = page.locator("[data-toasts] .toast").all_inner_texts()
    assert len(toasts) == 5 and "Uppsats (1).txt" in toasts[0] and "Anna Berg" in toasts[0]


def test_review_undo_restores_the_previous_decision_also_in_a_second_tab(browser_context: Any,
                                                                         make_teacher: Any):
    teacher = make_teacher("maria")
    batch = outside_the_browser_loop(_high_batch, teacher, 3)
    login(browser_context.new_page(), "maria", "pw-maria")
    page = _open_review(browser_context, batch)
    second_tab = _open_review(browser_context, batch)
    essay_id = _selected(page)

    # A first decision, undone: the essay is undecided again (version 2), in both tabs.
    page.keyboard.press("a")
    second_tab.wait_for_selector(essay_selector(essay_id, decision="decided", version="1"))
    page.click("[data-toasts] [data-undo]")
    page.wait_for_selector(essay_selector(essay_id, decision="pending", version="2"))
    second_tab.wait_for_selector(essay_selector(essay_id, decision="pending", version="2"))
    association = StudentAssociation.objects.get(pk=essay_id)
    assert (association.method, association.student_id) == ("", None)

    # A correction, undone: back to the student it had before, in both tabs.
    page.click(f"{essay_selector(essay_id)} .filename")
    page.keyboard.press("a")
    page.wait_for_selector(essay_selector(essay_id, decision="decided", version="3"))
    before = StudentAssociation.objects.get(pk=essay_id).student_id
    vera = batch.school_class.students.get(first_name="Vera")
    page.click(f"{essay_selector(essay_id)} [data-change]")
    page.fill(f"{essay_selector(essay_id)} [data-picker-input]", "vera")
    page.keyboard.press("Enter")
    second_tab.wait_for_selector(_decided_for(essay_id, vera.id, version="4"))
    page.locator("[data-toasts] .toast", has_text="Vera Sjöberg").locator("[data-undo]").click()
    second_tab.wait_for_selector(_decided_for(essay_id, before, version="5"))
    page.wait_for_selector(_decided_for(essay_id, before, version="5"))
    withdrawn = BatchEvent.objects.filter(batch_id=batch.id, event_type="student.association.withdrawn")
    assert withdrawn.count() == 1


def test_review_triage_puts_what_needs_the_teacher_first(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("nils")
    batch = outside_the_browser_loop(_swedish_batch, teacher, [
        ("Uppsats (10).txt", _header("Anna", "Berg")),
        ("Uppsats (2).txt", _header("Sara", "Lind")),
        ("Uppsats (1).txt", "Min sommar\n\nIngen har skrivit sitt namn här."),
        ("Uppsats (11).txt", _header("Hugo", "Eriksson")),  # not on the roster
        ("Uppsats (3).txt", _header("Elin", "Ström")),
        ("Uppsats (12).txt", "En text utan namn om vintern.\n\nSlut."),
    ])
    login(browser_context.new_page(), "nils", "pw-nils")
    page = _open_review(browser_context, batch)
    assert _filenames(batch, _page_order(page)) == [
        "Uppsats (1).txt", "Uppsats (11).txt", "Uppsats (12).txt",  # need attention, natural order
        "Uppsats (2).txt", "Uppsats (3).txt", "Uppsats (10).txt",  # sure matches
    ]
    hugo_card = essay_selector(str(batch.essays.get(original_filename="Uppsats (11).txt").id))
    assert page.locator(f"{hugo_card} [data-not-on-roster]").count() == 1
    badge = page.locator('#review-essays > [data-strength="none"] [data-strength-badge]').first
    assert badge.inner_text() == "No suggestion"

    # Accept-all: the sure matches collapse to compact rows; "needs me" shows only the rest.
    page.click("[data-accept-high]")
    page.wait_for_selector("[data-accept-high]", state="detached")  # nothing high is left
    page.locator("#review-essays > .essay.compact").nth(2).wait_for()
    page.click("[data-needs-me-filter]")
    visible = page.eval_on_selector_all("#review-essays > [data-essay-id]",
                                        "els => els.filter(e => e.offsetParent).map(e => e.dataset.essayId)")
    assert _filenames(batch, visible) == ["Uppsats (1).txt", "Uppsats (11).txt", "Uppsats (12).txt"]

    # "Add to the roster" adds Hugo and matches again: his essay gets him as a suggestion.
    page.click(f"{hugo_card} [data-add-to-roster]")
    page.locator("[data-toasts] .toast", has_text="Hugo Eriksson").wait_for()
    hugo = batch.school_class.students.get(first_name="Hugo")
    page.wait_for_selector(f'{hugo_card}[data-suggested-student-id="{hugo.id}"]')

    # "n" says no student and moves on to the next undecided essay; so does "u", without deciding.
    order = _page_order(page)
    page.click(f"{essay_selector(order[0])} .filename")
    page.keyboard.press("n")
    assert _selected(page) == order[1]
    page.keyboard.press("u")
    assert _selected(page) == order[2]
    # Decided, and so hidden by the "needs me" filter that is on: in the page, not on screen.
    page.wait_for_selector(essay_selector(order[0], decision="decided"), state="attached")
    assert page.get_attribute(essay_selector(order[1]), "data-decision") == "pending"


def test_review_picker_knows_swedish_prefixes_and_nicknames(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("oskar.larare")
    batch = outside_the_browser_loop(_swedish_batch, teacher, [
        ("Uppsats (1).txt", "En text utan namn.\n\nSlut."), ("Uppsats (2).txt", _header("Anna", "Berg"))])
    login(browser_context.new_page(), "oskar.larare", "pw-oskar.larare")
    page = _open_review(browser_context, batch)
    card = essay_selector(str(batch.essays.get(original_filename="Uppsats (1).txt").id))
    picker = page.locator(f"{card} [data-picker-input]")
    results = f"{card} [data-picker-results] [data-picker-option] strong"

    def names(query: str) -> list[str]:
        picker.fill(query)
        page.wait_for_selector(f"{card} [data-picker-results]:not([hidden])")
        return page.locator(results).all_inner_texts()

    # "ö" is a letter of its own: the names with an ö (Öberg first: a prefix), never the o-names.
    found = names("ö")
    assert found[0] == "Maja Öberg" and set(found) == {"Maja Öberg", "Vera Sjöberg", "Elin Ström"}
    assert names("öb") == ["Maja Öberg", "Vera Sjöberg"]  # the prefix first, then inside a name
    # Plain letters find a diacritic name only when no name has them as typed.
    assert names("oberg") == ["Maja Öberg", "Vera Sjöberg"]
    assert names("ol")[0] == "Olle Olsson"
    # A prefix of a first or last name ranks first: Anna before Johanna.
    assert names("anna") == ["Anna Berg", "Johanna Ek"]
    # The engine's nicknames: Kalle is Karl.
    assert names("kalle") == ["Karl Nilsson"]
    # Enter picks the top result.
    names("anna")
    page.keyboard.press("Enter")
    anna = batch.school_class.students.get(first_name="Anna")
    page.wait_for_selector(f'{card}[data-decision="decided"] [data-decided-student-id="{anna.id}"]')


def test_review_shortcuts_can_be_switched_off_and_stay_off(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("petra")
    batch = outside_the_browser_loop(_high_batch, teacher, 2)
    login(browser_context.new_page(), "petra", "pw-petra")
    page = _open_review(browser_context, batch)
    page.uncheck("[data-shortcuts-switch]")
    assert page.is_hidden("[data-keys-help]")
    page.reload()
    page.wait_for_selector('[data-live-state="live"]')
    assert not page.is_checked("[data-shortcuts-switch]")
    page.keyboard.press("a")
    page.wait_for_timeout(500)  # nothing may happen: there is no element to wait for
    assert page.locator('[data-decision="decided"]').count() == 0
    assert not StudentAssociation.objects.filter(batch=batch).exclude(method="").exists()
    # A touch screen shows no keyboard hints.
    touch = browser_context.browser.new_context(base_url=page.url.split("/batches/")[0], has_touch=True,
                                                is_mobile=True, viewport={"width": 390, "height": 844})
    touch.add_cookies(browser_context.cookies())
    mobile = touch.new_page()
    mobile.goto(f"/batches/{batch.id}/review/")
    mobile.wait_for_selector("[data-essay-id]")
    assert mobile.is_hidden("[data-keys-help]") and mobile.is_hidden(".essay kbd >> nth=0")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scroll
    # Every control a finger uses is at least 44 px high.
    heights = mobile.eval_on_selector_all(
        "button, input:not([type=checkbox]):not([type=radio]), select",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights
    # The search box never pushes "No student" out of its card.
    pending = mobile.locator('#review-essays > [data-decision="pending"]').first
    card_box, button_box = pending.bounding_box(), pending.locator("button.no-student").bounding_box()
    assert button_box["x"] + button_box["width"] <= card_box["x"] + card_box["width"]
    touch.close()


# =============================================================================================
# Upload and roster pages, Swedish pages, accessibility (axe-core) and the offline API docs.
# =============================================================================================

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RAW_STATE = re.compile(r"\b[A-Z]{3,}(?:_[A-Z]{2,})+\b")  # AWAITING_STUDENT_VALIDATION and the like
# Words of the English pages that a Swedish page must not show (user data here is Swedish).
ENGLISH_WORDS = [
    "the", "and", "of", "your", "with", "Upload", "Uploading", "Batch", "Batches", "Classes", "Class",
    "Roster", "Student", "Students", "student", "students", "Essay", "Essays", "essay", "essays",
    "Waiting", "Review", "Live", "Log out", "Log in", "filename", "Line", "Row", "Cancel", "Delete",
    "Remove", "Replace", "Import", "Save", "Edit", "Change", "Received", "Not found", "Page", "Needs review",
    "No student", "Accept", "Ready", "Decided", "Deadline", "Reason", "Result", "File", "Files", "Code",
    "High confidence", "Finish", "late", "Unreadable", "empty", "missing", "Username", "Password",
]
ENGLISH = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")\b")


def _teacher_class_and_batches(teacher: Any) -> dict[str, Any]:
    """A class with its roster, a batch awaiting review and a batch waiting for essays."""
    reviewed = _batch_awaiting_validation(teacher)
    waiting = batch_register(owner=teacher, course_code="SVE9", expected_essay_count=3,
                             school_class=reviewed.school_class)
    essays_upload(batch=waiting, files=[txt_file("tom.txt", "")])  # a recorded failure: empty
    return {"class": reviewed.school_class, "review": reviewed, "upload": waiting}


def _pages_of(setup: dict[str, Any]) -> dict[str, str]:
    return {
        "dashboard": "/",
        "classes": "/classes/",
        "class": f"/classes/{setup['class'].id}/",
        "class import": "/classes/import/",
        "upload": f"/batches/{setup['upload'].id}/upload/",
        "review": f"/batches/{setup['review'].id}/review/",
        "codes": f"/batches/{setup['review'].id}/codes/",
    }


def _show_import_errors(page: Any) -> None:
    """Import a roster file whose rows are refused, with long cells: the error table shows."""
    long_cell = "en-mycket-lång-adress-utan-snabel-a-" * 4
    page.set_input_files("[data-roster-file]", files=[{
        "name": "k.csv", "mimeType": "text/csv",
        "buffer": f"förnamn;efternamn;e-post\nBo;Ek;inte-en-adress\nIda;Berg;{long_cell}\n".encode()}])
    page.click("[data-roster-import] button[type=submit]")
    page.wait_for_selector("[data-import-errors]:not([hidden])")


def _confirming(page: Any, answer: bool) -> list[str]:
    """Answer every confirm() of the page; the questions asked, in order."""
    asked: list[str] = []

    def reply(dialog: Any) -> None:
        asked.append(dialog.message)
        (dialog.accept if answer else dialog.dismiss)()

    page.on("dialog", reply)
    return asked


def test_upload_page_states_follow_the_batch(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("klara")
    school_class = outside_the_browser_loop(class_create, owner=teacher, name="9K")
    outside_the_browser_loop(students_create_many, school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": None},
        {"first_name": "Erik", "last_name": "Andersson", "email": None},
    ])
    batch = outside_the_browser_loop(batch_register, owner=teacher, course_code="SVE4",
                                     expected_essay_count=3, school_class=school_class)
    page = browser_context.new_page()
    login(page, "klara", "pw-klara")
    page.goto(f"/batches/{batch.id}/upload/")
    chip = page.locator("[data-status-label]")
    assert chip.inner_text() == "Waiting for essays"
    page.set_input_files("[data-file-input]", [
        essay_file("asa.txt", "Namn: Åsa Sjöström\n\nText om sommaren.".encode(), "text/plain"),
    ])
    page.wait_for_selector('[data-upload-result="PROVISIONED"]')
    page.locator("[data-upload-count]", has_text="1").wait_for()

    # Finishing early asks first, and says how many essays are missing; "no" changes nothing.
    asked = _confirming(page, answer=False)
    page.click("[data-finalize]")
    assert len(asked) == 1 and "1 of 3" in asked[0] and "2 essays are missing" in asked[0]
    batch.refresh_from_db()
    assert batch.status == "AWAITING_CONTENT" and page.is_visible("[data-dropzone]")

    # The last expected file: the chip says what the batch is, the drop zone and "Finish" go.
    page.set_input_files("[data-file-input]", [
        essay_file("erik.txt", b"Namn: Erik Andersson\n\nText om vintern.", "text/plain"),
        essay_file("tom.txt", b"", "text/plain"),
    ])
    page.wait_for_selector("[data-next-step]:not([hidden])")
    page.wait_for_selector('[data-batch-status="AWAITING_STUDENT_VALIDATION"]')
    assert chip.inner_text() == "Awaiting your review"
    assert page.is_hidden("[data-dropzone]") and page.is_hidden("[data-finalize]")
    assert page.is_visible("[data-add-late]")
    failed = page.locator('[data-upload-result="FAILED"]')
    assert "The file is empty or holds no text." in failed.inner_text()
    assert not RAW_STATE.search(page.inner_text("main"))

    # A late essay is added only on request.
    page.click("[data-show-dropzone]")
    assert page.is_visible("[data-dropzone]") and page.is_visible("[data-late-notice]")
    page.set_input_files("[data-file-input]", [
        essay_file("sen.txt", "Namn: Åsa Sjöström\n\nEn sen text om hösten.".encode(), "text/plain"),
    ])
    page.locator('[data-upload-result="PROVISIONED"]', has_text="late essay").wait_for()
    page.screenshot(path=str(ARTIFACTS / "upload-states.png"), full_page=True)


def test_finishing_early_goes_on_with_the_essays_received(browser_context: Any, make_teacher: Any):
    teacher = make_teacher("lisa")
    batch = outside_the_browser_loop(batch_register, owner=teacher, course_code="ENG8",
                                     expected_essay_count=28)
    outside_the_browser_loop(essays_upload, batch=batch, files=[
        txt_file(f"uppsats{i}.txt", f"Text nummer {i} om havet.") for i in range(3)])
    page = browser_context.new_page()
    login(page, "lisa", "pw-lisa")
    page.goto(f"/batches/{batch.id}/upload/")
    asked = _confirming(page, answer=True)
    page.click("[data-finalize]")
    page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')
    assert "3 of 28" in asked[0] and "25 essays are missing" in asked[0]
    assert page.inner_text("[data-status-label]") == "Ready"
    assert page.is_hidden("[data-finalize]") and page.is_hidden("[data-dropzone]")


def test_roster_is_edited_in_the_page_and_reimported_as_an_upsert(
    browser_context: Any, make_teacher: Any, tmp_path: Any
):
    teacher = make_teacher("maria")
    setup = outside_the_browser_loop(_teacher_class_and_batches, teacher)
    school_class = setup["class"]
    page = browser_context.new_page()
    login(page, "maria", "pw-maria")
    page.goto(f"/classes/{school_class.id}/")

    export = tmp_path / "klasslista.csv"
    export.write_bytes("Namn;E-post\nÅsa Sjöström;asa.sjostrom@skola.example.se\nErik Andersson;\n"
                       "Lindqvist, Elsa;elsa@skola.example.se\nNils Holm;\n".encode("utf-8-sig"))
    page.set_input_files("[data-roster-file]", str(export))
    page.click("[data-roster-import] button[type=submit]")
    summary = page.locator("[data-import-summary]")
    summary.filter(has_text="2 added").wait_for()
    assert "2 already on the roster" in summary.inner_text()  # Åsa by e-mail, Erik by name
    page.locator("[data-roster] tbody tr[data-student-id]").nth(3).wait_for()
    assert page.locator("[data-roster] tbody tr[data-student-id]").count() == 4

    # The same file again: nothing new, nothing red.
    page.set_input_files("[data-roster-file]", str(export))
    page.click("[data-roster-import] button[type=submit]")
    summary.filter(has_text="4 already on the roster").wait_for()
    assert summary.get_attribute("class") == "success" and page.is_hidden("[data-import-errors]")

    # A wrong header names the headers it found.
    wrong = tmp_path / "fel.csv"
    wrong.write_bytes(b"Personnummer;Klass\n1;9C\n")
    page.set_input_files("[data-roster-file]", str(wrong))
    page.click("[data-roster-import] button[type=submit]")
    summary.filter(has_text="“Personnummer”, “Klass”").wait_for()

    # Edit a student in place.
    nils = school_class.students.get(first_name="Nils")
    row = page.locator(f'[data-roster] tr[data-student-id="{nils.id}"]')
    row.locator("[data-edit-student]").click()
    row.locator("input[name=first_name]").fill("Nisse")
    row.locator("input[name=email]").fill("nisse.holm@skola.example.se")
    row.locator("[data-save-student]").click()
    page.locator("[data-roster-status]", has_text="Nisse Holm was saved.").wait_for()
    assert row.locator("[data-field=first_name]").inner_text() == "Nisse"
    nils.refresh_from_db()
    assert (nils.first_name, nils.email) == ("Nisse", "nisse.holm@skola.example.se")

    # Remove: a student nobody's essay points to goes; one suggested in an open batch stays.
    asked = _confirming(page, answer=True)
    row.locator("[data-remove-student]").click()
    row.wait_for(state="detached")
    assert asked == ["Remove Nisse Holm from the roster?"]
    assert not school_class.students.filter(pk=nils.id).exists()
    asa = school_class.students.get(first_name="Åsa")
    page.click(f'[data-roster] tr[data-student-id="{asa.id}"] [data-remove-student]')
    status = page.locator("[data-roster-status].error")
    status.wait_for()
    assert "Åsa Sjöström cannot be removed" in status.inner_text()
    assert page.locator(f'[data-roster] tr[data-student-id="{asa.id}"]').count() == 1
    page.screenshot(path=str(ARTIFACTS / "roster-edit.png"), full_page=True)


def test_swedish_pages_show_no_english(browser: Any, asgi_server: str, make_teacher: Any):
    teacher = make_teacher("nora")
    setup = outside_the_browser_loop(_teacher_class_and_batches, teacher)
    context = browser.new_context(base_url=asgi_server, locale="sv-SE",
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        leftovers = {"login": ENGLISH.findall(page.inner_text("body"))}
        login(page, "nora", "pw-nora")
        for name, url in {**_pages_of(setup), "404": "/batches/finns-inte/review/"}.items():
            page.goto(url)
            if name == "class":  # the import's error table, too
                _show_import_errors(page)
            if name == "review":
                page.wait_for_selector('[data-live-state="live"]')
            text = page.inner_text("body")
            leftovers[name] = ENGLISH.findall(text) + RAW_STATE.findall(text)
            page.screenshot(path=str(ARTIFACTS / f"sv-{name.replace(' ', '-')}.png"), full_page=True)
        assert {name: words for name, words in leftovers.items() if words} == {}
        page.goto(f"/classes/{setup['class'].id}/")
        headers = page.locator("[data-import-errors] th").all_text_contents()
        assert headers == ["Rad", "Problem", "Radens innehåll"]
    finally:
        context.close()


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate("""() => axe.run(document, {
        runOnly: {type: "tag",
                  values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    })""")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1366, 390])
def test_pages_pass_axe_and_fit_the_screen(browser: Any, asgi_server: str, make_teacher: Any, width: int):
    assert AXE_SOURCE.exists(), "axe-core is missing: run `npm ci` (scripts/test does)"
    teacher = make_teacher(f"olle{width}")
    setup = outside_the_browser_loop(_teacher_class_and_batches, teacher)
    # The accessibility engine is injected as a script: this context lets it past the pages' CSP.
    context = browser.new_context(base_url=asgi_server, viewport={"width": width, "height": 900},
                                  locale="en-US", bypass_csp=True, has_touch=width < 500)
    page = context.new_page()
    problems: dict[str, Any] = {}
    try:
        page.goto("/accounts/login/")
        pages = {"login": None, **_pages_of(setup)}
        for name, url in pages.items():
            if url is None:
                pass
            elif name == "dashboard":
                login(page, f"olle{width}", f"pw-olle{width}")
            else:
                page.goto(url)
            if name == "review":
                page.wait_for_selector('[data-live-state="live"]')
            if name == "class":  # the error table of an import must fit too
                _show_import_errors(page)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems[f"{name}: wider than the screen by"] = overflow
            if name in ("login", "dashboard", "class", "upload", "review"):
                violations = _axe_violations(page)
                if violations:
                    problems[f"{name}: axe"] = violations
            if name != "login":
                logout = page.locator("header form[action$='/logout/'] button").bounding_box()
                if logout is None or logout["x"] + logout["width"] > width or logout["height"] < 24:
                    problems[f"{name}: Log out out of reach"] = logout
            page.screenshot(path=str(ARTIFACTS / f"{name.replace(' ', '-')}-{width}.png"), full_page=True)
        assert problems == {}
    finally:
        context.close()


def test_api_docs_render_with_no_request_leaving_the_server(browser_context: Any, make_teacher: Any):
    make_teacher("pia")
    page = browser_context.new_page()
    login(page, "pia", "pw-pia")
    elsewhere: list[str] = []

    origin = page.url.split("/", 3)[:3]

    def only_this_server(route: Any) -> None:
        if route.request.url.split("/", 3)[:3] == origin:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title", has_text="HuleEdu Phase 1 API").wait_for()
    page.locator(".swagger-ui .opblock").nth(10).wait_for()  # the operations are listed
    assert elsewhere == []
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
