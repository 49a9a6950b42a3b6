"""Real .docx and .pdf files built from lines of text, for demos, walkthroughs and tests.

The PDF writer is deliberately tiny (one page per ~45 lines, Helvetica, WinAnsi encoding so
å/ä/ö survive); it produces files that real readers (pypdf, browsers) open and extract.
"""

from __future__ import annotations

import io


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_bytes(lines: list[str]) -> bytes:
    pages = [lines[i : i + 45] for i in range(0, max(len(lines), 1), 45)] or [[]]
    objects: list[bytes] = []
    font_id = 3
    page_ids = []
    for page_lines in pages:
        stream = (
            b"BT /F1 11 Tf 14 TL 56 780 Td "
            + b" ".join(_pdf_string(line) + b" Tj T*" for line in page_lines)
            + b" ET"
        )
        content_id = len(objects) + 4 + 1
        page_ids.append(content_id - 1)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (font_id, content_id)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % i for i in page_ids)
        + b"] /Count %d >>" % len(pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    all_objects = head + objects
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(all_objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(all_objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(all_objects) + 1, xref))
    return out.getvalue()
