"""Property-based robustness: the engine never raises and keeps its invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import EssayInput, RosterStudent, match_batch

from .helpers import ROSTER

names = st.text(min_size=0, max_size=20)
students = st.builds(
    RosterStudent,
    student_id=st.uuids().map(str),
    first_name=names,
    last_name=names,
    email=st.one_of(st.none(), st.emails(), names),
)
essays = st.builds(
    EssayInput,
    essay_id=st.uuids().map(str),
    text=st.text(max_size=400),
    filename=st.one_of(st.none(), st.text(max_size=60)),
)


def _check(results: list, n: int) -> None:
    assert len(results) == n
    for r in results:
        assert r.status in ("high", "review", "none")
        assert len(r.suggestions) <= 3
        assert 0.0 <= r.confidence <= 1.0
        for s in r.suggestions:
            assert 0.0 <= s.confidence <= 1.0
        if r.status == "none":
            assert r.student_id is None and r.confidence == 0.0
        confs = [s.confidence for s in r.suggestions]
        assert confs == sorted(confs, reverse=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(essays, max_size=5), st.lists(students, max_size=6))
def test_arbitrary_unicode_never_raises(batch: list[EssayInput], roster: list) -> None:
    _check(match_batch(batch, roster), len(batch))


@settings(max_examples=60, deadline=None)
@given(st.lists(essays, max_size=4))
def test_realistic_roster_with_arbitrary_text(batch: list[EssayInput]) -> None:
    _check(match_batch(batch, ROSTER), len(batch))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_header_and_signature_slots_with_arbitrary_values(head: str, tail: str) -> None:
    text = f"Namn: {head}\nE-post: {tail}\n\nTitel\n\nBrödtext.\n\n// {tail}\n{head}"
    _check(match_batch([EssayInput("e", text, f"{head}_{tail}.docx")], ROSTER), 1)


def test_empty_batch_and_empty_roster() -> None:
    assert match_batch([], ROSTER) == []
    result = match_batch([EssayInput("e", "Namn: Anna Andersson")], [])
    _check(result, 1)
    assert result[0].status == "none"


def test_duplicate_roster_names_are_never_high() -> None:
    roster = [RosterStudent("a", "Anna", "Andersson"), RosterStudent("b", "Anna", "Andersson")]
    result = match_batch([EssayInput("e", "Namn: Anna Andersson\n\nText.")], roster)[0]
    assert result.status == "review"
    assert {s.student_id for s in result.suggestions} == {"a", "b"}


def test_duplicate_roster_emails_are_never_high() -> None:
    roster = [RosterStudent("a", "Anna", "A", "x@y.se"), RosterStudent("b", "Bo", "B", "x@y.se")]
    result = match_batch([EssayInput("e", "x@y.se\n\nText.")], roster)[0]
    assert result.status != "high"


def test_giant_inputs() -> None:
    text = "Namn: Anna Andersson\n" + ("ord " * 50_000 + "\n") * 5 + "x" * 1_000_000
    result = match_batch([EssayInput("e", text, "a" * 10_000)], ROSTER)[0]
    assert result.student_id == "s1"
    one_line = "Anna Andersson " + "y" * 2_000_000
    _check(match_batch([EssayInput("e", one_line)], ROSTER), 1)
