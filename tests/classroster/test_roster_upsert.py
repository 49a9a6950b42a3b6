"""Roster import as an upsert (by e-mail, else by name), a single name column, and editing or
removing students through the API the class page uses."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from classroster.models import Student
from classroster.services import class_create, roster_import_csv, split_full_name
from tests.conftest import ROSTER_NAMES, by_author

pytestmark = pytest.mark.django_db

# A school system's export of a whole class: 28 students, most with an e-mail, some without.
EXPORT_NAMES = [
    *ROSTER_NAMES[:14],
    ("Wilma", "Dahl"),
    ("Liam", "Eklund"),
    ("Ebba", "Sandberg"),
    ("Noah", "Hedlund"),
    ("Stella", "Forsberg"),
    ("Adam", "Sjöberg"),
    ("Olivia", "Wallin"),
    ("Lucas", "Engström"),
    ("Astrid", "Danielsson"),
    ("Vincent", "Håkansson"),
    ("Saga", "Lundin"),
    ("Elias", "Björk"),
    ("Freja", "Bergström"),
    ("Leo", "Nordin"),
]


def export_csv(rows: list[tuple[str, str]] = EXPORT_NAMES) -> bytes:
    lines = ["Förnamn;Efternamn;E-post"]
    for i, (first, last) in enumerate(rows):
        email = "" if i % 7 == 3 else f"elev{i}@skola.example.se"  # four students without e-mail
        lines.append(f"{first};{last};{email}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def import_via_api(api, class_id: object, data: bytes):
    handle = io.BytesIO(data)
    handle.name = "klasslista.csv"
    return api.post(f"/api/v1/classes/{class_id}/students/import/", {"file": handle}, format="multipart")


def test_importing_the_same_export_twice_changes_nothing_and_says_so(api, teacher):
    school_class = class_create(owner=teacher, name="9E")
    first = import_via_api(api, school_class.id, export_csv())
    assert first.status_code == 201, first.content
    assert (first.json()["created"], first.json()["updated"], first.json()["unchanged"]) == (28, 0, 0)

    again = import_via_api(api, school_class.id, export_csv())
    assert again.status_code == 200, again.content
    body = again.json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (0, 0, 28, [])
    assert body["skipped_duplicates"] == 28  # the field older clients read
    assert school_class.students.count() == 28


def test_a_corrected_export_updates_by_email_and_by_name(teacher):
    school_class = class_create(owner=teacher, name="9E")
    roster_import_csv(school_class=school_class, data=export_csv())
    corrected = list(EXPORT_NAMES)
    corrected[0] = ("Åsa", "Sjöström-Lind")  # a new last name, the same e-mail (elev0@)
    # Mohammed (row 3) had no e-mail: a row naming him with one gives him that address.
    data = export_csv(corrected).replace(b"Mohammed;Ali;\r\n", b"Mohammed;Ali;mohammed@skola.example.se\r\n")
    result = roster_import_csv(school_class=school_class, data=data)
    assert sorted(s.full_name for s in result.updated) == ["Mohammed Ali", "Åsa Sjöström-Lind"]
    assert (len(result.created), result.unchanged, result.errors) == (0, 26, [])
    assert school_class.students.get(email="elev0@skola.example.se").last_name == "Sjöström-Lind"
    assert school_class.students.get(first_name="Mohammed").email == "mohammed@skola.example.se"
    assert school_class.students.count() == 28


def test_a_row_without_email_never_guesses_between_namesakes(teacher):
    school_class = class_create(owner=teacher, name="9E")
    roster_import_csv(
        school_class=school_class,
        data=b"first_name,last_name,email\nIda,Berg,ida1@s.se\nIda,Berg,ida2@s.se\n",
    )
    result = roster_import_csv(school_class=school_class, data=b"first_name,last_name\nIda,Berg\n")
    assert not result.created and not result.updated
    assert result.errors[0]["line"] == 2 and "2 students" in result.errors[0]["error"]
    assert school_class.students.count() == 2


def test_one_file_naming_a_student_twice_reports_the_second_line(teacher):
    school_class = class_create(owner=teacher, name="9E")
    result = roster_import_csv(
        school_class=school_class, data=b"first_name,last_name,email\nAnna,Berg,a@s.se\nCecilia,Dahl,a@s.se\n"
    )
    assert [s.full_name for s in result.created] == ["Anna Berg"]
    assert result.errors == [
        {"line": 3, "error": "the same student as on line 2", "row": ["Cecilia", "Dahl", "a@s.se"]}
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Åsa Sjöström", ("Åsa", "Sjöström")),
        ("Sjöström, Åsa", ("Åsa", "Sjöström")),
        ("Karl Johan Öberg", ("Karl Johan", "Öberg")),
        ("Öberg,  Karl Johan ", ("Karl Johan", "Öberg")),
        ("Anna-Karin von Essen", ("Anna-Karin", "von Essen")),
        ("Sofia de la Cruz", ("Sofia", "de la Cruz")),
        ("Nguyen", ("Nguyen", "")),
    ],
)
def test_a_whole_name_is_split_into_first_and_last(value, expected):
    assert split_full_name(value) == expected


def test_a_single_namn_column_is_accepted_in_either_order(api, teacher):
    school_class = class_create(owner=teacher, name="9F")
    data = "Namn;E-post;Klass\nÅsa Sjöström;asa@skola.se;9F\nÖberg, Karl Johan;;9F\nSofia de la Cruz;;9F\n"
    response = import_via_api(api, school_class.id, data.encode("utf-8-sig"))
    assert response.status_code == 201, response.content
    assert sorted((s["first_name"], s["last_name"], s["email"]) for s in response.json()["students"]) == [
        ("Karl Johan", "Öberg", None),
        ("Sofia", "de la Cruz", None),
        ("Åsa", "Sjöström", "asa@skola.se"),
    ]
    # The same people as "Efternamn, Förnamn": nothing new, nothing changed.
    again = 'Name\n"Sjöström, Åsa"\nKarl Johan Öberg\n"de la Cruz, Sofia"\n'
    body = import_via_api(api, school_class.id, again.encode()).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)


def test_a_header_error_names_the_headers_it_found(api, teacher):
    school_class = class_create(owner=teacher, name="9G")
    response = import_via_api(api, school_class.id, b"Elev-ID;Klass;Mejl\n1;9G;a@s.se\n")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_csv_header"
    assert "“Elev-ID”, “Klass”, “Mejl”" in error["message"]
    assert error["details"]["found"] == ["Elev-ID", "Klass", "Mejl"]


def test_import_messages_follow_the_teachers_language(api, teacher):
    school_class = class_create(owner=teacher, name="9H")
    response = api.post(
        f"/api/v1/classes/{school_class.id}/students/import/",
        {"file": io.BytesIO(b"x;y\n1;2\n")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    assert "Rubrikraden" in response.json()["error"]["message"]
    with translation.override("sv"):
        result = roster_import_csv(school_class=school_class, data=b"first_name,last_name,email\nBo,Ek,nej\n")
    assert result.errors[0]["error"] == "‘nej’ är ingen giltig e-postadress"


def test_a_student_is_edited_and_removed_through_the_api(api, teacher):
    school_class = class_create(owner=teacher, name="9J")
    roster_import_csv(
        school_class=school_class, data=b"first_name,last_name,email\nBo,Ek,bo@s.se\nIda,Holm,\n"
    )
    bo = school_class.students.get(first_name="Bo")
    url = f"/api/v1/classes/{school_class.id}/students/{bo.id}/"
    edited = api.patch(url, {"first_name": "Bosse", "email": "bosse@s.se"}, format="json")
    assert edited.status_code == 200, edited.content
    assert (edited.json()["first_name"], edited.json()["email"]) == ("Bosse", "bosse@s.se")
    ida = school_class.students.get(first_name="Ida")
    clash = api.patch(
        f"/api/v1/classes/{school_class.id}/students/{ida.id}/", {"email": "bosse@s.se"}, format="json"
    )
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "duplicate_email"
    assert api.delete(url).status_code == 204
    assert not Student.objects.filter(pk=bo.id).exists()


def test_a_suggested_student_cannot_be_removed_and_the_message_says_why(api, validating, school_class):
    batch = validating(by_author(1))
    suggested = batch.essays.get().suggestions.get(rank=1).student
    refused = api.delete(
        f"/api/v1/classes/{school_class.id}/students/{suggested.id}/", HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "student_in_use" and error["details"]["suggested"] is True
    assert suggested.full_name in error["message"] and "kan inte tas bort" in error["message"]
    assert Student.objects.filter(pk=suggested.id).exists()
