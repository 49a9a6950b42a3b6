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
    "external_id": {"id", "external_id", "external id", "student_id", "student id", "elev-id", "elevid",
                    "elev id", "person_id", "personid", "sourcedid"},
}
MAX_EXTERNAL_ID_CHARS = 200
MAX_NAME_CHARS = 100


def class_create(*, owner: AbstractBaseUser, name: str) -> SchoolClass:
    try:
        with transaction.atomic():
            return SchoolClass.objects.create(owner=owner, name=name.strip())
    except IntegrityError as exc:
        raise Conflict("You already have a class with that name.", code="duplicate_class") from exc


def class_update(*, school_class: SchoolClass, name: str) -> SchoolClass:
    school_class.name = name.strip()
    try:
        with transaction.atomic():
            school_class.save(update_fields=["name", "updated_at"])
    except IntegrityError as exc:
        raise Conflict("You already have a class with that name.", code="duplicate_class") from exc
    return school_class


def class_delete(*, school_class: SchoolClass) -> None:
    if school_class.batches.exists():
        raise Conflict("The class has batches; it cannot be deleted.", code="class_in_use")
    school_class.delete()


def _clean_name(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join((value or "").split()))


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value.lower() or None


def _check_roster_room(school_class: SchoolClass, adding: int) -> None:
    if school_class.students.count() + adding > settings.MAX_ROSTER_SIZE:
        raise DomainError(
            f"A class roster holds at most {settings.MAX_ROSTER_SIZE} students.",
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
        raise Conflict(f"Another student of this class already has the e-mail {email}.",
                       code="duplicate_email", details={"email": email}) from exc


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
        raise DomainError("A student needs a first or a last name.", code="student_without_name")
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
        raise Conflict("Essays are attributed or suggested to this student; decide those essays first.",
                       code="student_in_use", details={"student_id": str(student.id), **uses})
    student.delete()


def _check_student_email_free(school_class: SchoolClass, email: str | None, exclude_id: Any = None) -> None:
    if not email:
        return
    clash = school_class.students.filter(email__iexact=email).exclude(pk=exclude_id)
    if clash.exists():
        raise Conflict(f"Another student of this class already has the e-mail {email}.",
                       code="duplicate_email", details={"email": email})


def students_create_many(*, school_class: SchoolClass, rows: list[dict[str, Any]]) -> list[Student]:
    with transaction.atomic():
        return [student_create(school_class=school_class, **row) for row in rows]


# --- CSV import --------------------------------------------------------------------------


@dataclass
class RosterImportResult:
    created: list[Student] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped_duplicates: int = 0


def _decode_csv(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DomainError("The file is not a CSV text file.", code="invalid_csv")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _map_header(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().strip('"').lower()
        for column, aliases in _COLUMN_ALIASES.items():
            if name in aliases and column not in mapping:
                mapping[column] = index
    return mapping


def _defuse_formula(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is stored as plain text."""
    return value.lstrip("=+-@\t\r") if value[:1] in ("=", "+", "@", "\t", "\r") else value


def roster_export_csv(*, school_class: SchoolClass) -> str:
    """The roster as CSV for a spreadsheet, with the id the school's system knows each student by."""
    students = school_class.students.order_by("last_name", "first_name")
    return csv_document(["first_name", "last_name", "email", "external_id"],
                        ((s.first_name, s.last_name, s.email or "", s.external_id or "") for s in students))


def roster_import_csv(*, school_class: SchoolClass, data: bytes) -> RosterImportResult:
    """Import students from a spreadsheet export; bad rows are reported by line, good rows kept."""
    if len(data) > settings.MAX_ROSTER_CSV_BYTES:
        raise PayloadTooLarge(
            f"The CSV file is larger than {settings.MAX_ROSTER_CSV_BYTES:,} bytes.", code="csv_too_large"
        )
    text = _decode_csv(data)
    if not text.strip():
        raise DomainError("The CSV file is empty.", code="invalid_csv")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DomainError("The CSV file has no header row.", code="invalid_csv") from exc
    columns = _map_header(header)
    missing = [c for c in ("first_name", "last_name") if c not in columns]
    if missing:
        raise DomainError(
            "The header row must name first_name and last_name (förnamn, efternamn), and may name "
            "email (e-post).",
            code="invalid_csv_header",
            details={"missing": missing, "found": header},
        )

    result = RosterImportResult()
    existing_emails = {e.lower() for e in school_class.students.exclude(email=None)
                       .values_list("email", flat=True)}
    existing_names = set(school_class.students.values_list("first_name", "last_name", "email"))
    taken_ids = set(school_class.students.filter(external_source=RosterSource.CSV)
                    .exclude(external_id=None).values_list("external_id", flat=True))
    room = settings.MAX_ROSTER_SIZE - school_class.students.count()
    to_create: list[Student] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            values = {c: (row[i] if i < len(row) else "") for c, i in columns.items()}
            first = _clean_name(_defuse_formula(values.get("first_name", "")))[:MAX_NAME_CHARS + 1]
            last = _clean_name(_defuse_formula(values.get("last_name", "")))[:MAX_NAME_CHARS + 1]
            email = _clean_email(values.get("email"))
            external_id = _defuse_formula(values.get("external_id", "").strip()) or None
            problem = _row_problem(first, last, email, existing_emails) or _id_problem(external_id, taken_ids)
            if problem:
                result.errors.append({"line": line, "error": problem, "row": row[:10]})
                continue
            if (first, last, email) in existing_names:
                result.skipped_duplicates += 1
                continue
            if len(to_create) >= room:
                result.errors.append({"line": line, "error":
                                      f"the roster is full ({settings.MAX_ROSTER_SIZE} students)"})
                continue
            if email:
                existing_emails.add(email)
            if external_id:
                taken_ids.add(external_id)
            existing_names.add((first, last, email))
            to_create.append(
                Student(school_class=school_class, first_name=first, last_name=last, email=email,
                        external_id=external_id, external_source=RosterSource.CSV if external_id else "")
            )
    except csv.Error as exc:
        result.errors.append({"line": reader.line_num, "error": f"unreadable CSV: {exc}"})
    with transaction.atomic():
        result.created = Student.objects.bulk_create(to_create)
    return result


def _id_problem(external_id: str | None, taken: set[str]) -> str | None:
    if external_id is None:
        return None
    if len(external_id) > MAX_EXTERNAL_ID_CHARS:
        return f"the id is longer than {MAX_EXTERNAL_ID_CHARS} characters"
    if external_id in taken:
        return f"the id {external_id} is already on the roster"
    return None


def _row_problem(first: str, last: str, email: str | None, taken: set[str]) -> str | None:
    if not first and not last:
        return "the row has no name"
    invisible = invisible_characters(first + last)
    if invisible:
        return ("a name contains control, direction-changing or zero-width characters "
                f"({', '.join(invisible[:5])})")
    if len(first) > MAX_NAME_CHARS or len(last) > MAX_NAME_CHARS:
        return f"a name is longer than {MAX_NAME_CHARS} characters"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return f"'{email}' is not a valid e-mail address"
        if email in taken:
            return f"the e-mail {email} is already on the roster"
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
        return {"created": len(self.created), "updated": len(self.updated), "left": len(self.left),
                "returned": len(self.returned), "unchanged": self.unchanged, "problems": self.problems}


def roster_sync(
    *, school_class: SchoolClass, source: str, members: list[ExternalMember]
) -> RosterSyncResult:
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
            result.problems.append({"external_id": member.external_id, "error": "listed twice"})
            return
        self.seen.add(member.external_id)
        first = _clean_name(member.first_name)[:MAX_NAME_CHARS]
        last = _clean_name(member.last_name)[:MAX_NAME_CHARS]
        if not first and not last:
            result.problems.append({"external_id": member.external_id, "error": "the member has no name"})
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
            full = f"the roster is full ({settings.MAX_ROSTER_SIZE} students)"
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
        result.problems.append({"external_id": member.external_id,
                                "error": f"'{email}' is not a valid e-mail address; kept without one"})
        return None
    return email


def _email_if_free(email: str | None, student_pk: Any, email_owner: dict[str, Any],
                   member: ExternalMember, result: RosterSyncResult) -> str | None:
    if email and email_owner.get(email, student_pk) != student_pk:
        result.problems.append({"external_id": member.external_id,
                                "error": f"another student of the class already has the e-mail {email}"})
        return None
    return email


def _student_follow(student: Student, first: str, last: str, email: str | None,
                    email_owner: dict[str, Any], member: ExternalMember, result: RosterSyncResult,
                    relinked: bool = False) -> None:
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
