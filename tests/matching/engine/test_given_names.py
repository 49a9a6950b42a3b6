"""Names as Swedish students write them: nicknames, transliterations, double and middle names."""

from __future__ import annotations

from matching.engine import EssayInput, EssayMatch, RosterStudent, match_batch
from matching.engine.given_names import (
    PET,
    PET_FORMS,
    SHORT,
    SHORT_FORMS,
    VARIANT_GROUPS,
    nicknames_for,
    spelling_alternatives,
)
from matching.engine.normalize import fold

from .helpers import BODY

ROSTER = [
    RosterStudent("karl", "Karl", "Andersson"),
    RosterStudent("lars", "Lars", "Berglund"),
    RosterStudent("elisabet", "Elisabet", "Lund"),
    RosterStudent("mohammed", "Mohammed", "Hussein"),
    RosterStudent("karljohan", "Karl Johan", "Näslund"),
    RosterStudent("annakarin", "Anna-Karin", "von Essen"),
    RosterStudent("erik", "Erik", "Johansson"),
    RosterStudent("maria", "Maria", "Holm"),
    RosterStudent("christoffer", "Christoffer", "Ek"),
    RosterStudent("yasmin", "Yasmin", "Ali"),
    RosterStudent("olof", "Olof", "Strand"),
    RosterStudent("olov", "Olov", "Strand"),
    RosterStudent("michael", "Michael", "Wikström"),
    RosterStudent("yusuf", "Yusuf", "Omar"),
    RosterStudent("aisha", "Aisha", "Warsame"),
    RosterStudent("linh", "Linh", "Nguyễn"),
    RosterStudent("aleksandar", "Aleksandar", "Petrović"),
]


def _match(text: str, roster: list[RosterStudent] | None = None,
           filename: str | None = None) -> EssayMatch:
    return match_batch([EssayInput("e1", text, filename)], roster or ROSTER)[0]


def _top(text: str, roster: list[RosterStudent] | None = None) -> tuple[str | None, str]:
    m = _match(text, roster)
    return m.student_id, m.status


# --- the tables -----------------------------------------------------------------------


def test_tables_are_folded_and_consistent() -> None:
    words = [*PET_FORMS, *SHORT_FORMS]
    words += [w for formals in (*PET_FORMS.values(), *SHORT_FORMS.values()) for w in formals]
    words += [w for group in VARIANT_GROUPS for w in group]
    assert all(w == fold(w) and w.isalpha() for w in words)
    assert not set(PET_FORMS) & set(SHORT_FORMS)
    seen: set[str] = set()
    for group in VARIANT_GROUPS:
        assert not group & seen, group & seen  # a spelling belongs to one group only
        seen |= group


def test_nickname_and_variant_lookups() -> None:
    assert ("kalle", PET) in nicknames_for("karl")
    assert ("lisa", SHORT) in nicknames_for("elisabeth")
    assert {"micke"} <= {n for n, _ in nicknames_for("michael")}
    assert ("alex", SHORT) in nicknames_for("aleksandar")  # via its variant Alexander
    assert "muhammad" in spelling_alternatives("mohammed")
    assert "mohammed" not in spelling_alternatives("mohammed")
    assert spelling_alternatives("karl") == frozenset()


# --- nicknames ------------------------------------------------------------------------


def test_pet_form_with_exact_surname_is_high() -> None:
    for text, sid in (
        ("Namn: Kalle Andersson", "karl"),
        ("Namn: Lasse Berglund", "lars"),
        ("Name: Stoffe Ek", "christoffer"),
        ("Namn: Micke Wikström", "michael"),
        ("ANDERSSON Kalle", "karl"),
    ):
        m = _match(text + BODY)
        assert (m.student_id, m.status) == (sid, "high"), text
        assert "nickname" in m.suggestions[0].reasons[0]


def test_nickname_is_weaker_than_the_registered_name() -> None:
    assert _match("Namn: Kalle Andersson" + BODY).confidence < _match(
        "Namn: Karl Andersson" + BODY
    ).confidence


def test_short_form_decides_only_when_no_classmate_carries_it() -> None:
    # Lisa and Maja are registered names of their own too: with the exact surname they
    # decide only while nobody in the class is called Lisa / Maja.
    assert _top("Namn: Lisa Lund" + BODY) == ("elisabet", "high")
    assert _top("Namn: Maja Holm" + BODY) == ("maria", "high")
    with_lisa = [*ROSTER, RosterStudent("lisa", "Lisa", "Berg")]
    assert _top("Namn: Lisa Lund" + BODY, with_lisa) == ("elisabet", "review")


def test_nickname_with_a_typo_or_second_deviation_stays_review() -> None:
    assert _top("Namn: Kalle Anderson" + BODY) == ("karl", "review")
    assert _top("Namn: Kalle Lars Andersson" + BODY)[1] != "high"


def test_nickname_fitting_two_students_is_review() -> None:
    m = _match("Namn: Olle Strand" + BODY)  # Olof Strand or Olov Strand
    assert m.status == "review"
    assert {s.student_id for s in m.suggestions[:2]} == {"olof", "olov"}


def test_nickname_that_is_a_classmates_given_name_is_review() -> None:
    roster = [*ROSTER, RosterStudent("kalle", "Kalle", "Svensson")]
    assert _top("Namn: Kalle Andersson" + BODY, roster) == ("karl", "review")


def test_outsider_sharing_a_nickname_form_is_not_matched() -> None:
    # Kalle Lindberg is not Karl Andersson; Lasse Andersson is neither Lars nor Karl.
    for text in ("Namn: Kalle Lindberg", "Namn: Lasse Andersson", "Student: Micke Berg"):
        m = _match(text + BODY)
        assert m.status == "none" and m.student_id is None, text


