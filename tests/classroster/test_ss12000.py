"""SS 12000: a teacher imports one of their groups from the school's system and re-syncs it,
against a local fake SS 12000 server (tests/classroster/fake_ss12000.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection as db

from classroster import ss12000
from classroster.models import RosterSource, SchoolClass, Ss12000Connection, Ss12000Teacher, Student
from classroster.services import student_delete
from huleedu.errors import Conflict
from tests.classroster.fake_ss12000 import FakeSs12000, FakeSs12000Server, person, school

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.fixture
def fake() -> Iterator[FakeSs12000]:
    with FakeSs12000Server(school()) as server:
        yield server


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The back-off is real; the tests only shorten it.
    monkeypatch.setattr(ss12000, "RETRY_DELAYS", (0.01, 0.02, 0.03))


@pytest.fixture
def connection(fake: FakeSs12000, teacher) -> Ss12000Connection:
    conn = Ss12000Connection.objects.create(
        name="Kommunen",
        base_url=fake.base_url,
        token_url=fake.token_url,
        client_id=fake.client_id,
        organisation_id="org-1",
    )
    ss12000.ss12000_connection_set_secrets(connection=conn, client_secret=fake.client_secret)
    Ss12000Teacher.objects.create(connection=conn, user=teacher, person_id="t-1")
    return conn


def test_secrets_are_stored_encrypted(connection: Ss12000Connection, fake: FakeSs12000):
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted FROM classroster_ss12000connection WHERE id = %s", [connection.id]
        )
        stored = cursor.fetchone()[0]
    assert fake.client_secret not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert ss12000.secret_decrypt(stored) == fake.client_secret


def test_teacher_sees_only_their_groups_across_every_page(api, connection, fake):
    response = api.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/")
    assert response.status_code == 200, response.content
    assert [(g["group_id"], g["member_count"]) for g in response.json()] == [("g-9a", 1), ("g-9b", 5)]
    group_pages = [path for method, path in fake.requests if path.startswith("/ss12000/v2/groups?")]
    assert len(group_pages) == 3  # five groups, two a page: the pageToken was followed to the end
    assert sum("pageToken=" in path for path in group_pages) == 2


def test_import_makes_the_group_a_roster_with_person_ids(api, connection, fake, teacher):
    response = api.post(
        f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/g-9b/import/", {}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sync"]["created"] == 5 and body["sync"]["problems"] == []
    school_class = SchoolClass.objects.get(pk=body["school_class"]["class_id"])
    assert (school_class.name, school_class.external_source, school_class.external_id) == (
        "9B Svenska",
        "ss12000",
        "g-9b",
    )
    roster = {
        s.external_id: (s.first_name, s.last_name, s.email, s.external_source)
        for s in school_class.students.all()
    }
    assert roster == {
        "p-1": ("Åsa", "Sjöström", "asa.sjostrom@skola.example.se", "ss12000"),
        "p-2": ("Erik", "Andersson", "erik.andersson@skola.example.se", "ss12000"),
        "p-3": ("Mohammed", "Ali", "mohammed.ali@skola.example.se", "ss12000"),
        "p-4": ("Linnéa", "Ekström", None, "ss12000"),
        "p-5": ("Karl Johan", "Öberg", "karljohan.oberg@skola.example.se", "ss12000"),
    }  # p-6's membership ended in January: not on the roster
    again = api.post(
        f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/g-9b/import/", {}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "group_already_imported"


def test_another_teachers_group_cannot_be_imported(api, connection):
    response = api.post(
        f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/g-8c/import/", {}, format="json"
    )
    assert response.status_code == 404
    assert not SchoolClass.objects.exists()


def test_a_teacher_without_access_to_the_connection_gets_404(api_for, make_teacher, connection):
    other = api_for(make_teacher("bertil"))
    assert other.get("/api/v1/rosters/ss12000/connections/").json() == []
    assert other.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/").status_code == 404


@pytest.mark.django_db(transaction=True)  # the batch's matching runs on commit
def test_resync_follows_the_group_and_never_deletes(connection, fake, teacher, awaiting_validation):
    school_class, _ = ss12000.ss12000_class_import(
        user=teacher, connection=connection, group_id="g-9b", today=TODAY
    )
    leaver = school_class.students.get(external_id="p-3")
    from matching.models import StudentAssociation

    # An essay of another batch is attributed to the student who is about to leave.
    batch = awaiting_validation(1)
    StudentAssociation.objects.filter(batch=batch).update(student=leaver)

    fake.persons["p-1"] = person("p-1", "Åsa", "Sjöström-Berg", "asa.berg@skola.example.se")
    fake.add_person(person("p-9", "Ny", "Elev", "ny.elev@skola.example.se"))
    fake.groups["g-9b"]["groupMemberships"] = [
        m for m in fake.groups["g-9b"]["groupMemberships"] if m["person"]["id"] != "p-3"
    ] + [{"id": "m-new", "person": {"id": "p-9"}, "startDate": "2026-02-01"}]

    result = ss12000.ss12000_class_resync(school_class=school_class, today=TODAY)
    assert (len(result.created), len(result.updated), len(result.left)) == (1, 1, 1)
    asa = school_class.students.get(external_id="p-1")
    assert (asa.last_name, asa.email) == ("Sjöström-Berg", "asa.berg@skola.example.se")
    leaver.refresh_from_db()
    assert leaver.left_at is not None  # kept, marked
    with pytest.raises(Conflict):
        student_delete(student=leaver)
    assert school_class.students.count() == 6

    # Back in the group: no longer marked; a second sync with no change changes nothing.
    fake.groups["g-9b"]["groupMemberships"].append({"id": "m-back", "person": {"id": "p-3"}})
    result = ss12000.ss12000_class_resync(school_class=school_class, today=TODAY)
    assert len(result.returned) == 1 and not result.created and not result.left
    leaver.refresh_from_db()
    assert leaver.left_at is None
    assert ss12000.ss12000_class_resync(school_class=school_class, today=TODAY).unchanged == 6


def test_resync_links_students_typed_in_by_hand(connection, fake, teacher, api):
    school_class, _ = ss12000.ss12000_class_import(
        user=teacher, connection=connection, group_id="g-9a", today=TODAY
    )
    # The teacher added Erik by hand before he joined the group in the school's system.
    Student.objects.create(
        school_class=school_class, first_name="Erik", last_name="A", email="erik.andersson@skola.example.se"
    )
    fake.groups["g-9a"]["groupMemberships"].append({"id": "m-e", "person": {"id": "p-2"}})
    response = api.post(f"/api/v1/classes/{school_class.id}/sync/")
    assert response.status_code == 200, response.content
    erik = school_class.students.get(email="erik.andersson@skola.example.se")
    assert (erik.external_id, erik.external_source, erik.last_name) == (
        "p-2",
        RosterSource.SS12000,
        "Andersson",
    )
    assert school_class.students.count() == 2


def test_expired_token_is_renewed_once(connection, fake, teacher):
    fake.expire_tokens_after = 1
    groups = ss12000.ss12000_groups_for_teacher(user=teacher, connection=connection, today=TODAY)
    assert [g.group_id for g in groups] == ["g-9a", "g-9b"]
    assert len(fake.issued) >= 2  # a new token after each 401


def test_refused_credentials_are_a_clear_502_and_change_nothing(api, connection, fake):
    ss12000.ss12000_connection_set_secrets(connection=connection, client_secret="wrong")
    response = api.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "ss12000_unauthorized"


def test_fixed_token_refused_with_401(api, connection, fake):
    connection.token_url = ""
    connection.save()
    ss12000.ss12000_connection_set_secrets(connection=connection, token="not-a-valid-token")
    response = api.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/")
    assert response.status_code == 502 and response.json()["error"]["code"] == "ss12000_unauthorized"
    fake.fixed_tokens.add("not-a-valid-token")
    assert api.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/").status_code == 200


def test_a_passing_5xx_is_retried(api, connection, fake):
    fake.fail_next = 2
    response = api.post(
        f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/g-9b/import/", {}, format="json"
    )
    assert response.status_code == 201, response.content
    assert sum(1 for _ in fake.requests) > 2


def test_a_lasting_5xx_is_a_502_and_no_half_roster(api, connection, fake, teacher):
    ss12000.ss12000_groups_for_teacher(user=teacher, connection=connection, today=TODAY)
    fake.fail_next = 100
    response = api.post(
        f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/g-9b/import/", {}, format="json"
    )
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "ss12000_unavailable"
    assert not SchoolClass.objects.exists() and not Student.objects.exists()


def test_unconfigured_connection_is_a_409(api, teacher):
    conn = Ss12000Connection.objects.create(name="Halv", base_url="http://127.0.0.1:9/ss12000")
    Ss12000Teacher.objects.create(connection=conn, user=teacher)
    response = api.get(f"/api/v1/rosters/ss12000/connections/{conn.id}/groups/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "ss12000_not_configured"


def test_a_teacher_without_person_id_sees_every_group_of_the_school(connection, fake, teacher):
    Ss12000Teacher.objects.filter(user=teacher).update(person_id="")
    groups = ss12000.ss12000_groups_for_teacher(user=teacher, connection=connection, today=TODAY)
    assert len(groups) == 5


@pytest.mark.parametrize("garbage", [b"<html>Maintenance</html>", b'{"data": "not a list"}', b"[1, 2"])
def test_a_server_sending_garbage_is_a_502(api, connection, fake, garbage):
    fake.garbage = garbage
    response = api.get(f"/api/v1/rosters/ss12000/connections/{connection.id}/groups/")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "ss12000_unavailable"


@pytest.mark.django_db(transaction=True)  # matching runs on commit
def test_a_student_who_left_is_no_longer_suggested(connection, fake, teacher):
    from batches.services import batch_register
    from essays.services import essays_upload
    from matching.models import MatchSuggestion
    from tests.conftest import txt_file

    school_class, _ = ss12000.ss12000_class_import(
        user=teacher, connection=connection, group_id="g-9b", today=TODAY
    )
    fake.groups["g-9b"]["groupMemberships"] = [
        m for m in fake.groups["g-9b"]["groupMemberships"] if m["person"]["id"] != "p-2"
    ]
    ss12000.ss12000_class_resync(school_class=school_class, today=TODAY)
    batch = batch_register(
        owner=teacher, course_code="SVE9", expected_essay_count=2, school_class=school_class
    )
    essays_upload(
        batch=batch,
        files=[
            txt_file("a.txt", "Namn: Erik Andersson\n\nMin sommar"),
            txt_file("b.txt", "Namn: Åsa Sjöström\n\nMin vinter"),
        ],
    )
    suggested = set(
        MatchSuggestion.objects.filter(essay__batch=batch).values_list("student__external_id", flat=True)
    )
    assert "p-1" in suggested and "p-2" not in suggested
