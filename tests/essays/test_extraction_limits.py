"""A small file that asks for minutes of parsing fails as ``too_complex`` within its budget,
and the rest of the server keeps answering meanwhile."""

from __future__ import annotations

import io
import threading
import time

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from rest_framework.test import APIClient

from essays.extraction import MAX_TEXT_CHARS, ExtractionBudget, ExtractionFailure, extract_text
from essays.models import Essay, EssayStatus

pytestmark = pytest.mark.django_db(transaction=True)


def shared_stream_pdf(pages: int, operators: int = 300_000) -> bytes:
    """Every page draws the same 2 MB content stream, which compresses to a few KB: each page
    costs the parser seconds, the file costs the sender nothing."""
    writer = PdfWriter()
    content = StreamObject()
    content.set_data(b"BT /F1 1 Tf " + b"(a) Tj " * operators + b"ET")
    content = content.flate_encode()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    shared = None
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        if shared is None:
            page.replace_contents(content)
            shared = page.raw_get("/Contents")
        else:
            page[NameObject("/Contents")] = shared
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_paragraphs(paragraphs: list[str]) -> bytes:
    """A real .docx (python-docx's own package) whose body is these paragraphs, written as XML
    directly: python-docx takes minutes to add 100,000 paragraphs one by one."""
    import zipfile
    from xml.sax.saxutils import escape

    from essays.samples import docx_bytes

    template = zipfile.ZipFile(io.BytesIO(docx_bytes(["x"])))
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{namespace}">'
                f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            data = document.encode() if item.filename == "word/document.xml" else template.read(item)
            archive.writestr(item.filename, data)
    return out.getvalue()


def test_the_hostile_pdf_is_small():
    assert len(shared_stream_pdf(10)) < 10_000


@pytest.mark.slow
def test_extraction_over_its_cpu_budget_fails_as_too_complex():
    started = time.monotonic()
    with pytest.raises(ExtractionFailure) as failure:
        extract_text("essay.pdf", shared_stream_pdf(10), ExtractionBudget(cpu_seconds=2, wall_seconds=30))
    assert failure.value.code == "too_complex"
    assert time.monotonic() - started < 8


@pytest.mark.slow
def test_extraction_over_its_wall_clock_budget_fails_as_too_complex():
    started = time.monotonic()
    with pytest.raises(ExtractionFailure) as failure:
        extract_text("essay.pdf", shared_stream_pdf(10), ExtractionBudget(cpu_seconds=60, wall_seconds=1.5))
    assert failure.value.code == "too_complex"
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_extraction_over_its_memory_budget_fails_as_too_complex():

    import random
    import string

    # A Word file whose paragraphs need more memory to parse than 64 MB of address space allows
    # (random letters, so that it is no zip bomb).
    rng = random.Random(3)
    data = docx_with_paragraphs(
        ["".join(rng.choices(string.ascii_letters + " ", k=100)) for _ in range(100_000)]
    )
    with pytest.raises(ExtractionFailure) as failure:
        extract_text("essay.docx", data, ExtractionBudget(memory_bytes=64 * 1024 * 1024))
    assert failure.value.code == "too_complex"


def test_real_files_are_read_within_the_budget():
    from essays.samples import docx_bytes

    assert "Åsa" in extract_text("essay.docx", docx_bytes(["Namn: Åsa Sjöström", "Min sommar"]))


def test_text_is_capped_while_it_is_extracted():
    import random
    import string

    from essays.samples import docx_bytes

    rng = random.Random(7)
    paragraphs = ["".join(rng.choices(string.ascii_letters + " ", k=100_000)) for _ in range(30)]
    text = extract_text("long.docx", docx_bytes(paragraphs))
    assert len(text) == MAX_TEXT_CHARS


@pytest.mark.slow
def test_an_upload_of_the_hostile_pdf_answers_in_time_and_lists_stay_fast(teacher):
    from batches.services import batch_register

    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=2)
    uploader, reader = APIClient(), APIClient()
    uploader.force_authenticate(teacher)
    reader.force_authenticate(teacher)
    answer: dict = {}

    def upload() -> None:
        started = time.monotonic()
        handle = io.BytesIO(shared_stream_pdf(10))
        handle.name = "hostile.pdf"
        answer["response"] = uploader.post(
            f"/api/v1/batches/{batch.id}/essays/", {"files": [handle]}, format="multipart"
        )
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(0.5)  # the upload is parsing now
    list_seconds = []
    while thread.is_alive():
        started = time.monotonic()
        assert reader.get(f"/api/v1/batches/{batch.id}/essays/").status_code == 200
        list_seconds.append(time.monotonic() - started)
        time.sleep(0.2)
    thread.join()
    assert answer["response"].status_code in (200, 201), answer["response"].content
    assert answer["seconds"] < 15
    assert list_seconds and max(list_seconds) < 2, list_seconds
    essay = Essay.objects.get(batch=batch)
    assert essay.status == EssayStatus.FAILED and essay.failure_code == "too_complex"