def test_nickname_alone_in_signature_is_review_at_most() -> None:
    m = _match("Titel" + BODY + "\n// Lasse")
    assert (m.student_id, m.status) == ("lars", "review")
    assert m.confidence < _match("Titel" + BODY + "\n// Lars").confidence


def test_nickname_essay_does_not_survive_as_double_submission() -> None:
    essays = [EssayInput("a", "Namn: Karl Andersson" + BODY),
              EssayInput("b", "Namn: Kalle Andersson" + BODY)]
    first, second = match_batch(essays, ROSTER)
    # Not two full names: not accepted as a double submission; a teacher looks at both.
    assert first.student_id == "karl" and second.status != "high"
    assert not any("more than one essay" in r for r in second.suggestions[0].reasons)


# --- transliteration variants ---------------------------------------------------------


def test_transliteration_variants_are_near_equivalent() -> None:
    for text, sid in (
        ("Namn: Muhammad Hussein", "mohammed"),
        ("Namn: Mohamed Husein", "mohammed"),
        ("Name: Mohammad Hossein", "mohammed"),
        ("Namn: Jasmin Ali", "yasmin"),
        ("Namn: Youssef Umar", "yusuf"),
        ("Name: Ayesha Warsame", "aisha"),
        ("Namn: Linh Nguyen", "linh"),
        ("Namn: Alexander Petrović", "aleksandar"),
        ("Namn: Aleksander Petrovic", "aleksandar"),
    ):
        m = _match(text + BODY)
        assert (m.student_id, m.status) == (sid, "high"), text


def test_variant_reason_is_shown() -> None:
    m = _match("Namn: Muhammad Hussein" + BODY)
    assert "spelling variant 'Muhammad'" in m.suggestions[0].reasons[0]


def test_roster_spelling_wins_over_a_variant() -> None:
    roster = [RosterStudent("a", "Mohammed", "Ali"), RosterStudent("b", "Muhammad", "Ali")]
    assert _top("Namn: Muhammad Ali" + BODY, roster) == ("b", "high")
    assert _top("Namn: Mohammed Ali" + BODY, roster) == ("a", "high")
    # a third spelling fits both equally: a teacher decides
    m = _match("Namn: Mohamed Ali" + BODY, roster)
    assert m.status == "review" and {s.student_id for s in m.suggestions} == {"a", "b"}


def test_variant_of_another_persons_name_is_not_a_match() -> None:
    assert _match("Namn: Muhammad Rashid" + BODY).status == "none"


# --- double given names and hyphens ---------------------------------------------------


def test_hyphenated_given_name_written_differently() -> None:
    for written in ("Anna-Karin", "Anna Karin", "AnnaKarin", "Annakarin", "ANNA-KARIN",
                    "anna-karin"):
        assert _top(f"Namn: {written} von Essen" + BODY) == ("annakarin", "high"), written
    assert _top("AnnaKarin von Essen" + BODY) == ("annakarin", "high")


def test_hyphenated_name_cut_in_half_is_review() -> None:
    # "Anna-Karin" is one name; "Karin von Essen" may be somebody else.
    assert _top("Namn: Karin von Essen" + BODY) == ("annakarin", "review")


def test_two_given_names_either_may_be_used() -> None:
    for written in ("Karl Johan Näslund", "Karl-Johan Näslund", "Karljohan Näslund",
                    "Karl Näslund", "Johan Näslund", "Näslund, Johan"):
        assert _top(f"Namn: {written}" + BODY) == ("karljohan", "high"), written


def test_second_given_name_alone_is_not_first_name_only_strength() -> None:
    m = _match("Namn: Johan Näslund" + BODY)
    assert m.confidence < _match("Namn: Karl Näslund" + BODY).confidence
    assert "exact" in m.suggestions[0].reasons[0]


# --- middle initials and middle names not on the roster -------------------------------


def test_middle_initial_or_name_not_on_roster() -> None:
    for written in ("Erik J. Johansson", "Erik J Johansson", "Erik Johan Johansson",
                    "Johansson, Erik Johan", "ERIK M. JOHANSSON"):
        assert _top(f"Namn: {written}" + BODY) == ("erik", "high"), written


def test_middle_name_that_is_another_students_given_name_is_ambiguous() -> None:
    roster = [RosterStudent("e", "Erik", "Andersson"), RosterStudent("j", "Johan", "Andersson")]
    m = _match("Namn: Erik Johan Andersson" + BODY, roster)
    assert m.status == "review" and {s.student_id for s in m.suggestions} == {"e", "j"}


def test_extra_surname_after_the_name_is_still_penalised() -> None:
    # A word *after* the surname is not a middle name.
    middle = _match("Namn: Erik Lars Johansson" + BODY).confidence
    after = _match("Namn: Erik Johansson Lars" + BODY).confidence
    assert after < middle


# --- two-letter names -------------------------------------------------------------------


def test_two_letter_names_with_a_doubled_letter_and_their_nickname() -> None:
    roster = [*ROSTER, RosterStudent("bo", "Bo", "Ekstrand"), RosterStudent("ek", "Eetu", "Ek")]
    assert _top("Namn: Boo Ekstrand" + BODY, roster) == ("bo", "high")
    assert _top("Namn: Eetu Ekk" + BODY, roster) == ("ek", "high")
    assert _top("Namn: Bosse Ekstrand" + BODY, roster) == ("bo", "high")
    # but a two-letter name is not a candidate for any three-letter word
    assert _match("Namn: Bra Ekstrand" + BODY, roster).status == "none"
    assert _match("Namn: Ali Eko" + BODY, roster).status == "none"
