"""The teacher pages through Django's test client: access, forms, hooks, escaping, language."""

from __future__ import annotations

import pytest
from django.test import Client

from batches.models import Batch
from batches.services import batch_cancel, batch_register, pipeline_request
from classroster.models import SchoolClass
from classroster.services import class_create, students_create_many
from essays.services import essays_upload
from huleedu.templatetags.huleedu_ui import highlight
from matching.services import association_decide, batch_timeout_apply
from tests.conftest import CommittingClient, as_committed, txt_file

pytestmark = pytest.mark.django_db

SCRIPT = "<script>window.pwned = 1</script>"


@pytest.fixture
def browser_client(teacher) -> Client:
    client = CommittingClient()
    client.force_login(teacher)
    return client


def regular_batch_with_suggestions(teacher, *, essays: list[tuple[str, str]]) -> Batch:
    school_class = class_create(owner=teacher, name="9B")
    students_create_many(school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": "asa.sjostrom@skola.example.se"},
        {"first_name": "Erik", "last_name": "Andersson", "email": "erik.andersson@skola.example.se"},
        {"first_name": "Elsa", "last_name": "Lindqvist", "email": None},
    ])
    with as_committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=len(essays),
                               school_class=school_class)
        essays_upload(batch=batch, files=[txt_file(name, text) for name, text in essays])
    batch.refresh_from_db()
    return batch


