"""Turning an uploaded file into plain text, or a clear reason why not.

Pure functions over bytes: no Django, no database. Every failure a teacher can cause
(an empty file, a broken PDF, a Word file that is really a zip bomb) becomes an
``ExtractionFailure`` with a code and a sentence the teacher can act on.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

SUPPORTED_FORMATS = ("txt", "docx", "pdf")

# Limits that keep a hostile file from eating the worker: generous for real essays.
MAX_DOCX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_DOCX_COMPRESSION_RATIO = 200
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000


@dataclass(frozen=True)
class ExtractionFailure(Exception):
    code: str  # empty | unreadable | unsupported | too_large | encrypted
    reason: str

    def __str__(self) -> str:
        return self.reason


def file_format_of(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix


def extract_text(filename: str, data: bytes) -> str:
    """The essay's plain text; raises ExtractionFailure."""
    file_format = file_format_of(filename)
    if file_format not in SUPPORTED_FORMATS:
        raise ExtractionFailure(
            "unsupported",
            f"Unsupported file type '.{file_format}'. Upload .txt, .docx or .pdf files."
            if file_format
            else "The file has no extension. Upload .txt, .docx or .pdf files.",
        )
    if not data:
        raise ExtractionFailure("empty", "The file is empty (0 bytes).")
    if file_format == "txt":
        text = _text_from_txt(data)
    elif file_format == "docx":
        text = _text_from_docx(data)
    else:
        text = _text_from_pdf(data)
    text = _clean(text)
    if not text.strip():
        raise ExtractionFailure("empty", "The file contains no text.")
    return text[:MAX_TEXT_CHARS]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # NUL and other C0 controls (except tab/newline) break databases and displays.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def _text_from_txt(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExtractionFailure("unreadable", "The text file's UTF-16 encoding is broken.") from exc
    if _looks_binary(data):
        raise ExtractionFailure(
            "unreadable", "The file does not look like text (it contains binary data)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Swedish Windows machines save "ANSI" text as cp1252; latin-1 covers the rest.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def _check_zip_is_sane(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionFailure(
            "unreadable", "The .docx file is damaged or is not a Word document."
        ) from exc
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_DOCX_COMPRESSION_RATIO and info.file_size > 1024 * 1024:
                raise ExtractionFailure(
                    "unreadable", "The .docx file is malformed (abnormally compressed content)."
                )
        if total > MAX_DOCX_UNCOMPRESSED_BYTES:
            raise ExtractionFailure("too_large", "The .docx file's content is too large to read.")
        if "word/document.xml" not in archive.namelist():
            raise ExtractionFailure("unreadable", "The .docx file is not a Word document.")


def _text_from_docx(data: bytes) -> str:
    _check_zip_is_sane(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises a zoo of lxml/zip/KeyError types
        raise ExtractionFailure("unreadable", "The .docx file could not be read.") from exc
    lines: list[str] = []
    # Names often sit in the page header: read it first, like a person would.
    for section in document.sections:
        with contextlib.suppress(Exception):  # header parts are optional, sometimes malformed
            lines.extend(p.text for p in section.header.paragraphs)
    lines.extend(p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    for section in document.sections:
        with contextlib.suppress(Exception):
            lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)


def _text_from_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception:
                unlocked = 0
            if not unlocked:
                raise ExtractionFailure(
                    "encrypted", "The PDF is password-protected. Upload it without a password."
                )
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise ExtractionFailure("too_large", f"The PDF has more than {MAX_PDF_PAGES} pages.")
        return "\n".join((page.extract_text() or "") for page in pages)
    except ExtractionFailure:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractionFailure("unreadable", "The PDF file is damaged and could not be read.") from exc
