"""The phenomenon families of bench/family_corpus.py meet their targets.

A small fresh corpus (its own seed) is generated and scored with the same metrics as
shared/tools/score_matches.py, per family.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from matching.engine.corpus import predict_corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from family_corpus import make_corpus, use_tables

from .test_corpus_targets import _metrics


@pytest.fixture(scope="module")
def corpus() -> dict:
    return make_corpus("tests", 12)


def _family(corpus: dict, family: str) -> dict:
    classes = []
    for cls in corpus["classes"]:
        classes.append(dict(cls, essays=[e for e in cls["essays"] if e["family"] == family]))
    return {"classes": classes}


def test_no_wrong_auto_and_no_false_match_anywhere(corpus: dict) -> None:
    m = _metrics(corpus)
    assert m["wrong_auto"] == 0
    assert m["null_false_match"] <= 0.02


def test_identical_uploads_are_high_once_and_right(corpus: dict) -> None:
    preds = predict_corpus(corpus)
    pairs = 0
    for cls in corpus["classes"]:
        by_text: dict[str, list[tuple[str, dict]]] = {}
        for e in cls["essays"]:
            if e["family"] == "identical":
                by_text.setdefault(e["text"], []).append((e["expected_student_id"], preds[e["essay_id"]]))
        for copies in by_text.values():
            pairs += 1
            assert [p["status"] for _x, p in copies].count("high") == 1
            assert all(p["student_id"] == expected for expected, p in copies)
    assert pairs >= 10


def test_the_second_name_tables_get_no_wrong_auto_and_rank_right() -> None:
    """Names the engine was not developed against (bench/family_corpus.py --tables 2)."""
    use_tables("2")
    try:
        second = make_corpus("tests-2", 10)
    finally:
        use_tables("1")
    m = _metrics(second)
    assert m["wrong_auto"] == 0
    assert m["null_false_match"] <= 0.02
    assert m["top1"] >= 0.98