def test_pages_need_a_login(client):
    for url in ["/", "/classes/", "/batches/new/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_dashboard_lists_batches_and_creates_one(browser_client, teacher):
    school_class = class_create(owner=teacher, name="9B")
    page = browser_client.get("/")
    assert page.status_code == 200 and b"No batches yet." in page.content
    created = browser_client.post("/batches/new/", {
        "course_code": "SVE1", "expected_essay_count": 3, "school_class": str(school_class.id),
    })
    batch = Batch.objects.get(course_code="SVE1")
    assert created.status_code == 302 and created.url == f"/batches/{batch.id}/upload/"
    assert batch.school_class_id == school_class.id
    assert f'data-batch-row="{batch.id}"'.encode() in browser_client.get("/").content


def test_batch_form_reports_the_limit(browser_client, settings):
    settings.MAX_ESSAYS_PER_BATCH = 5
    page = browser_client.post("/batches/new/", {"course_code": "SVE1", "expected_essay_count": 6})
    assert page.status_code == 200 and not Batch.objects.exists()
    assert b"errorlist" in page.content


def test_guest_batch_from_the_form_goes_to_its_upload_page(browser_client):
    created = browser_client.post("/batches/new/", {"course_code": "ENG5", "expected_essay_count": 2})
    batch = Batch.objects.get()
    assert batch.school_class is None
    upload = browser_client.get(created.url)
    assert upload.status_code == 200
    assert b'data-batch-status="AWAITING_CONTENT"' in upload.content
    assert b"data-file-input" in upload.content


def test_class_pages_create_a_class_and_add_a_student(browser_client, teacher):
    created = browser_client.post("/classes/", {"name": "9B"})
    school_class = SchoolClass.objects.get(owner=teacher)
    assert created.url == f"/classes/{school_class.id}/"
    duplicate = browser_client.post("/classes/", {"name": "9B"})
    assert duplicate.status_code == 200 and b"already have a class" in duplicate.content
    added = browser_client.post(created.url, {"first_name": "Åsa", "last_name": SCRIPT, "email": ""})
    assert added.status_code == 302
    page = browser_client.get(created.url).content.decode()
    assert "&lt;script&gt;window.pwned" in page and SCRIPT not in page
    assert f"/api/v1/classes/{school_class.id}/students/import/" in page


def test_another_teachers_pages_are_not_found(browser_client, make_teacher):
    other = make_teacher("bertil")
    their_class = class_create(owner=other, name="7A")
    their_batch = batch_register(owner=other, course_code="X", expected_essay_count=1)
    assert browser_client.get(f"/classes/{their_class.id}/").status_code == 404
    for suffix in ["upload/", "review/", "review/live/"]:
        assert browser_client.get(f"/batches/{their_batch.id}/{suffix}").status_code == 404
    assert browser_client.get("/batches/not-a-uuid/review/").status_code == 404


def test_review_page_carries_the_stable_hooks(browser_client, teacher):
    batch = regular_batch_with_suggestions(teacher, essays=[
        ("asa.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nMin sommar var lång."),
        ("okand.txt", "En text utan namn om havet."),
    ])
    assert batch.status == "AWAITING_STUDENT_VALIDATION"
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    assert 'data-batch-status="AWAITING_STUDENT_VALIDATION"' in page
    essays = {e.original_filename: e for e in batch.essays.all()}
    asa = essays["asa.txt"]
    top = asa.suggestions.order_by("rank").first()
    assert f'data-essay-id="{asa.id}" data-decision="pending"' in page
    assert f'data-suggested-student-id="{top.student_id}"' in page
    assert "<mark>" in page  # the evidence is highlighted
    assert "0 of 2 decided" in page
    assert "data-unattributed-students" in page  # Erik and Elsa wrote nothing

    association_decide(batch_id=batch.id, essay_id=asa.id, student_id=top.student_id, decided_by=teacher)
    fragment = browser_client.get(f"/batches/{batch.id}/review/live/").content.decode()
    assert f'data-essay-id="{asa.id}" data-decision="decided"' in fragment
    assert "1 of 2 decided" in fragment
    assert "<html" not in fragment


def test_review_page_escapes_what_students_wrote(browser_client, teacher):
    batch = regular_batch_with_suggestions(teacher, essays=[
        (f"{SCRIPT}.txt", f"Namn: Åsa Sjöström\n{SCRIPT}\nText."),
    ])
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page


def test_two_essays_claiming_one_student_are_flagged(browser_client, teacher):
    batch = regular_batch_with_suggestions(teacher, essays=[
        ("a.txt", "Namn: Åsa Sjöström\n\nText ett."),
        ("b.txt", "Namn: Åsa Sjöström\n\nText två."),
    ])
    essays = list(batch.essays.all())
    asa = batch.school_class.students.get(last_name="Sjöström")
    for essay in essays:  # the teacher said yes to a second essay: flagged, not refused
        association_decide(batch_id=batch.id, essay_id=essay.id, student_id=asa.id, decided_by=teacher,
                           allow_second_essay=True)
    batch.refresh_from_db()
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    assert "data-claimed-twice" in page and page.count("claimed-twice") >= 2


def test_highlight_escapes_and_marks():
    html = highlight("Namn: <b>Åsa</b> Sjöström", "åsa")
    assert str(html) == "Namn: &lt;b&gt;<mark>Åsa</mark>&lt;/b&gt; Sjöström"
    assert str(highlight(SCRIPT, "")) == "&lt;script&gt;window.pwned = 1&lt;/script&gt;"


def test_the_pages_speak_swedish(browser_client):
    switched = browser_client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert switched.status_code == 302
    page = browser_client.get("/").content.decode()
    assert '<html lang="sv">' in page
    assert "Dina omgångar" in page and "Logga ut" in page


# --- fixing mistakes: the lifecycle on the pages ----------------------------------------------


def ready_after_timeout(teacher) -> Batch:
    """Åsa's essay confirmed by the deadline (high), the unnamed essay left without a student, flagged."""
    batch = regular_batch_with_suggestions(teacher, essays=[
        ("asa.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nMin sommar var lång."),
        ("okand.txt", "En text utan namn om havet."),
    ])
    batch_timeout_apply(batch_id=batch.id, force=True)
    batch.refresh_from_db()
    assert batch.status == "READY_FOR_PIPELINE_EXECUTION"
    return batch


def test_ready_summary_names_flagged_essays_and_essays_without_a_student(browser_client, teacher):
    batch = ready_after_timeout(teacher)
    essays = {e.original_filename: e for e in batch.essays.all()}
    unnamed, asa = essays["okand.txt"], essays["asa.txt"]
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    flagged = page.split("data-flagged-essays", 1)[1].split("</div>", 1)[0]
    without = page.split("data-essays-without-student", 1)[1].split("</div>", 1)[0]
    assert f'href="#essay-{unnamed.id}"' in flagged and f'href="#essay-{asa.id}"' not in flagged
    assert f'href="#essay-{unnamed.id}"' in without and "okand.txt" in without
    assert f'id="essay-{unnamed.id}"' in page  # the link's target
    # Timeout decisions can be changed: each decided card has "Change" and the version it shows.
    assert page.count("data-change ") == 2
    assert f'data-essay-id="{unnamed.id}" data-decision="decided"' in page
    assert 'data-version="1"' in page
    assert "data-send-for-assessment" in page and "data-cancel-batch" in page and "data-delete-batch" in page
    assert f"/api/v1/batches/{batch.id}/attributions.csv" in page
    assert "data-rematch>" not in page and "data-deadline-form" not in page  # validation is over

    # A correction bumps the version the card carries.
    association_decide(batch_id=batch.id, essay_id=unnamed.id, student_id=None, decided_by=teacher,
                       expected_version=1)
    fragment = browser_client.get(f"/batches/{batch.id}/review/live/").content.decode()
    card = fragment.split(f'data-essay-id="{unnamed.id}"', 1)[1].split(">", 1)[0]
    assert 'data-version="2"' in card
    assert "data-flagged-essays" not in fragment  # the teacher's own decision is not flagged


def test_validation_offers_rematch_deadline_and_change_controls(browser_client, teacher):
    batch = regular_batch_with_suggestions(teacher, essays=[
        ("asa.txt", "Namn: Åsa Sjöström\nKlass: 9B\n\nMin sommar var lång."),
        ("okand.txt", "En text utan namn om havet."),
    ])
    asa = batch.essays.get(original_filename="asa.txt")
    association_decide(batch_id=batch.id, essay_id=asa.id, student_id=asa.suggestions.get(rank=1).student_id,
                       decided_by=teacher)
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    assert "data-rematch>" in page and 'type="datetime-local"' in page and 'for="deadline-input"' in page
    assert "data-send-for-assessment" not in page
    decided_card = page.split(f'data-essay-id="{asa.id}"', 1)[1].split("</li>\n</ol>", 1)[0]
    assert "data-change " in decided_card and "data-change-cancel" in decided_card
    assert 'class="decide change-only"' in decided_card  # the picker stays folded until "Change"
    assert "data-notice" not in page


def test_notices_for_failed_matching_overdue_and_cancelled(browser_client, teacher):
    batch = regular_batch_with_suggestions(teacher, essays=[("okand.txt", "En text utan namn.")])
    Batch.objects.filter(pk=batch.id).update(matching_failed=True, timeout_strategy="none")
    page = browser_client.get(f"/batches/{batch.id}/review/live/").content.decode()
    assert 'data-notice="matching-failed"' in page and "decide each essay by hand" in page
    assert 'data-notice="overdue"' not in page

    batch_timeout_apply(batch_id=batch.id, force=True)  # strategy "none": nothing decided, overdue
    page = browser_client.get(f"/batches/{batch.id}/review/live/").content.decode()
    assert 'data-notice="overdue"' in page and 'data-decision="pending"' in page

    batch_cancel(batch_id=batch.id, cancelled_by=teacher)
    page = browser_client.get(f"/batches/{batch.id}/review/live/").content.decode()
    assert 'data-notice="cancelled"' in page and 'data-batch-status="CANCELLED"' in page
    assert "data-cancel-batch" not in page and "data-delete-batch" in page
    assert "data-change" not in page and "data-decide" not in page and "data-accept-high" not in page
    upload = browser_client.get(f"/batches/{batch.id}/upload/").content.decode()
    closed = upload.split("data-uploads-closed", 1)[1].split("</p>", 1)[0]
    assert "hidden" not in closed.split(">", 1)[0] and "cancelled" in closed
    assert "data-dropzone for=\"essay-files\" hidden" in upload
    assert "data-remove-essay" not in upload


def test_upload_page_takes_late_essays_and_offers_remove_and_replace(browser_client, teacher):
    batch = ready_after_timeout(teacher)
    page = browser_client.get(f"/batches/{batch.id}/upload/").content.decode()
    notice = page.split("data-late-notice", 1)[1].split("</p>", 1)[0]
    assert "hidden" not in notice.split(">", 1)[0] and "added as late essays" in notice
    assert "data-finalize>" not in page
    for essay in batch.essays.all():
        assert f'data-remove-essay="{essay.id}"' in page and f'data-replace-essay="{essay.id}"' in page
    assert f"/api/v1/batches/{batch.id}/essays/__essay__/" in page

    awaiting = batch_register(owner=teacher, course_code="SVE2", expected_essay_count=3)
    page = browser_client.get(f"/batches/{awaiting.id}/upload/").content.decode()
    assert "data-finalize>" in page
    assert page.split("data-late-notice", 1)[1].split(">", 1)[0].strip().startswith("hidden")


def test_sent_batch_still_takes_corrections_but_no_uploads(browser_client, teacher):
    batch = ready_after_timeout(teacher)
    pipeline_request(batch_id=batch.id, pipeline=["cj_assessment"], requested_by=teacher)
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    assert 'data-notice="sent"' in page and page.count("data-change ") == 2
    assert "data-send-for-assessment" not in page and "data-cancel-batch" not in page
    upload = browser_client.get(f"/batches/{batch.id}/upload/").content.decode()
    assert "sent for assessment: uploads are closed" in upload and "data-remove-essay" not in upload


def test_the_lifecycle_controls_speak_swedish(browser_client, teacher):
    batch = ready_after_timeout(teacher)
    browser_client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    page = browser_client.get(f"/batches/{batch.id}/review/").content.decode()
    for english in ["Send for assessment", "Cancel batch", "Delete batch", "Download attributions (CSV)",
                    "Essays without a student", "Yes, they wrote both", ">Change<"]:
        assert english not in page, english
    for swedish in ["Skicka för bedömning", "Avbryt omgången", "Radera omgången", "Uppsatser utan elev",
                    "Ja, eleven skrev båda", ">Ändra<"]:
        assert swedish in page, swedish
    upload = browser_client.get(f"/batches/{batch.id}/upload/").content.decode()
    assert "This batch already went to matching" not in upload and "Remove" not in upload
    assert "läggs till som sena uppsatser" in upload and ">Ta bort<" in upload
