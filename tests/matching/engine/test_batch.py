"""match_batch end to end, the public types, and predict_corpus."""

from __future__ import annotations

from matching.engine import EssayInput, EssayMatch, Evidence, Suggestion, match_batch
from matching.engine.corpus import predict_corpus

from .helpers import BODY, ROSTER


def test_one_result_per_essay_in_order() -> None:
    essays = [EssayInput(f"e{i}", "Namn: Anna Andersson" + BODY) for i in range(3)]
    essays.append(EssayInput("anon", "Titel" + BODY, "MHHXGLCG 50 (SA24D ENG 5 WRITING 2025).txt"))
    results = match_batch(essays, ROSTER)
    assert [r.essay_id for r in results] == ["e0", "e1", "e2", "anon"]
    assert results[-1].status == "none" and results[-1].suggestions == ()


def test_none_status_has_no_student_and_zero_confidence() -> None:
    result = match_batch([EssayInput("e", "Titel" + BODY)], ROSTER)[0]
    assert result.student_id is None and result.confidence == 0.0


def test_to_dict_round_trip_shapes() -> None:
    result = match_batch([EssayInput("e", "Namn: Anna Andersson" + BODY)], ROSTER)[0]
    data = result.to_dict()
    assert data["student_id"] == "s1" and data["status"] == "high"
    sugg = data["suggestions"][0]
    assert set(sugg) == {"student_id", "confidence", "reasons", "evidence"}
    assert set(sugg["evidence"][0]) == {"kind", "source", "matched_text", "context",
                                       "line_number"}


def test_types_are_frozen() -> None:
    ev = Evidence("email", "text", "a@b.se", "a@b.se", 1)
    s = Suggestion("s1", 0.5, ("r",), (ev,))
    m = EssayMatch("e", "review", (s,))
    assert m.student_id == "s1" and m.confidence == 0.5
    try:
        m.status = "high"  # type: ignore[misc]
    except (AttributeError, TypeError):
        pass
    else:
        raise AssertionError("EssayMatch must be frozen")


def test_predict_corpus_format() -> None:
    corpus = {"classes": [{
        "class_id": "c",
        "roster": [{"student_id": "s1", "first_name": "Anna", "last_name": "Andersson",
                    "email": None}],
        "essays": [{"essay_id": "e1", "filename": None, "text": "Namn: Anna Andersson\n\nx",
                    "expected_student_id": "s1"}],
    }]}
    preds = predict_corpus(corpus)
    assert preds["e1"]["student_id"] == "s1"
    assert preds["e1"]["status"] == "high"
    assert preds["e1"]["suggestions"][0][0] == "s1"
