"""huleedu.rows: the hot paths' plain statements read and write exactly what the ORM does."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from batches.models import Batch, BatchEvent, BatchStatus
from classroster.models import SchoolClass, Student
from huleedu.authentication import TokenAuthentication
from huleedu.rows import first_row, referenced_row, rows, rows_insert, rows_update, rows_values


@pytest.fixture
def batch(teacher) -> Batch:
    school_class = SchoolClass.objects.create(owner=teacher, name="9B")
    return Batch.objects.create(
        owner=teacher, school_class=school_class, course_code="SVE1", expected_essay_count=3,
        correlation_id="c-1", processing_summary={"matched": 2, "names": ["Åsa", None]},
        validation_deadline=timezone.now() + timedelta(minutes=5),
    )


def column_values(instance) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.django_db
def test_a_row_reads_back_as_the_orm_reads_it(batch):
    plain = first_row(Batch, pk=batch.pk)
    orm = Batch.objects.get(pk=batch.pk)
    assert column_values(plain) == column_values(orm)
    assert plain.processing_summary == {"matched": 2, "names": ["Åsa", None]}
    assert plain.validation_deadline.tzinfo is not None
    assert plain._state.adding is False and plain._state.db == "default"


@pytest.mark.django_db
def test_chosen_columns_read_back_as_values_list_reads_them(batch):
    columns = ["id", "processing_summary", "validation_deadline", "school_class"]
    orm = list(Batch.objects.filter(pk=batch.pk).values_list(*columns))
    assert rows_values(Batch, columns, pk=batch.pk) == orm
    assert orm[0][1] == {"matched": 2, "names": ["Åsa", None]}  # JSON and datetimes converted
    assert rows_values(Batch, columns, pk__in=[]) == []


@pytest.mark.django_db
def test_filters_by_name_attname_in_list_and_null(batch):
    school_class = batch.school_class
    students = [Student.objects.create(school_class=school_class, first_name=f"Elev{n}", last_name="Berg")
                for n in range(3)]
    wanted = {students[0].pk, students[2].pk}
    assert {s.pk for s in rows(Student, school_class=school_class.pk, pk__in=wanted)} == wanted
    without_email = rows(Student, school_class_id=school_class.pk, email=None)
    assert {s.pk for s in without_email} == {s.pk for s in students}
    assert rows(Student, pk__in=[]) == []
    assert first_row(Student, pk=uuid.uuid4()) is None


@pytest.mark.django_db
def test_insert_stores_what_the_orm_would_store(batch):
    def events(kind: str) -> list[BatchEvent]:
        return [BatchEvent(batch=batch, event_type=kind, correlation_id="c-1", payload=payload)
                for payload in ({"n": 1, "name": "Åsa"}, {}, {"nested": [1, None]})]

    with transaction.atomic():
        plain = rows_insert(events("plain"))
        orm = BatchEvent.objects.bulk_create(events("orm"))
    assert all(event.sequence is not None and event._state.adding is False for event in plain)
    stored = {event.sequence: event for event in BatchEvent.objects.filter(batch=batch)}
    ignored = {"sequence", "event_id", "event_type", "created_at"}
    for inserted, reference in zip(plain, orm, strict=True):
        mine, theirs = stored[inserted.sequence], stored[reference.sequence]
        assert mine.event_id == inserted.event_id and mine.created_at == inserted.created_at
        assert ({k: v for k, v in column_values(mine).items() if k not in ignored}
                == {k: v for k, v in column_values(theirs).items() if k not in ignored})
    assert [e.sequence for e in plain] == sorted(e.sequence for e in plain)  # keys come back in order
    assert rows_insert([]) == []


@pytest.mark.django_db
def test_update_stores_what_the_orm_would_store(batch):
    deadline = timezone.now() + timedelta(hours=1)
    changed = rows_update(Batch, {"pk": batch.pk, "status": BatchStatus.AWAITING_CONTENT},
                          {"validation_deadline": deadline, "school_class_id": None,
                           "processing_summary": {"ok": True}})
    assert changed == 1
    stored = Batch.objects.get(pk=batch.pk)
    assert stored.validation_deadline == deadline
    assert stored.school_class_id is None and stored.processing_summary == {"ok": True}
    assert rows_update(Batch, {"pk": batch.pk, "status": BatchStatus.READY_FOR_PIPELINE_EXECUTION},
                       {"course_code": "X"}) == 0


@pytest.mark.django_db
def test_only_equality_filters_on_named_rows():
    with pytest.raises(ValueError, match="only equality"):
        rows(Batch, created_at__lt=timezone.now())
    with pytest.raises(ValueError, match="always names"):
        rows_update(Batch, {}, {"course_code": "X"})
    with pytest.raises(ValueError, match="no column"):
        rows(Batch, colour="blue")


@pytest.mark.django_db(transaction=True)
def test_a_row_lock_outside_a_transaction_is_refused(batch):
    with pytest.raises(TransactionManagementError):
        first_row(Batch, for_update=True, pk=batch.pk)


@pytest.mark.django_db(transaction=True)
def test_for_update_holds_the_row_until_commit(batch):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database for a write instead")
    locked, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                first_row(Batch, for_update=True, pk=batch.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(10)
        with pytest.raises(DatabaseError), transaction.atomic():
            Batch.objects.select_for_update(nowait=True).get(pk=batch.pk)
    finally:
        release.set()
        thread.join()
    with transaction.atomic():  # released at the holder's commit
        assert Batch.objects.select_for_update(nowait=True).get(pk=batch.pk).pk == batch.pk


@pytest.mark.django_db
def test_a_row_found_through_a_reference_reads_as_the_orm_reads_it(teacher, batch):
    token = Token.objects.create(user=teacher)
    user_model = type(teacher)
    user = referenced_row(user_model, by=Token, key=token.key)
    assert column_values(user) == column_values(user_model.objects.get(pk=teacher.pk))
    assert referenced_row(user_model, by=Token, key="no-such-key") is None
    assert referenced_row(user_model, by=Token, key__in=[]) is None
    with pytest.raises(ValueError, match="refer to"):  # a class does not point at a batch
        referenced_row(Batch, by=SchoolClass, pk=batch.school_class_id)


@pytest.mark.django_db
def test_token_authentication_answers_as_drf_does(teacher):
    token = Token.objects.create(user=teacher)
    user, auth = TokenAuthentication().authenticate_credentials(token.key)
    assert user == teacher and auth.pk == token.key
    assert auth.created == token.created  # not read by the check itself; loaded when asked for
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/batches/").status_code == 200

    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    refused = client.get("/api/v1/batches/")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Token"
    assert refused.json()["error"]["message"] == "Invalid token."

    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    inactive = client.get("/api/v1/batches/")
    assert inactive.status_code == 401 and inactive.json()["error"]["message"] == "User inactive or deleted."
