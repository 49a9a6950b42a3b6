"""exam.net anonymous codes: a batch's code → student list, and the essays that carry a code.

An anonymised exam.net export has no names: each essay carries its student's code in its
first line or its filename, and after marking the teacher downloads the code list (CSV or
XLSX). A code on the list whose student is on the roster is certain, so it wins over
whatever the engine read; a code that is not on the list, or a list line naming someone who
is not on the roster, is reported and never turned into a guess.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from batches.locks import batch_lock
from batches.models import Batch, BatchStatus, status_label
from classroster.models import ExamCode, Student
from classroster.services import _COLUMN_ALIASES, _clean_email, _clean_name, _defuse_formula
from essays.models import Essay
from huleedu.errors import Conflict, DomainError, PayloadTooLarge
from matching.engine.types import STATUS_HIGH, STATUS_NONE, STATUS_REVIEW, EssayMatch, Evidence, Suggestion

MAX_CODE_LIST_BYTES = 2 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_CODE_ROWS = 2000
MAX_CODE_CHARS = 64
HEADER_SEARCH_ROWS = 10  # exported sheets may start with a title row or two
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# Filenames join words with "_" and "-" ("SVE1_QX4821.docx"): a token is a run of letters and digits.
TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
LABELLED_CODE_RE = re.compile(
    r"(?i)\b(?:anonym(?:iserings|itets)?\s*kod|elevkod|kod|anonymous\s+code|exam\s+code|code)\s*[:#]\s*"
    r"([A-Za-z0-9][A-Za-z0-9_-]{0,63})"
)
CODE_ALIASES = {
    "code",
    "kod",
    "anonymous code",
    "anonym kod",
    "anonymiseringskod",
    "anonymitetskod",
    "elevkod",
    "student code",
    "exam code",
    "anon code",
    "anonymous id",
    "anonymt id",
}
NAME_ALIASES = {
    "name",
    "namn",
    "student",
    "elev",
    "full name",
    "student name",
    "elevnamn",
    "elevens namn",
    "fullständigt namn",
    "participant",
    "deltagare",
}
CLOSED = {BatchStatus.PIPELINE_REQUESTED, BatchStatus.CANCELLED, BatchStatus.FAILED}


@dataclass
class CodeListImport:
    codes: list[ExamCode] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def not_on_roster(self) -> list[dict[str, Any]]:
        return [
            {"line": c.line, "code": c.code, "name": c.name, "email": c.email}
            for c in self.codes
            if c.student_id is None
        ]


# --- reading the list ----------------------------------------------------------------------


def _fold(value: str) -> str:
    """Case, accents and spacing aside: 'ÅSA  Sjöström' and 'asa sjostrom' are one name."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace(",", " ").split())


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DomainError(
            _("The code list is neither a CSV text file nor an Excel (.xlsx) workbook."),
            code="invalid_code_list",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Swedish Excel's "CSV (semikolonavgränsad)"


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_CODE_ROWS + HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        raise DomainError(
            _("The code list is not readable CSV (line %(line)d): %(problem)s")
            % {"line": reader.line_num, "problem": exc},
            code="invalid_code_list",
            details={"line": reader.line_num},
        ) from exc
    return rows


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DomainError(
            "The .xlsx file is damaged or not an Excel workbook.", code="invalid_code_list"
        ) from exc
    with archive:
        # The same guard as a .docx essay: openpyxl would inflate whatever the zip claims.
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size / max(info.compress_size, 1) > 100:
                raise DomainError(
                    _("The .xlsx file is abnormally compressed (a zip bomb?); it was refused."),
                    code="unsafe_archive",
                )
        if total > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise PayloadTooLarge(
                "The .xlsx file's content is too large to read.", code="code_list_too_large"
            )
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and KeyError types for broken files
        raise DomainError(_("The .xlsx file could not be read."), code="invalid_code_list") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_row=MAX_CODE_ROWS + HEADER_SEARCH_ROWS + 1):
            rows.append(["" if v is None else str(v) for v in values[:50]])
        return rows
    finally:
        workbook.close()


