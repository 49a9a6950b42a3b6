"""Batch-level resolution: conflicts, double submissions, margins."""

from __future__ import annotations

from matching.engine import EssayInput, match_batch

from .helpers import BODY, ROSTER


def test_two_weak_claims_on_one_student_are_not_both_high() -> None:
    essays = [
        EssayInput("e1", "Titel" + BODY + "\n// Christina"),
        EssayInput("e2", "Titel" + BODY + "\n// Christina"),
    ]
    results = match_batch(essays, ROSTER)
    assert all(r.status != "high" for r in results)


def test_student_with_two_strong_essays_keeps_both() -> None:
    essays = [
        EssayInput("e1", "Namn: Anna Andersson" + BODY),
        EssayInput("e2", "Name: Anna Andersson" + BODY, "anna_andersson_v2.docx"),
    ]
    results = match_batch(essays, ROSTER)
    assert [(r.student_id, r.status) for r in results] == [("s1", "high"), ("s1", "high")]


def test_weak_claim_loses_to_strong_claim() -> None:
    essays = [
        EssayInput("e1", "Namn: Christina Eriksson" + BODY),
        EssayInput("e2", "Titel" + BODY + "\n// Christina"),
    ]
    strong, weak = match_batch(essays, ROSTER)
    assert (strong.student_id, strong.status) == ("s7", "high")
    assert weak.status in ("review", "none")
    if weak.suggestions:
        assert any("another essay" in r for r in weak.suggestions[0].reasons)


def test_exact_name_beats_one_typo_neighbour() -> None:
    roster = [*ROSTER]
    from matching.engine import RosterStudent

    roster.append(RosterStudent("s9", "Erika", "Johansson", None))
    result = match_batch([EssayInput("e1", "Namn: Erik Johansson" + BODY)], roster)[0]
    assert (result.student_id, result.status) == ("s2", "high")


def test_typo_between_two_students_is_review() -> None:
    from matching.engine import RosterStudent

    roster = [RosterStudent("a", "Eva", "Andersson"), RosterStudent("b", "Eva", "Andersén")]
    result = match_batch([EssayInput("e1", "Namn: Eva Anderssn" + BODY)], roster)[0]
    assert result.status == "review"
    assert {s.student_id for s in result.suggestions} == {"a", "b"}
