"""Turning an uploaded file into plain text, or a clear reason why not.

Pure functions over bytes: no Django, no database. Every failure a teacher can cause
(an empty file, a broken PDF, a Word file that is really a zip bomb) becomes an
``ExtractionFailure`` with a code and a sentence the teacher can act on.

Word and PDF files are parsed in a child process with limits of its own (CPU seconds,
address space, wall-clock seconds): a small file can still ask for minutes of parsing (PDF
pages that all share one huge compressed content stream), and no such file may take a web
thread, the GIL or the machine's memory with it. A file over its budget fails with the code
``too_complex``. Children are forked from a small server process that has the parsers
imported already, so a child costs milliseconds, and forking never copies a web process's
threads.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from multiprocessing.connection import Connection

SUPPORTED_FORMATS = ("txt", "docx", "pdf")

# Limits that keep a hostile file from eating the worker: generous for real essays.
MAX_DOCX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_DOCX_COMPRESSION_RATIO = 200
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000


@dataclass(frozen=True)
class ExtractionBudget:
    """What parsing one file may cost. A real essay of 30 pages needs well under a second."""

    cpu_seconds: int = 4
    wall_seconds: float = 8.0
    memory_bytes: int = 768 * 1024 * 1024


def budget_from_environment() -> ExtractionBudget:
    defaults = ExtractionBudget()
    return ExtractionBudget(
        cpu_seconds=int(os.environ.get("HULEEDU_EXTRACTION_CPU_SECONDS") or defaults.cpu_seconds),
        wall_seconds=float(os.environ.get("HULEEDU_EXTRACTION_WALL_SECONDS") or defaults.wall_seconds),
        memory_bytes=int(os.environ.get("HULEEDU_EXTRACTION_MEMORY_MB") or defaults.memory_bytes // 2**20)
        * 2**20,
    )


@dataclass(eq=False)  # not frozen: raising and re-raising sets attributes (__traceback__)
class ExtractionFailure(Exception):
    code: str  # empty | unreadable | unsupported | too_large | encrypted | too_complex
    reason: str

    def __str__(self) -> str:
        return self.reason


TOO_COMPLEX = ExtractionFailure(
    "too_complex",
    "The file is too complex to read within the limits (it asks for far more work than an "
    "essay needs). Save it again as a plain PDF or .docx, or upload it as .txt.",
)


def file_format_of(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix


def extract_text(filename: str, data: bytes, budget: ExtractionBudget | None = None) -> str:
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
        # Decoding is linear in the (size-capped) file: no child needed.
        text = _text_from_txt(data)
    else:
        text = _extract_in_child(file_format, data, budget or budget_from_environment())
    text = _clean(text)
    if not text.strip():
        raise ExtractionFailure("empty", "The file contains no text.")
    return text[:MAX_TEXT_CHARS]


# --- the bounded child process ---------------------------------------------------------------

_context: multiprocessing.context.BaseContext | None = None


def _child_context() -> multiprocessing.context.BaseContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["essays.extraction", "pypdf", "docx"])
        _context = context
    return _context


def _extract_in_child(file_format: str, data: bytes, budget: ExtractionBudget) -> str:
    receiver, sender = _child_context().Pipe(duplex=False)
    child = _child_context().Process(
        target=_child_main, args=(sender, file_format, data, budget), daemon=True
    )
    child.start()
    sender.close()  # the child holds the only writing end: EOF means it is gone
    try:
        if not receiver.poll(budget.wall_seconds):
            raise TOO_COMPLEX
        try:
            outcome = receiver.recv()
        except (EOFError, OSError):  # killed by its CPU or memory limit before answering
            raise TOO_COMPLEX from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    kind, *value = outcome
    if kind == "failed":
        raise ExtractionFailure(*value)
    return value[0]


def _child_main(sender: Connection, file_format: str, data: bytes, budget: ExtractionBudget) -> None:
    import resource

    # Soft CPU limit: SIGXCPU ends the process; the hard limit a second later is the backstop.
    resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_seconds, budget.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (budget.memory_bytes, budget.memory_bytes))
    # Plain tuples cross the pipe: ("text", text) or ("failed", code, reason).
    try:
        text = _text_from_docx(data) if file_format == "docx" else _text_from_pdf(data)
        outcome: tuple[str, ...] = ("text", text)
    except ExtractionFailure as failure:
        outcome = ("failed", failure.code, failure.reason)
    except MemoryError:
        outcome = ("failed", TOO_COMPLEX.code, TOO_COMPLEX.reason)
    except Exception:  # a parser bug on a strange file: unreadable, never a crash upstream
        outcome = ("failed", "unreadable", "The file could not be read.")
    sender.send(outcome)
    sender.close()


# --- the formats ---------------------------------------------------------------------------


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
    except MemoryError:
        raise  # over the memory budget: too complex, not damaged
    except Exception as exc:  # python-docx raises a zoo of lxml/zip/KeyError types
        raise ExtractionFailure("unreadable", "The .docx file could not be read.") from exc
    lines = _CappedLines()
    # Names often sit in the page header: read it first, like a person would.
    for section in document.sections:
        with contextlib.suppress(Exception):  # header parts are optional, sometimes malformed
            lines.extend(p.text for p in section.header.paragraphs)
    lines.extend(p.text for p in document.paragraphs)
    for table in document.tables:
        lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
    for section in document.sections:
        with contextlib.suppress(Exception):
            lines.extend(p.text for p in section.footer.paragraphs)
    return lines.text()


class _CappedLines:
    """Lines of text that stop growing at MAX_TEXT_CHARS: reading stops there too."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.chars = 0

    @property
    def full(self) -> bool:
        return self.chars >= MAX_TEXT_CHARS

    def extend(self, lines: object) -> None:
        for line in lines:  # type: ignore[attr-defined]
            if self.full:
                return
            self.lines.append(line)
            self.chars += len(line) + 1

    def text(self) -> str:
        return "\n".join(self.lines)[:MAX_TEXT_CHARS]


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
        text = _CappedLines()
        for page in pages:
            if text.full:
                break
            text.extend([page.extract_text() or ""])
        return text.text()
    except ExtractionFailure:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractionFailure("unreadable", "The PDF file is damaged and could not be read.") from exc
