"""The phenomena of unseen essays, one rule at a time: scans, split cues, compounds,
transliteration rules, the nickname data file."""

from __future__ import annotations

from pathlib import Path

from matching.engine import EssayInput, RosterStudent, match_batch
from matching.engine.given_names import (
    PET_FORMS,
    SHORT_FORMS,
    VARIANT_GROUPS,
    spelling_alternatives,
)
from matching.engine.normalize import ocr_key, translit_keys

from .helpers import BODY

ROSTER = [
    RosterStudent("hugo", "Hugo", "Ekström"),
    RosterStudent("hanna", "Hanna", "Ekström"),
    RosterStudent("hugob", "Hugo", "Berg"),
    RosterStudent("abdi", "Abdirahman", "Warsame"),
    RosterStudent("hossein", "Hossein", "Karimi"),
    RosterStudent("maxamed", "Maxamed", "Cali"),
    RosterStudent("melvin", "Melvin", "Grahn"),
]


def _top(text: str, filename: str | None = None) -> tuple[str | None, str]:
    result = match_batch([EssayInput("e", text, filename)], ROSTER)[0]
    return result.student_id, result.status


def test_scan_confusions_meet_in_one_key() -> None:
    assert ocr_key("ekstr0rn") == ocr_key("ekstrom")
    assert ocr_key("haralc1") == ocr_key("harald")
    assert ocr_key("a1bin") == ocr_key("albin") == ocr_key("aibin")
    assert ocr_key("2025") == "" and ocr_key("9b") == ""


def test_scanned_names_are_found() -> None:
    assert _top("Namn: Hugo Ekstr0m" + BODY) == ("hugo", "high")
    assert _top("Namn: Melvin Gr-\nahn\nKurs: SVE01" + BODY) == ("melvin", "high")
    assert _top("Namn: Hugo\nEkström\nKurs: SVE01" + BODY) == ("hugo", "high")


def test_transliteration_rules_meet_spellings_no_table_lists() -> None:
    assert set(translit_keys("husein")) & set(translit_keys("hossein"))
    assert set(translit_keys("xasan")) & set(translit_keys("hasan"))
    assert set(translit_keys("juliya")) & set(translit_keys("yulia"))
    assert not set(translit_keys("joel")) & set(translit_keys("julia"))
    assert _top("Namn: Husein Karimi" + BODY) == ("hossein", "high")
    assert _top("Namn: Mohamed Cali" + BODY)[0] == "maxamed"


def test_names_that_differ_only_in_vowels_around_one_consonant_never_meet_by_rule() -> None:
    # Olle, Ella, Ulla and Alla share the skeleton "l": too little of a name to say they
    # are one. "Olle R." names nobody on this roster.
    assert not set(translit_keys("olle")) & set(translit_keys("ella"))
    assert set(translit_keys("yulia")) & set(translit_keys("juliya"))  # two consonants: kept
    roster = [RosterStudent("e", "Ella", "Rydberg"), RosterStudent("n", "Nils", "Berg")]
    result = match_batch([EssayInput("e", "Namn: Olle R." + BODY)], roster)[0]
    assert result.status == "none"


def test_a_russian_initial_e_is_written_with_or_without_its_j() -> None:
    assert set(translit_keys("jevgenij")) & set(translit_keys("evgeny"))
    assert set(translit_keys("jelena")) & set(translit_keys("elena"))
    roster = [RosterStudent("j", "Jevgenij", "Kidane"), RosterStudent("o", "Omar", "Kidane")]
    result = match_batch([EssayInput("e", "Name: Evgeny Kidane" + BODY)], roster)[0]
    assert result.student_id == "j"


def test_a_typo_of_one_name_can_be_another_students_transliteration() -> None:
    # "Mohamed" is one letter from Mohammed Berg's given name and Maxamed Holmgren's in
    # Somali spelling: the surname decides, so the look-up keeps both readings.
    roster = [RosterStudent("b", "Mohammed", "Berg"), RosterStudent("h", "Maxamed", "Holmgren")]
    result = match_batch([EssayInput("e", "Student: Mohamed Holmgren" + BODY)], roster)[0]
    assert result.student_id == "h"


def test_a_digraph_for_a_letter_with_a_caron_is_the_roster_name_itself() -> None:
    # "Shehic" is how Šehić is spelled without the letter: as exact as "Sehic", so the
    # student who goes by Melvin is told from the one whose second given name it is.
    roster = [RosterStudent("m", "Melvin", "Šehić"), RosterStudent("n", "Nicholas Melvin", "Šehić")]
    for signature in ("/Melvin Shehic", "/Melvin Sehic"):
        result = match_batch([EssayInput("e", "Datum: 2026-02-09" + BODY + "\n" + signature)], roster)[0]
        assert (result.student_id, result.status) == ("m", "high")
    roster = [RosterStudent("d", "Đorđe", "Karimi"), RosterStudent("r", "Robert", "Karimi")]
    result = match_batch([EssayInput("e", "Titel" + BODY + "\n// Djordje Karimi")], roster)[0]
    assert (result.student_id, result.status) == ("d", "high")


