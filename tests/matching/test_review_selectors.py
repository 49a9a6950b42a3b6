"""batch_review and the picker's roster: what needs the teacher first, levels, nicknames."""

from __future__ import annotations

import pytest

from matching.models import MatchSuggestion
from matching.selectors import batch_review, natural_key, roster_for_picker, triage_order
from tests.conftest import essay_text_for

pytestmark = pytest.mark.django_db


def test_filenames_sort_naturally():
    names = ["Uppsats (10).docx", "uppsats (2).pdf", "Uppsats (1).txt", "Uppsats.txt", "Uppsats (2b).txt"]
    assert sorted(names, key=natural_key) == [
        "Uppsats (1).txt",
        "uppsats (2).pdf",
        "Uppsats (2b).txt",
        "Uppsats (10).docx",
        "Uppsats.txt",
    ]


def test_needs_attention_first_then_sure_matches_then_decided(validating, teacher, committed):
    from matching.services import association_decide

    batch = validating(
        [
            ("Uppsats (10).txt", essay_text_for("Åsa", "Sjöström")),
            ("Uppsats (2).txt", essay_text_for("Erik", "Andersson")),
            ("Uppsats (3).txt", essay_text_for("Elsa", "Lindqvist")),
            ("Uppsats (11).txt", "En text utan namn.\n\nSlut."),
        ]
    )
    decided = batch.essays.get(original_filename="Uppsats (3).txt")
    with committed():
        association_decide(
            batch_id=batch.id,
            essay_id=decided.id,
            student_id=decided.suggestions.get(rank=1).student_id,
            decided_by=teacher,
        )
    review = batch_review(batch)
    assert [item.essay.original_filename for item in review.items] == [
        "Uppsats (11).txt",
        "Uppsats (2).txt",
        "Uppsats (10).txt",
        "Uppsats (3).txt",
    ]
    unnamed, *_, done = review.items
    assert (unnamed.strength, unnamed.needs_attention, unnamed.needs_me, unnamed.compact) == (
        "none",
        True,
        True,
        False,
    )
    assert (done.strength, done.needs_attention, done.needs_me, done.compact) == ("high", False, False, True)
    assert review.needs_attention_count == 1
    assert triage_order(list(reversed(review.items))) == review.items


def test_a_suggestion_reads_high_review_or_weak():
    assert MatchSuggestion(level="high", confidence=0.95).strength == "high"
    assert MatchSuggestion(level="review", confidence=0.62).strength == "review"
    assert MatchSuggestion(level="review", confidence=0.08).strength == "weak"  # below the threshold
    assert MatchSuggestion(level="none", confidence=0.12).strength == "weak"


def test_the_picker_knows_the_engines_nicknames(school_class):
    from classroster.services import student_create

    student_create(school_class=school_class, first_name="Karl", last_name="Nilsson")
    roster = {entry["name"]: entry for entry in roster_for_picker(list(school_class.students.all()))}
    assert "kalle" in roster["Karl Nilsson"]["aliases"]
    assert (
        roster["Karl Johan Öberg"]["first"] == "Karl Johan"
        and "kalle" in roster["Karl Johan Öberg"]["aliases"]
    )
    assert roster["Åsa Sjöström"]["aliases"] == []
