"""OneRoster 1.1 CSV (the school systems' international export): a zip holding ``orgs.csv``,
``classes.csv``, ``users.csv`` and ``enrollments.csv``.

The teacher uploads the zip, picks a class, and that class's enrolled students become a
roster with their ``sourcedId`` as external id. Nothing of the upload is stored: the zip is
read in memory, with the same guards as a .docx essay (a bounded size, a bounded
decompressed size and ratio) plus refusal of absolute or ``..`` member names.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from classroster.models import RosterSource, SchoolClass
from classroster.services import ExternalMember, RosterSyncResult, class_create, roster_sync
from huleedu.errors import Conflict, DomainError, NotFound, PayloadTooLarge

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # a whole municipality's users.csv fits
MAX_COMPRESSION_RATIO = 200
REQUIRED_FILES = {
    "orgs.csv": {"sourcedid", "name", "type"},
    "classes.csv": {"sourcedid", "title", "schoolsourcedid"},
    "users.csv": {"sourcedid", "role", "givenname", "familyname"},
    "enrollments.csv": {"sourcedid", "classsourcedid", "usersourcedid", "role"},
}
STUDENT_ROLES = {"student"}


@dataclass
class OneRosterClass:
    sourced_id: str
    title: str
    school: str
    students: list[ExternalMember] = field(default_factory=list)


@dataclass
class OneRosterExport:
    classes: dict[str, OneRosterClass]
    errors: list[dict[str, Any]]


def _refuse(message: str, code: str, details: Any = None) -> DomainError:
    return DomainError(message, code=code, details=details)


def _safe_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by base name, after refusing anything that could escape or explode."""
    total = 0
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"):
            raise _refuse(
                _("The zip file holds a file with an absolute or '..' path; it was refused."),
                "unsafe_archive",
                {"name": info.filename},
            )
        if info.flag_bits & 0x1:
            raise _refuse(_("The zip file is encrypted."), "unsafe_archive", {"name": info.filename})
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise PayloadTooLarge(_("The zip file's content is too large to read."), code="archive_too_large")
        if (
            info.file_size > 1024 * 1024
            and info.file_size / max(info.compress_size, 1) > MAX_COMPRESSION_RATIO
        ):
            raise _refuse(
                _("The zip file is abnormally compressed (a zip bomb?); it was refused."),
                "unsafe_archive",
                {"name": info.filename},
            )
        if not info.is_dir():
            by_name[name.rsplit("/", 1)[-1].lower()] = info
    return by_name


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    # The sizes in a zip's directory can lie: read at most what was declared, plus one byte.
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise _refuse(
            _("The zip file's sizes do not match its content."), "unsafe_archive", {"name": info.filename}
        )
    if b"\x00" in data[:4096]:
        raise _refuse(
            _("%(file)s is not a CSV text file.") % {"file": info.filename},
            "invalid_oneroster",
            {"file": info.filename},
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # OneRoster files are UTF-8 by the specification; guessing another encoding would
        # silently garble names.
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(
            _("%(file)s is not UTF-8 text (line %(line)d).") % {"file": info.filename, "line": line},
            "invalid_encoding",
            {"file": info.filename, "line": line},
        ) from exc


def _rows(name: str, text: str, errors: list[dict[str, Any]]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise _refuse(
            _("%(file)s is empty.") % {"file": name}, "invalid_oneroster_header", {"file": name}
        ) from exc
    except csv.Error as exc:
        raise _refuse(
            _("%(file)s has an unreadable header row.") % {"file": name},
            "invalid_oneroster_header",
            {"file": name},
        ) from exc
    missing = sorted(REQUIRED_FILES[name] - set(header))
    if missing:
        raise _refuse(
            _("%(file)s lacks required columns: %(columns)s.")
            % {"file": name, "columns": ", ".join(missing)},
            "invalid_oneroster_header",
            {"file": name, "missing": missing, "found": header[:30]},
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                errors.append(
                    {
                        "file": name,
                        "line": reader.line_num,
                        "error": _("%(found)d fields where the header has %(expected)d")
                        % {"found": len(row), "expected": len(header)},
                    }
                )
                continue
            record = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
            if record.get("status", "").lower() == "tobedeleted":
                continue
            if not record["sourcedid"]:
                errors.append({"file": name, "line": reader.line_num, "error": "the row has no sourcedId"})
                continue
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        errors.append(
            {
                "file": name,
                "line": reader.line_num,
                "error": _("unreadable CSV: %(problem)s") % {"problem": exc},
            }
        )
    return rows


def oneroster_read(*, data: bytes) -> OneRosterExport:
    """Parse an export: its classes with their enrolled students; bad rows by file and line."""
    if len(data) > MAX_ZIP_BYTES:
        raise PayloadTooLarge(
            _("The zip file is larger than %(limit)s bytes.") % {"limit": f"{MAX_ZIP_BYTES:,}"},
            code="archive_too_large",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(
            _("The file is not a zip file (a OneRoster CSV export is one)."), "invalid_archive"
        ) from exc
    errors: list[dict[str, Any]] = []
    with archive:
        members = _safe_members(archive)
        missing = sorted(set(REQUIRED_FILES) - set(members))
        if missing:
            raise _refuse(
                _("The zip file lacks %(files)s.") % {"files": ", ".join(missing)},
                "invalid_oneroster",
                {"missing_files": missing},
            )
        try:
            tables = {
                name: _rows(name, _read_member(archive, members[name]), errors) for name in REQUIRED_FILES
            }
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise _refuse(_("The zip file is damaged."), "invalid_archive") from exc
    return _export_from(tables, errors)


def _export_from(
    tables: dict[str, list[tuple[int, dict[str, str]]]], errors: list[dict[str, Any]]
) -> OneRosterExport:
    orgs = {r["sourcedid"]: r.get("name", "") for _line, r in tables["orgs.csv"]}
    classes = {
        r["sourcedid"]: OneRosterClass(
            sourced_id=r["sourcedid"],
            title=r.get("title") or r["sourcedid"],
            school=orgs.get(r.get("schoolsourcedid", ""), ""),
        )
        for _line, r in tables["classes.csv"]
    }
    students: dict[str, ExternalMember] = {}
    for line, r in tables["users.csv"]:
        if r["role"].lower() not in STUDENT_ROLES:
            continue
        if not r["givenname"] and not r["familyname"]:
            errors.append({"file": "users.csv", "line": line, "error": "the student has no name"})
            continue
        students[r["sourcedid"]] = ExternalMember(
            external_id=r["sourcedid"],
            first_name=r["givenname"],
            last_name=" ".join(p for p in (r.get("middlename", ""), r["familyname"]) if p),
            email=r.get("email") or None,
        )
    enrolled: set[tuple[str, str]] = set()  # a student enrolled twice in a class counts once
    for line, r in tables["enrollments.csv"]:
        if r["role"].lower() not in STUDENT_ROLES:
            continue
        school_class = classes.get(r["classsourcedid"])
        student = students.get(r["usersourcedid"])
        if school_class is None:
            errors.append(
                {
                    "file": "enrollments.csv",
                    "line": line,
                    "error": _("unknown class %(id)r") % {"id": r["classsourcedid"]},
                }
            )
        elif student is None:
            errors.append(
                {
                    "file": "enrollments.csv",
                    "line": line,
                    "error": _("unknown student %(id)r") % {"id": r["usersourcedid"]},
                }
            )
        elif (school_class.sourced_id, student.external_id) not in enrolled:
            enrolled.add((school_class.sourced_id, student.external_id))
            school_class.students.append(student)
    return OneRosterExport(classes=classes, errors=errors)


def oneroster_class_import(
    *,
    owner: AbstractBaseUser,
    data: bytes,
    class_sourced_id: str,
    school_class: SchoolClass | None = None,
    name: str | None = None,
) -> tuple[SchoolClass, RosterSyncResult, list[dict[str, Any]]]:
    """One class of the export as a roster: a new class, or (re-import) an existing one that
    follows it: names and e-mails updated, newcomers added, leavers marked, nobody deleted."""
    export = oneroster_read(data=data)
    chosen = export.classes.get(class_sourced_id)
    if chosen is None:
        raise NotFound(
            _("The export has no class with that sourcedId."),
            code="oneroster_class_not_found",
            details={"class_sourced_id": class_sourced_id},
        )
    with transaction.atomic():
        if school_class is None:
            school_class = class_create(owner=owner, name=(name or chosen.title)[:120])
            school_class.external_source, school_class.external_id = RosterSource.ONEROSTER, chosen.sourced_id
            school_class.save(update_fields=["external_source", "external_id", "updated_at"])
        elif school_class.external_source not in ("", RosterSource.ONEROSTER) or (
            school_class.external_id and school_class.external_id != chosen.sourced_id
        ):
            raise Conflict(_("This class follows another roster source."), code="class_linked_elsewhere")
        result = roster_sync(
            school_class=school_class, source=RosterSource.ONEROSTER, members=chosen.students
        )
        if not school_class.external_id:
            school_class.external_id = chosen.sourced_id
            school_class.save(update_fields=["external_id", "updated_at"])
    return school_class, result, export.errors