def _header_columns(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    aliases = {
        "code": CODE_ALIASES,
        "name": NAME_ALIASES,
        **{k: v for k, v in _COLUMN_ALIASES.items() if k in ("first_name", "last_name", "email")},
    }
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = " ".join(cell.strip().strip('"').lower().replace("_", " ").split())
            for column, names in aliases.items():
                if column not in columns and (name in names or name.replace(" ", "_") in names):
                    columns[column] = position
        if "code" in columns:
            return index, columns
    raise DomainError(
        _(
            "The code list needs a header row naming the code column (code / kod) and a name (name / "
            "namn, or first and last name) and/or e-mail (email / e-post) column."
        ),
        code="invalid_code_list_header",
        details={"found": rows[0][:20] if rows else []},
    )


def _roster_index(students: Iterable[Student]) -> tuple[dict[str, list[Student]], dict[str, list[Student]]]:
    by_email: dict[str, list[Student]] = {}
    by_name: dict[str, list[Student]] = {}
    for student in students:
        if student.email:
            by_email.setdefault(student.email.lower(), []).append(student)
        first, last = _fold(student.first_name), _fold(student.last_name)
        for key in {f"{first} {last}".strip(), f"{last} {first}".strip()}:
            by_name.setdefault(key, []).append(student)
    return by_email, by_name


def _resolve(
    name: str, email: str | None, index: tuple[dict[str, list[Student]], dict[str, list[Student]]]
) -> tuple[Student | None, str | None]:
    """The one roster student this line names, or why there is none (never a near miss)."""
    by_email, by_name = index
    if email:
        found = by_email.get(email, [])
        if len(found) == 1:
            return found[0], None
    found = list({s.pk: s for s in by_name.get(_fold(name), [])}.values()) if name else []
    if len(found) == 1:
        return found[0], None
    if len(found) > 1:
        return None, "two roster students have this name; add their e-mail to the list"
    return None, "no student on the class roster has this name or e-mail"


def exam_codes_import(
    *, batch: Batch, data: bytes, filename: str = "", uploaded_by: AbstractBaseUser | None = None
) -> CodeListImport:
    """Replace the batch's code list with this file's. Bad rows are reported by line; a line
    naming nobody on the roster is kept (its code is then reported, never guessed).

    Before matching, the list simply waits for the essays. While the teacher reviews, the
    undecided essays are matched again with it (decisions stand)."""
    if batch.school_class_id is None:
        raise Conflict(
            "A batch without a class has no roster to match codes against.", code="batch_has_no_class"
        )
    _require_open(batch)
    result = _code_list_read(batch, data, filename)
    with transaction.atomic():
        # Under the batch lock: two uploads at once replace the list one after the other, and
        # a matching run never reads half a list.
        batch = batch_lock(batch.id)
        _require_open(batch)
        ExamCode.objects.filter(batch=batch).delete()
        ExamCode.objects.bulk_create(result.codes)
        if batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION and uploaded_by is not None:
            from matching.services.runs import matching_rematch_request  # runs reads the codes

            matching_rematch_request(batch_id=batch.id, requested_by=uploaded_by)
    return result


def _code_list_read(batch: Batch, data: bytes, filename: str) -> CodeListImport:
    """The file's codes, each resolved against the batch's roster, and its bad rows by line."""
    if len(data) > MAX_CODE_LIST_BYTES:
        raise PayloadTooLarge(
            _("The code list is larger than %(limit)s bytes.") % {"limit": f"{MAX_CODE_LIST_BYTES:,}"},
            code="code_list_too_large",
        )
    if not data.strip():
        raise DomainError(_("The code list is empty."), code="invalid_code_list")
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header_index, columns = _header_columns(rows)
    if not ({"name", "email", "first_name", "last_name"} & set(columns)):
        raise DomainError(
            _("The code list names no name or e-mail column."),
            code="invalid_code_list_header",
            details={"found": rows[header_index][:20]},
        )
    index = _roster_index(Student.objects.filter(school_class_id=batch.school_class_id))
    result = CodeListImport()
    seen: set[str] = set()
    for line, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(str(cell).strip() for cell in row):
            continue
        if len(result.codes) >= MAX_CODE_ROWS:
            result.errors.append({"line": line, "error": f"the list holds at most {MAX_CODE_ROWS} codes"})
            break
        entry = _entry(row, columns, line, seen, result)
        if entry is None:
            continue
        code, name, email = entry
        student, _why = _resolve(name, email, index)
        result.codes.append(
            ExamCode(batch=batch, code=code, name=name, email=email or "", student=student, line=line)
        )
    if not result.codes:
        raise DomainError(
            _("No line of the code list could be read."),
            code="invalid_code_list_rows",
            details={"errors": result.errors[:100]},
        )
    return result


def _entry(
    row: Sequence[str], columns: dict[str, int], line: int, seen: set[str], result: CodeListImport
) -> tuple[str, str, str | None] | None:
    def cell(column: str) -> str:
        position = columns.get(column)
        return str(row[position]).strip() if position is not None and position < len(row) else ""

    code = cell("code")
    name = _clean_name(_defuse_formula(cell("name")) or f"{cell('first_name')} {cell('last_name')}")[:201]
    email = _clean_email(cell("email"))
    problem = None
    if not code:
        problem = "the line has no code"
    elif len(code) > MAX_CODE_CHARS or not CODE_RE.match(code):
        problem = f"'{code[:MAX_CODE_CHARS]}' is not a code (letters, digits, - and _)"
    elif code.lower() in seen:
        problem = f"the code {code} is listed twice"
    elif not name and not email:
        problem = "the line has neither a name nor an e-mail"
    elif email and len(email) > 254:
        problem = "the e-mail is too long"
    if problem:
        result.errors.append({"line": line, "error": problem, "row": [str(c)[:100] for c in row[:10]]})
        return None
    seen.add(code.lower())
    return code, name, email


# --- finding codes in essays ---------------------------------------------------------------


@dataclass(frozen=True)
class CodeMatch:
    code: str
    student_id: str | None  # None: the list names someone who is not on the roster
    source: str  # "text" (the first line) or "filename", as the engine names its sources
    context: str
    line_number: int | None


@dataclass
class CodeScan:
    matches: dict[str, CodeMatch] = field(default_factory=dict)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    conflicting: list[dict[str, Any]] = field(default_factory=list)


def _shape(code: str) -> str:
    return re.sub(r"[a-z]+", "a", re.sub(r"[0-9]+", "9", code.lower()))


def _first_line(text: str) -> tuple[str, int | None]:
    for number, line in enumerate(text.splitlines()[:20], start=1):
        if line.strip():
            return line.strip()[:300], number
    return "", None


def code_matches_for_essays(*, batch: Batch, essays: Sequence[Essay]) -> CodeScan:
    """Which essays carry a code of the batch's list, and which carry a code that is not on it."""
    listed = {c.code.lower(): c for c in ExamCode.objects.filter(batch=batch)}
    scan = CodeScan()
    if not listed:
        return scan
    # A token shaped like the listed codes (e.g. letters then digits, with a digit) that is not
    # on the list is an unknown code; plain words never are.
    shapes = {_shape(code) for code in listed if code.isalnum() and any(ch.isdigit() for ch in code)}
    # Listed codes are found as whole words (a code may itself hold "-" or "_"), longest first.
    known = re.compile(
        r"(?i)(?<![A-Za-z0-9])("
        + "|".join(re.escape(code) for code in sorted(listed, key=len, reverse=True))
        + r")(?![A-Za-z0-9])"
    )
    for essay in essays:
        line, number = _first_line(essay.text or "")
        stem = (essay.original_filename or "").rsplit(".", 1)[0]
        found: dict[str, CodeMatch] = {}
        unknown: set[str] = set()
        for source, text, line_number in (("text", line, number), ("filename", stem, None)):
            for hit in known.finditer(text):
                entry = listed[hit.group(1).lower()]
                student_id = str(entry.student_id) if entry.student_id else None
                found.setdefault(entry.code, CodeMatch(entry.code, student_id, source, text, line_number))
            labelled = {m.group(1).lower() for m in LABELLED_CODE_RE.finditer(text)}
            shaped = {
                t
                for t in (t.lower() for t in TOKEN_RE.findall(text))
                if _shape(t) in shapes and any(ch.isdigit() for ch in t)
            }
            unknown |= {token for token in labelled | shaped if token not in listed}
        essay_id = str(essay.id)
        if len(found) > 1:
            scan.conflicting.append(
                {"essay_id": essay_id, "filename": essay.original_filename, "codes": sorted(found)}
            )
        elif found:
            scan.matches[essay_id] = next(iter(found.values()))
        elif unknown:
            scan.unknown.append(
                {"essay_id": essay_id, "filename": essay.original_filename, "codes": sorted(unknown)}
            )
    return scan


def code_matches_apply(
    *, batch: Batch, essays: Sequence[Essay], results: list[EssayMatch]
) -> list[EssayMatch]:
    """The engine's results with the code list's certainty laid over them: a listed code's
    student first, high, confidence 1.0; that student taken out of the other essays'
    suggestions; an essay with a code problem never 'high'. Unchanged without a code list."""
    scan = code_matches_for_essays(batch=batch, essays=essays)
    if not (scan.matches or scan.unknown or scan.conflicting):
        return results
    claimed = {m.student_id for m in scan.matches.values() if m.student_id}
    flagged = {item["essay_id"] for item in scan.unknown + scan.conflicting}
    flagged |= {essay_id for essay_id, m in scan.matches.items() if m.student_id is None}
    updated = []
    for result in results:
        match = scan.matches.get(result.essay_id)
        if match is not None and match.student_id:
            updated.append(_certain(result, match))
        else:
            updated.append(_without(result, claimed, cap_at_review=result.essay_id in flagged))
    return updated


def exam_codes_summary(*, batch: Batch, essays: Sequence[Essay]) -> dict[str, Any]:
    """For the processing summary: what the codes matched and what the teacher must look at
    (empty when the batch has no code list)."""
    if not batch.exam_codes.exists():
        return {}
    scan = code_matches_for_essays(batch=batch, essays=essays)
    return {
        "exam_codes": {
            "codes_listed": batch.exam_codes.count(),
            "matched_by_code": sum(1 for m in scan.matches.values() if m.student_id),
            "unknown_codes": scan.unknown,
            "codes_not_on_roster": [
                {"essay_id": essay_id, "code": m.code}
                for essay_id, m in scan.matches.items()
                if m.student_id is None
            ],
            "conflicting_codes": scan.conflicting,
        }
    }


def _certain(result: EssayMatch, match: CodeMatch) -> EssayMatch:
    evidence = Evidence(
        kind="code",
        source=match.source,
        matched_text=match.code,
        context=match.context,
        line_number=match.line_number,
    )
    first = Suggestion(
        student_id=match.student_id or "",
        confidence=1.0,
        reasons=(f"exam.net code {match.code} is this student's on the batch's code list",),
        evidence=(evidence,),
    )
    others = tuple(s for s in result.suggestions if s.student_id != match.student_id)[:2]
    return EssayMatch(essay_id=result.essay_id, status=STATUS_HIGH, suggestions=(first, *others))


def _without(result: EssayMatch, claimed: set[str], *, cap_at_review: bool) -> EssayMatch:
    """Students a code proved elsewhere are no longer candidates; an essay with a code problem
    is never 'high' (the teacher must look)."""
    suggestions = tuple(s for s in result.suggestions if s.student_id not in claimed)
    status = result.status
    if suggestions != result.suggestions and (
        not result.suggestions or result.suggestions[0].student_id in claimed
    ):
        status = STATUS_REVIEW if suggestions else STATUS_NONE
    if cap_at_review and status == STATUS_HIGH:
        status = STATUS_REVIEW
    if not suggestions:
        status = STATUS_NONE
    return EssayMatch(essay_id=result.essay_id, status=status, suggestions=suggestions)


def exam_codes_clear(*, batch: Batch) -> int:
    with transaction.atomic():
        batch = batch_lock(batch.id)
        _require_open(batch)
        deleted, _by_model = ExamCode.objects.filter(batch=batch).delete()
    return deleted


def _require_open(batch: Batch) -> None:
    if batch.status in CLOSED:
        raise Conflict(
            _("The batch is “%(status)s”: its code list can no longer change.")
            % {"status": status_label(batch.status)},
            code="batch_closed",
            details={"status": batch.status},
        )
