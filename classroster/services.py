"""Classes and rosters: create, change, import from a spreadsheet export."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from classroster.models import RosterSource, SchoolClass, Student
from huleedu.errors import Conflict, DomainError, PayloadTooLarge
from huleedu.fields import invisible_characters
from huleedu.spreadsheets import csv_document

# Header names a teacher's spreadsheet may use, folded to lower case (English and Swedish).
_COLUMN_ALIASES = {
    "first_name": {"first_name", "firstname", "first name", "förnamn", "fornamn", "given name"},
    "last_name": {"last_name", "lastname", "last name", "efternamn", "surname", "family name"},
    "email": {"email", "e-mail", "e-post", "epost", "mail", "email address", "e-postadress"},
    # Optional: the id the school's system knows the student by, kept as the external id.
    # One column with the whole name ("Förnamn Efternamn" or "Efternamn, Förnamn").
    "name": {
        "name",
        "namn",
        "full name",
        "full_name",
        "fullname",
        "student",
        "elev",
        "elevens namn",
        "fullständigt namn",
        "student name",
    },
    "external_id": {
        "id",
        "external_id",
        "external id",
        "student_id",
        "student id",
        "elev-id",
        "elevid",
        "elev id",
        "person_id",
        "personid",
        "sourcedid",
    },
}
MAX_EXTERNAL_ID_CHARS = 200
MAX_NAME_CHARS = 100


def class_create(*, owner: AbstractBaseUser, name: str) -> SchoolClass:
    try:
        with transaction.atomic():
            return SchoolClass.objects.create(owner=owner, name=name.strip())
    except IntegrityError as exc:
        raise Conflict(_("You already have a class with that name."), code="duplicate_class") from exc


def class_update(*, school_class: SchoolClass, name: str) -> SchoolClass:
    school_class.name = name.strip()
    try:
        with transaction.atomic():
            school_class.save(update_fields=["name", "updated_at"])
    except IntegrityError as exc:
        raise Conflict(_("You already have a class with that name."), code="duplicate_class") from exc
    return school_class


def class_delete(*, school_class: SchoolClass) -> None:
    if school_class.batches.exists():
        raise Conflict(_("The class has batches; it cannot be deleted."), code="class_in_use")
    school_class.delete()


def _clean_name(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join((value or "").split()))


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value.lower() or None


def _check_roster_room(school_class: SchoolClass, adding: int) -> None:
    if school_class.students.count() + adding > settings.MAX_ROSTER_SIZE:
        raise DomainError(
            _("A class roster holds at most %(limit)d students.") % {"limit": settings.MAX_ROSTER_SIZE},
            code="roster_too_large",
        )


def student_create(
    *, school_class: SchoolClass, first_name: str, last_name: str, email: str | None = None
) -> Student:
    _check_roster_room(school_class, 1)
    first_name, last_name, email = _clean_name(first_name), _clean_name(last_name), _clean_email(email)
    _check_student_email_free(school_class, email)
    try:
        with transaction.atomic():
            return Student.objects.create(
                school_class=school_class, first_name=first_name, last_name=last_name, email=email
            )
    except IntegrityError as exc:  # the same e-mail added by a concurrent request
        raise Conflict(
            _("Another student of this class already has the e-mail %(email)s.") % {"email": email},
            code="duplicate_email",
            details={"email": email},
        ) from exc


def student_update(*, student: Student, **changes: Any) -> Student:
    if "email" in changes:
        changes["email"] = _clean_email(changes["email"])
        _check_student_email_free(student.school_class, changes["email"], exclude_id=student.id)
    for name in ("first_name", "last_name"):
        if name in changes:
            changes[name] = _clean_name(changes[name])
    for key, value in changes.items():
        setattr(student, key, value)
    if not student.first_name and not student.last_name:
        raise DomainError(_("A student needs a first or a last name."), code="student_without_name")
    student.save()
    return student


# Apps whose rows name students register here what ties a student to an essay: a check that
# returns the reasons a student is in use (e.g. {"decided": True}), or nothing.
StudentUseCheck = Callable[[Student], dict[str, bool]]
_student_use_checks: list[StudentUseCheck] = []


def student_use_check_register(check: StudentUseCheck) -> None:
    if check not in _student_use_checks:
        _student_use_checks.append(check)


def student_delete(*, student: Student) -> None:
    """Remove a student from the roster, unless an essay is (or may be) theirs: a decision
    anywhere, or a suggestion in a batch that is still open (the checks matching registers).
    Removing them would quietly turn "probably this student" into "no student" behind the
    teacher's back."""
    uses = {"decided": student.essays.exists(), "suggested": False}
    for check in _student_use_checks:
        for reason, applies in check(student).items():
            uses[reason] = uses.get(reason, False) or applies
    if any(uses.values()):
        raise Conflict(
            _("%(name)s cannot be removed: an essay is attributed to them, or suggested for them in an "
              "open batch. Decide those essays first.") % {"name": student.full_name},
            code="student_in_use",
            details={"student_id": str(student.id), **uses},
        )
    student.delete()


