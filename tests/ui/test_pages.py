"""The teacher pages through Django's test client: access, forms, hooks, escaping, language."""

from __future__ import annotations

import pytest
from django.test import Client

from batches.models import Batch
from batches.services import batch_register
from classroster.models import SchoolClass
from classroster.services import class_create, students_create_many
from essays.services import essays_upload
from huleedu.templatetags.huleedu_ui import highlight
from matching.services import association_decide
from tests.conftest import txt_file

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = "<script>window.pwned = 1</script>"


@pytest.fixture
def browser_client(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


def regular_batch_with_suggestions(teacher, *, essays: list[tuple[str, str]]) -> Batch:
    school_class = class_create(owner=teacher, name="9B")
    students_create_many(school_class=school_class, rows=[
        {"first_name": "Åsa", "last_name": "Sjöström", "email": "asa.sjostrom@skola.example.se"},
        {"first_name": "Erik", "last_name": "Andersson", "email": "erik.andersson@skola.example.se"},
        {"first_name": "Elsa", "last_name": "Lindqvist", "email": None},
    ])
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
