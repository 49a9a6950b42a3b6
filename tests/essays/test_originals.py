"""The uploaded original of each essay: kept with Django's storage API, opened only by the
batch's owner, and gone from storage with the essay, the batch, or the batch's cancellation."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from batches.models import BatchStatus
from batches.services import batch_cancel, batch_erase, batch_register
from essays.models import Essay
from essays.samples import docx_bytes
from essays.services import essay_remove, essays_upload
from tests.conftest import by_author, docx_file, txt_file

pytestmark = pytest.mark.django_db


def stored_names(batch) -> list[str]:
    return list(
        Essay.objects.filter(batch=batch).exclude(original_file="").values_list("original_file", flat=True)
    )


def test_each_readable_upload_keeps_its_original_byte_for_byte(teacher, committed):
    data = docx_bytes(["Namn: Alva Berg", "", "Min sommar."])
    with committed():
        batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=3)
        essays_upload(
            batch=batch,
            files=[
                docx_file("Alva Berg uppsats.docx", ["Namn: Alva Berg", "", "Min sommar."]),
                txt_file("tom.txt", "   "),
            ],
        )
    essay = batch.essays.get(original_filename="Alva Berg uppsats.docx")
    assert essay.original_file.name == f"originals/{batch.id}/{essay.id}.docx"  # ids, never the name
    with default_storage.open(essay.original_file.name, "rb") as stored:
        assert stored.read()[:2] == data[:2] == b"PK"
    empty = batch.essays.get(original_filename="tom.txt")
    assert empty.status == "FAILED" and not empty.original_file  # nothing readable: nothing kept


def test_only_the_owner_opens_the_original(validating, api, api_for, make_teacher, client, teacher):
    batch = validating(by_author(2))
    essay = batch.essays.order_by("original_filename").first()
    url = f"/api/v1/batches/{batch.id}/essays/{essay.id}/original/"

    response = api.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"Namn: ")
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    other = api_for(make_teacher("other.larare"))
    staff = api_for(make_teacher("personal", staff=True))
    assert other.get(url).status_code == 404
    assert staff.get(url).status_code == 404  # a student's file: nobody but the owner
    assert client.get(url).status_code in {401, 403}
    assert api.get(f"/api/v1/batches/{batch.id}/essays/not-an-id/original/").status_code == 404


def test_removing_an_essay_erases_its_original(validating, teacher, committed):
    batch = validating(by_author(3))
    essay = batch.essays.order_by("original_filename").first()
    name = essay.original_file.name
    assert default_storage.exists(name)
    with committed():
        essay_remove(batch_id=batch.id, essay_id=essay.id, removed_by=teacher)
    assert not default_storage.exists(name)
    assert len(stored_names(batch)) == 2  # the others stay


def test_erasing_the_batch_erases_every_original(validating, teacher, committed):
    batch = validating(by_author(3))
    names = stored_names(batch)
    assert len(names) == 3 and all(default_storage.exists(name) for name in names)
    with committed():
        batch_erase(batch_id=batch.id, erased_by=teacher)
    assert not any(default_storage.exists(name) for name in names)


def test_cancelling_the_batch_erases_its_originals_and_keeps_its_text(validating, teacher, committed):
    batch = validating(by_author(2))
    names = stored_names(batch)
    with committed():
        batch_cancel(batch_id=batch.id, cancelled_by=teacher)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert not any(default_storage.exists(name) for name in names)
    assert stored_names(batch) == []
    assert all(essay.text for essay in batch.essays.all())  # deleting the batch erases the rest


def test_a_failed_upload_transaction_leaves_no_file_behind(teacher, monkeypatch):
    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=2)

    def fail_after_the_file_was_written(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The failure comes after the original was written (the event row of the same essay).
    monkeypatch.setattr("essays.services.event_record", fail_after_the_file_was_written)
    with pytest.raises(RuntimeError):
        essays_upload(batch=batch, files=[txt_file("a.txt", "Namn: Alva Berg\n\nText.")])
    assert not batch.essays.exists()
    folder = f"originals/{batch.id}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