def _check_student_email_free(school_class: SchoolClass, email: str | None, exclude_id: Any = None) -> None:
    if not email:
        return
    clash = school_class.students.filter(email__iexact=email).exclude(pk=exclude_id)
    if clash.exists():
        raise Conflict(
            _("Another student of this class already has the e-mail %(email)s.") % {"email": email},
            code="duplicate_email",
            details={"email": email},
        )


def students_create_many(*, school_class: SchoolClass, rows: list[dict[str, Any]]) -> list[Student]:
    with transaction.atomic():
        return [student_create(school_class=school_class, **row) for row in rows]


# --- CSV import --------------------------------------------------------------------------
#
# An import is an upsert: a row is the roster student with the same e-mail, or, when the row
# has none, the one with the same name. Importing the same file twice changes nothing and says
# so; a corrected file updates the students it names.

# Words that belong to the last name when a single name column is split ("Sofia de la Cruz").
_NAME_PARTICLES = {
    "af",
    "av",
    "da",
    "de",
    "del",
    "della",
    "der",
    "di",
    "dos",
    "du",
    "la",
    "le",
    "van",
    "von",
    "zu",
}


@dataclass
class RosterImportResult:
    created: list[Student] = field(default_factory=list)
    updated: list[Student] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def skipped_duplicates(self) -> int:
        """The rows already on the roster as they are (the API's older name for ``unchanged``)."""
        return self.unchanged


@dataclass(frozen=True)
class _Header:
    columns: dict[str, int]
    single_name: bool  # one "Namn"/"Name" column instead of first and last name


@dataclass
class _RosterIndex:
    """The class's students by e-mail, by full name and by external id, kept current while importing."""

    by_email: dict[str, Student]
    by_name: dict[str, list[Student]]
    by_external_id: dict[str, Student]
    room: int
    seen: dict[int, int] = field(default_factory=dict)  # id() of a student taken by a row -> its line

    @classmethod
    def of(cls, school_class: SchoolClass) -> _RosterIndex:
        students = list(school_class.students.all())
        index = cls({}, {}, {}, settings.MAX_ROSTER_SIZE - len(students))
        for student in students:
            index.add(student)
        return index

    def add(self, student: Student) -> None:
        if student.email:
            self.by_email[student.email.lower()] = student
        namesakes = self.by_name.setdefault(_name_key(student.first_name, student.last_name), [])
        if student not in namesakes:
            namesakes.append(student)
        if student.external_id and student.external_source == RosterSource.CSV:
            self.by_external_id[student.external_id] = student


def _name_key(first: str, last: str) -> str:
    return " ".join(f"{first} {last}".split()).casefold()


def split_full_name(value: str) -> tuple[str, str]:
    """A whole name as (first, last): "Förnamn Efternamn", or "Efternamn, Förnamn" with a comma.
    Particles stay with the last name ("Anna-Karin von Essen"); a single word is a first name."""
    value = _clean_name(value)
    if "," in value:
        last, _comma, first = value.partition(",")
        return _clean_name(first), _clean_name(last)
    words = value.split(" ")
    if len(words) < 2:
        return value, ""
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _NAME_PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DomainError(_("The file is not a CSV text file."), code="invalid_csv")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _map_header(header: list[str]) -> _Header:
    mapping: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().strip('"').lower()
        for column, aliases in _COLUMN_ALIASES.items():
            if name in aliases and column not in mapping:
                mapping[column] = index
    if "first_name" in mapping and "last_name" in mapping:
        mapping.pop("name", None)
        return _Header(mapping, single_name=False)
    if "name" in mapping:
        mapping.pop("first_name", None)
        mapping.pop("last_name", None)
        return _Header(mapping, single_name=True)
    found = ", ".join(f"“{cell.strip()}”" for cell in header if cell.strip()) or _("none")
    raise DomainError(
        _(
            "The header row must name first_name and last_name (förnamn, efternamn), or one name column "
            "(namn, name), and may name email (e-post). The headers found: %(found)s."
        )
        % {"found": found},
        code="invalid_csv_header",
        details={"missing": [c for c in ("first_name", "last_name") if c not in mapping], "found": header},
    )


