"""Each cue locator with realistic header, signature and filename examples."""

from __future__ import annotations

import pytest

from matching.engine.cues import (
    EMAIL_NAME,
    FILENAME,
    FIRST_LINE,
    HEADER_LABEL,
    NAME_LINE,
    NAME_PHRASE,
    SIGNATURE,
    EmailFound,
    declared_author_names,
    email_local_cue,
    find_filename_cue,
    find_filename_cues,
    find_text_cues,
)


def _values(text: str, kind: str) -> list[list[str]]:
    cues, _ = find_text_cues(text)
    return [[t for t, _, _ in c.tokens] for c in cues if c.kind == kind]


def test_english_and_swedish_author_labels() -> None:
    for label in ("Name", "Student", "Author", "By", "Written by", "Namn", "Elev",
                  "Författare", "Skriven av", "Elevens namn"):
        text = f"Kurs: SVE01\n{label}: Anna Andersson\n\nRubrik\n\nText."
        assert _values(text, HEADER_LABEL) == [["anna", "andersson"]], label


def test_teacher_and_course_lines_are_never_author_cues() -> None:
    text = "Teacher: Magnus Ekström\nLärare: Eva Sandberg\nKurs: SVE01\nDatum: 2025-02-27\n"
    cues, _ = find_text_cues(text + "\nTitle line\n\nBody text goes here.")
    assert all("magnus" not in [t for t, _, _ in c.tokens] for c in cues)
    assert all("eva" not in [t for t, _, _ in c.tokens] for c in cues)


def test_examnet_first_line_with_date_and_time() -> None:
    text = "Inga Khan  2025-02-28 10:24\n\n8C ENGELSKA ESSAY 2025\nTeacher: X Y\n\nBody."
    assert _values(text, FIRST_LINE)[0][:2] == ["inga", "khan"]


def test_name_and_class_line() -> None:
    text = "Kurs: EN9\nViktor Johansson - 8C\nLärare: A B\n\nTitle\n\nBody text here."
    assert ["viktor", "johansson", "8c"] in _values(text, NAME_LINE)


def test_label_value_on_next_line() -> None:
    text = "Namn:\nAnna Andersson\nKurs: SVE01\n\nBody."
    assert _values(text, HEADER_LABEL) == [["anna", "andersson"]]


def test_split_first_and_last_name_labels_are_combined() -> None:
    text = "Förnamn: Anna\nEfternamn: Andersson\n\nBody."
    assert ["anna", "andersson"] in _values(text, HEADER_LABEL)


def test_my_name_is_phrase() -> None:
    text = "Title\n\nHi! My name is Hilda Grahn and I live in Landvetter."
    assert _values(text, NAME_PHRASE)[0][:2] == ["hilda", "grahn"]


def test_signatures_with_markers_and_closings() -> None:
    body = "Intro\n\n" + "A long paragraph of prose that goes on. " * 5 + "\n\n"
    for ending, expected in [
        ("/Anna Andersson", ["anna", "andersson"]),
        ("// Anna", ["anna"]),
        ("— Anna Andersson", ["anna", "andersson"]),
        ("Best regards, Anna Andersson", ["anna", "andersson"]),
        ("Med vänliga hälsningar\nAnna Andersson", ["anna", "andersson"]),
        ("Mvh Anna Andersson", ["anna", "andersson"]),
        ("Skriven av Anna Andersson", ["anna", "andersson"]),
    ]:
        cues, _ = find_text_cues(body + ending)
        sigs = [c for c in cues if c.kind == SIGNATURE]
        assert sigs and [t for t, _, _ in sigs[-1].tokens] == expected, ending
        assert sigs[-1].marked


def test_bare_last_line_is_an_unmarked_signature() -> None:
    cues, _ = find_text_cues("Title\n\n" + "Prose sentence here. " * 6 + "\n\nTommy Khan")
    sig = [c for c in cues if c.kind == SIGNATURE]
    assert sig and not sig[0].marked


def test_emails_found_in_header() -> None:
    _, emails = find_text_cues("Mejl: Axel.Henriksson@Student.Skola.se\nKurs: X\n\nBody.")
    assert [e.address for e in emails] == ["axel.henriksson@student.skola.se"]


def test_email_on_teacher_line_is_ignored() -> None:
    _, emails = find_text_cues("Lärare: John Smith, john.smith@teacher.com\n\nBody.")
    assert emails == []


def test_filename_styles() -> None:
    for name in ("anna_andersson_essay.docx", "Andersson_Anna_uppsats.txt", "AnnaAndersson.pdf"):
        cue = find_filename_cue(name)
        assert cue is not None and cue.kind == FILENAME
        assert {"anna", "andersson"} <= {t for t, _, _ in cue.tokens}, name


def test_anonymous_examnet_filename_gives_no_cue() -> None:
    assert find_filename_cue("MHHXGLCG 50 (SA24D ENG 5 WRITING 2025).txt") is None
    assert find_filename_cue(None) is None


def test_glued_particles_in_filename_are_peeled() -> None:
    cues = find_filename_cues("ZeynepvanderBerg_uppsats.txt")
    readings = [[t for t, _, _ in c.tokens] for c in cues]
    assert ["zeynep", "van", "der", "berg", "uppsats"] in readings


def test_email_local_part_cue() -> None:
    found = EmailFound("anna.andersson2@gmail.com", "anna.andersson2@gmail.com", 1, 0, 25)
    cue = email_local_cue(found)
    assert cue is not None and cue.kind == EMAIL_NAME
    assert [t for t, _, _ in cue.tokens] == ["anna", "andersson"]


def test_student_id_email_gives_no_name_cue() -> None:
    found = EmailFound("ab12cd@edu.stad.se", "ab12cd@edu.stad.se", 1, 0, 18)
    assert email_local_cue(found) is None


def test_huge_body_is_not_tokenised() -> None:
    text = "Anna Andersson\n\n" + ("word " * 200 + "\n") * 2000 + "/Anna Andersson"
    cues, _ = find_text_cues(text)
    kinds = {c.kind for c in cues}
    assert FIRST_LINE in kinds and SIGNATURE in kinds
    assert all(c.line_number is None or c.line_number < 40 or c.line_number > 1990
               for c in cues)


@pytest.mark.parametrize(("text", "names"), [
    ("Namn: Hugo Eriksson\nKlass: 9B\n\nText.", [("Hugo", "Eriksson")]),
    ("Namn: Eriksson, Hugo\n\nText.", [("Hugo", "Eriksson")]),
    ("Uppsats\nFörnamn: Anna Karin\nEfternamn: Öberg\n\nText.", [("Anna Karin", "Öberg")]),
    ("Lärare: Lena Berg\nNamn: Maja Öberg\n\nText.", [("Maja", "Öberg")]),  # the teacher is no author
    ("Min text\n\nLite mer.\n\nHugo E.", []),  # a signature may be anything: not offered
    ("Namn: Hugo\n\nText.", []),  # one word is not a name to add
    ("Namn: Hugo Eriksson 9B\n\nText.", []),
])
def test_declared_author_names_are_the_labelled_header_names_as_written(text, names):
    assert declared_author_names(text) == names