def test_a_classmates_name_may_be_another_students_transliteration_at_review() -> None:
    # "Mohamed" is Mohamed Claesson's name as written, and Maxamed Kärrman's in another
    # spelling: only Maxamed's surname is in the header, so he is suggested, for review.
    roster = [
        RosterStudent("c", "Mohamed", "Claesson"),
        RosterStudent("k", "Maxamed", "Kärrman"),
        RosterStudent("s", "Selma", "Kärrman"),
        RosterStudent("a", "Anna", "Berg"),
        RosterStudent("b", "Bo", "Berg"),
    ]
    header = "Namn: Mohamed Kärrman" + BODY
    alone = match_batch([EssayInput("e", header)], roster)[0]
    assert (alone.student_id, alone.status) == ("k", "review")
    assert "also a classmate's name" in alone.suggestions[0].reasons[0]
    # Once the rest of the class has handed in, the remaining student decides it.
    others = ["Namn: Mohamed Claesson", "Namn: Selma Kärrman", "Namn: Anna Berg", "Namn: Bo Berg"]
    batch = [EssayInput(f"o{i}", text + BODY) for i, text in enumerate(others)]
    decided = match_batch([*batch, EssayInput("e", header)], roster)[-1]
    assert (decided.student_id, decided.status) == ("k", "high")
    # A lone first name is the classmate's: the rule never reads it as somebody else's.
    signed = match_batch([EssayInput("e", "Titel" + BODY + "\n// Mohamed")], roster)[0]
    assert {s.student_id for s in signed.suggestions} == {"c"}


def test_a_classmates_nickname_is_not_read_by_the_rules() -> None:
    # "Izzy" is Isabella's nickname; its skeleton also meets Ayşe's, as short words' do:
    # the nickname is Isabella's, decided.
    roster = [RosterStudent("i", "Isabella", "Öhman"), RosterStudent("a", "Ayşe", "Öhman")]
    izzy = match_batch([EssayInput("e", "Student: Izzy Öhman" + BODY)], roster)[0]
    assert [s.student_id for s in izzy.suggestions] == ["i"]
    assert izzy.status == "high"


def test_compound_written_apart_is_glued() -> None:
    assert _top("Namn: Abdi Rahman Warsame" + BODY) == ("abdi", "high")


def test_first_name_and_surname_in_two_places_make_a_full_name() -> None:
    # "/Hugo" fits two Hugos; the filename's surname fits two Ekströms: only together.
    assert _top("Titel" + BODY + "\n/Hugo", "Ekstrom_uppsats.docx") == ("hugo", "high")
    alone = match_batch([EssayInput("e", "Titel" + BODY + "\n/Hugo")], ROSTER)[0]
    assert alone.status != "high"


def test_nickname_file_has_a_source_for_every_row() -> None:
    data = Path(__file__).resolve().parents[3] / "matching" / "engine" / "data" / "nicknames.tsv"
    rows = [r for r in data.read_text(encoding="utf-8").splitlines() if r.strip() and not r.startswith("#")]
    assert rows
    for row in rows:
        kind, nick, formal, source = row.split("\t")
        assert kind in ("pet", "short") and nick and formal and source.strip()
    assert PET_FORMS["kalle"] == ("karl", "carl")
    assert "william" in SHORT_FORMS["liam"]


def test_variant_file_has_a_source_for_every_group() -> None:
    data = Path(__file__).resolve().parents[3] / "matching" / "engine" / "data" / "variants.tsv"
    rows = [r for r in data.read_text(encoding="utf-8").splitlines() if r.strip() and not r.startswith("#")]
    assert len(rows) == len(VARIANT_GROUPS)
    for row in rows:
        spellings, source = row.split("\t")
        assert len(spellings.split(",")) >= 2 and source.strip()
    assert "muhammad" in spelling_alternatives("mohammed")


def test_a_name_part_garbled_by_a_scan_is_suggested_for_review() -> None:
    """Two letters lost or misread in one name part, the rest of the name exact: the
    student is suggested, never "high" (it may be somebody else's name)."""
    roster = [
        RosterStudent("sixten", "Sixten", "Nordin"),
        RosterStudent("melvin", "Melvin", "Lundmark"),
        RosterStudent("tove", "Tove", "Berg"),
    ]
    for text, student in (
        ("Elev: Sten Nordin", "sixten"),
        ("Melvin Lundrk", "melvin"),
        ("Elev: Sten No-\nrdin", "sixten"),
    ):
        result = match_batch([EssayInput("e", text + BODY)], roster)[0]
        assert (result.student_id, result.status) == (student, "review"), text
        assert "2 typos" in result.suggestions[0].reasons[0]


def test_a_garbled_part_must_start_alike_and_leave_enough_of_the_name() -> None:
    roster = [RosterStudent("sixten", "Sixten", "Nordin"), RosterStudent("bo", "Bo", "Lind")]
    for text in ("Elev: Karl Nordin", "Elev: Bra Lind", "Elev: Sixten Nodrinn Berg"):
        assert match_batch([EssayInput("e", text + BODY)], roster)[0].status != "high", text
    assert match_batch([EssayInput("e", "Elev: Karl Nordin" + BODY)], roster)[0].status == "none"
    assert match_batch([EssayInput("e", "Elev: Bra Lind" + BODY)], roster)[0].status == "none"


def test_a_roster_name_as_written_is_not_read_as_another_garbled() -> None:
    """ "Oskar Hussein" is Oskar Hussein; Omar Hussein is not suggested beside him."""
    roster = [RosterStudent("oskar", "Oskar", "Hussein"), RosterStudent("omar", "Omar", "Hussein")]
    result = match_batch([EssayInput("e", "Namn: Oskar Hussein" + BODY)], roster)[0]
    assert [s.student_id for s in result.suggestions] == ["oskar"]
    assert result.status == "high"