def _defuse_formula(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is stored as plain text."""
    return value.lstrip("=+-@\t\r") if value[:1] in ("=", "+", "@", "\t", "\r") else value


def roster_export_csv(*, school_class: SchoolClass) -> str:
    """The roster as CSV for a spreadsheet, with the id the school's system knows each student by."""
    students = school_class.students.order_by("last_name", "first_name")
    return csv_document(
        ["first_name", "last_name", "email", "external_id"],
        ((s.first_name, s.last_name, s.email or "", s.external_id or "") for s in students),
    )


def _csv_rows(data: bytes) -> tuple[Any, list[str]]:
    """The CSV reader positioned after the header row, and the header row."""
    if len(data) > settings.MAX_ROSTER_CSV_BYTES:
        raise PayloadTooLarge(
            _("The CSV file is larger than %(limit)s bytes.")
            % {"limit": f"{settings.MAX_ROSTER_CSV_BYTES:,}"},
            code="csv_too_large",
        )
    text = _decode_csv(data)
    if not text.strip():
        raise DomainError(_("The CSV file is empty."), code="invalid_csv")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DomainError(_("The CSV file has no header row."), code="invalid_csv") from exc
    return reader, header


@dataclass(frozen=True)
class _Row:
    line: int
    first: str
    last: str
    email: str | None
    external_id: str | None
    cells: list[str]
    single_name: bool  # the name came from one column: how it was split proves nothing


def _read_row(header: _Header, row: list[str], line: int) -> _Row:
    values = {c: (row[i] if i < len(row) else "") for c, i in header.columns.items()}
    if header.single_name:
        first, last = split_full_name(_defuse_formula(values.get("name", "")))
    else:
        first = _clean_name(_defuse_formula(values.get("first_name", "")))
        last = _clean_name(_defuse_formula(values.get("last_name", "")))
    return _Row(
        line,
        first[: MAX_NAME_CHARS + 1],
        last[: MAX_NAME_CHARS + 1],
        _clean_email(values.get("email")),
        _defuse_formula(values.get("external_id", "").strip()) or None,
        row[:10],
        header.single_name,
    )


def roster_import_csv(*, school_class: SchoolClass, data: bytes) -> RosterImportResult:
    """Import students from a spreadsheet export as an upsert; bad rows are reported by line,
    good rows kept."""
    reader, header_row = _csv_rows(data)
    header = _map_header(header_row)
    result = RosterImportResult()
    with transaction.atomic():
        # One import of a class at a time: two would both create the same new students.
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
        index = _RosterIndex.of(school_class)
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    _import_row(school_class, _read_row(header, cells, reader.line_num), index, result)
        except csv.Error as exc:
            result.errors.append(
                {"line": reader.line_num, "error": _("unreadable CSV: %(problem)s") % {"problem": exc}}
            )
    return result


def _import_row(
    school_class: SchoolClass, row: _Row, index: _RosterIndex, result: RosterImportResult
) -> None:
    problem = _row_problem(row.first, row.last, row.email)
    student = None
    if not problem:
        student, problem = _roster_student_of(row, index)
    if not problem:
        problem = _id_problem(row.external_id, index, student)
    if not problem and student is None and index.room <= 0:
        problem = _("the roster is full (%(limit)d students)") % {"limit": settings.MAX_ROSTER_SIZE}
    if not problem and student is not None and id(student) in index.seen:
        problem = _("the same student as on line %(line)d") % {"line": index.seen[id(student)]}
    if problem:
        result.errors.append({"line": row.line, "error": str(problem), "row": row.cells})
        return
    if student is None:
        student = Student.objects.create(
            school_class=school_class,
            first_name=row.first,
            last_name=row.last,
            email=row.email,
            external_id=row.external_id,
            external_source=RosterSource.CSV if row.external_id else "",
        )
        index.room -= 1
        index.add(student)
        result.created.append(student)
    elif _student_take_row(student, row):
        index.add(student)
        result.updated.append(student)
    else:
        result.unchanged += 1
    index.seen[id(student)] = row.line


def _roster_student_of(row: _Row, index: _RosterIndex) -> tuple[Student | None, str | None]:
    """The roster student a row names: by e-mail, else by name (one student of that name, and
    without another e-mail); None for a new student, or a problem."""
    if row.email and row.email in index.by_email:
        return index.by_email[row.email], None
    namesakes = index.by_name.get(_name_key(row.first, row.last), [])
    if row.email:
        namesakes = [s for s in namesakes if not s.email]
        return (namesakes[0] if len(namesakes) == 1 else None), None
    if len(namesakes) > 1:
        return None, _(
            "%(count)d students on the roster are called %(name)s: add the e-mail to tell them apart"
        ) % {"count": len(namesakes), "name": namesakes[0].full_name}
    return (namesakes[0] if namesakes else None), None


def _student_take_row(student: Student, row: _Row) -> bool:
    """Bring a roster student in line with the row; whether anything changed. A blank e-mail or
    id in the row keeps the student's own."""
    changes: dict[str, Any] = {}
    same_name = _name_key(row.first, row.last) == _name_key(student.first_name, student.last_name)
    if not same_name or (
        not row.single_name and (row.first, row.last) != (student.first_name, student.last_name)
    ):
        changes.update(first_name=row.first, last_name=row.last)
    if row.email and row.email != (student.email or "").lower():
        changes["email"] = row.email
    if row.external_id and row.external_id != student.external_id:
        changes.update(external_id=row.external_id, external_source=RosterSource.CSV)
    if not changes:
        return False
    for key, value in changes.items():
        setattr(student, key, value)
    student.save(update_fields=[*changes, "updated_at"])
    return True


def _id_problem(external_id: str | None, index: _RosterIndex, student: Student | None) -> str | None:
    if external_id is None:
        return None
    if len(external_id) > MAX_EXTERNAL_ID_CHARS:
        return _("the id is longer than %(limit)d characters") % {"limit": MAX_EXTERNAL_ID_CHARS}
    owner = index.by_external_id.get(external_id)
    if owner is not None and owner is not student:
        return _("the id %(id)s is already on the roster") % {"id": external_id}
    return None


def _row_problem(first: str, last: str, email: str | None) -> str | None:
    if not first and not last:
        return _("the row has no name")
    invisible = invisible_characters(first + last)
    if invisible:
        return _("a name contains control, direction-changing or zero-width characters (%(found)s)") % {
            "found": ", ".join(invisible[:5])
        }
    if len(first) > MAX_NAME_CHARS or len(last) > MAX_NAME_CHARS:
        return _("a name is longer than %(limit)d characters") % {"limit": MAX_NAME_CHARS}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return _("‘%(email)s’ is not a valid e-mail address") % {"email": email}
    return None


# --- rosters from the school's systems (SS 12000, OneRoster) -----------------------------


@dataclass(frozen=True)
class ExternalMember:
    """A student as the school's system describes them."""

    external_id: str
    first_name: str
    last_name: str
    email: str | None = None


@dataclass
class RosterSyncResult:
    created: list[Student] = field(default_factory=list)
    updated: list[Student] = field(default_factory=list)
    left: list[Student] = field(default_factory=list)
    returned: list[Student] = field(default_factory=list)
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "left": len(self.left),
            "returned": len(self.returned),
            "unchanged": self.unchanged,
            "problems": self.problems,
        }


def roster_sync(*, school_class: SchoolClass, source: str, members: list[ExternalMember]) -> RosterSyncResult:
    """Make the class roster follow the school's group: names and e-mails updated, new members
    added, students no longer in the group marked as having left. Nobody is deleted: a student
    who left may have essays, and their attribution must survive.

    A manually added student with the same e-mail as a member is linked to that member rather
    than duplicated. Problems (an e-mail another student already has, a member without a name,
    a full roster) are reported per member, and the rest of the sync goes on.
    """
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        # One sync of a class at a time: two would both create the same new members.
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
        follower = _RosterFollower(school_class, source, list(school_class.students.all()))
        for member in members:
            follower.follow(member)
        follower.mark_leavers(now)
        school_class.external_source = school_class.external_source or source
        school_class.synced_at = now
        school_class.save(update_fields=["external_source", "synced_at", "updated_at"])
    return follower.result


class _RosterFollower:
    """One sync's view of a class roster: who is linked to which member, which e-mails are taken,
    how much room is left."""

    def __init__(self, school_class: SchoolClass, source: str, students: list[Student]) -> None:
        self.school_class, self.source = school_class, source
        self.result = RosterSyncResult()
        self.linked = {s.external_id: s for s in students if s.external_source == source and s.external_id}
        self.unlinked_by_email = {s.email.lower(): s for s in students if s.email and not s.external_id}
        self.email_owner = {s.email.lower(): s.pk for s in students if s.email}
        self.room = settings.MAX_ROSTER_SIZE - len(students)
        self.seen: set[str] = set()

    def follow(self, member: ExternalMember) -> None:
        result = self.result
        if member.external_id in self.seen:
            result.problems.append({"external_id": member.external_id, "error": _("listed twice")})
            return
        self.seen.add(member.external_id)
        first = _clean_name(member.first_name)[:MAX_NAME_CHARS]
        last = _clean_name(member.last_name)[:MAX_NAME_CHARS]
        if not first and not last:
            result.problems.append({"external_id": member.external_id, "error": _("the member has no name")})
            return
        email = _member_email(member, result)
        student = self.linked.get(member.external_id)
        if student is None and email and email in self.unlinked_by_email:
            # A student the teacher typed in before the class was linked: the same person.
            student = self.unlinked_by_email.pop(email)
            student.external_id, student.external_source = member.external_id, self.source
            self.linked[member.external_id] = student
            _student_follow(student, first, last, email, self.email_owner, member, result, relinked=True)
        elif student is None:
            self._add(member, first, last, email)
        else:
            _student_follow(student, first, last, email, self.email_owner, member, result)

    def _add(self, member: ExternalMember, first: str, last: str, email: str | None) -> None:
        if self.room <= 0:
            full = _("the roster is full (%(limit)d students)") % {"limit": settings.MAX_ROSTER_SIZE}
            self.result.problems.append({"external_id": member.external_id, "error": full})
            return
        self.room -= 1
        student = Student(school_class=self.school_class, external_id=member.external_id,
                          external_source=self.source, first_name=first, last_name=last)
        student.email = _email_if_free(email, None, self.email_owner, member, self.result)
        student.save()
        if student.email:
            self.email_owner[student.email] = student.pk
        self.result.created.append(student)

    def mark_leavers(self, now: Any) -> None:
        for student in self.linked.values():
            if student.external_id not in self.seen and student.left_at is None:
                student.left_at = now
                student.save(update_fields=["left_at", "updated_at"])
                self.result.left.append(student)


def _member_email(member: ExternalMember, result: RosterSyncResult) -> str | None:
    email = _clean_email(member.email)
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        result.problems.append(
            {
                "external_id": member.external_id,
                "error": _("‘%(email)s’ is not a valid e-mail address; kept without one")
                % {"email": email},
            }
        )
        return None
    return email


def _email_if_free(
    email: str | None,
    student_pk: Any,
    email_owner: dict[str, Any],
    member: ExternalMember,
    result: RosterSyncResult,
) -> str | None:
    if email and email_owner.get(email, student_pk) != student_pk:
        result.problems.append(
            {
                "external_id": member.external_id,
                "error": _("another student of the class already has the e-mail %(email)s")
                % {"email": email},
            }
        )
        return None
    return email


def _student_follow(
    student: Student,
    first: str,
    last: str,
    email: str | None,
    email_owner: dict[str, Any],
    member: ExternalMember,
    result: RosterSyncResult,
    relinked: bool = False,
) -> None:
    """Bring one existing student in line with the school's record."""
    email = _email_if_free(email, student.pk, email_owner, member, result)
    before = (student.first_name, student.last_name, student.email, student.left_at)
    if student.left_at is not None:
        result.returned.append(student)
    student.first_name, student.last_name, student.left_at = first, last, None
    if email or not student.email:
        if student.email and student.email.lower() != email:
            email_owner.pop(student.email.lower(), None)
        student.email = email
        if email:
            email_owner[email] = student.pk
    changed = before != (student.first_name, student.last_name, student.email, student.left_at)
    if changed or relinked:
        student.save()
        if student not in result.returned:
            result.updated.append(student)
    else:
        result.unchanged += 1
