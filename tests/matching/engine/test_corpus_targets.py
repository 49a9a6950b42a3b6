"""The dev corpus meets the engine's quality targets (skipped if the corpus is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.engine.corpus import predict_corpus

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared" / "matching-corpus"


def _load(name: str) -> dict:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at ../shared/matching-corpus/{name}")
    return json.loads(path.read_text(encoding="utf-8"))


def _metrics(corpus: dict) -> dict[str, float]:
    """The same metrics as shared/tools/score_matches.py (overall row)."""
    preds = predict_corpus(corpus)
    n = right = authored = top3 = auto_right = high = high_right = nulls = claimed = 0
    for cls in corpus["classes"]:
        for essay in cls["essays"]:
            expected = essay.get("expected_student_id")
            pred = preds.get(essay["essay_id"], {})
            sid, status = pred.get("student_id"), pred.get("status", "none")
            sugg = [s[0] for s in pred.get("suggestions", [])][:3]
            n += 1
            right += sid == expected
            if status == "high":
                high += 1
                high_right += sid == expected and expected is not None
            if expected is None:
                nulls += 1
                claimed += sid is not None and status in ("high", "review")
            else:
                authored += 1
                top3 += expected in sugg
                auto_right += status == "high" and sid == expected
    return {
        "top1": right / n,
        "top3_recall": top3 / authored,
        "auto_coverage": auto_right / authored,
        "wrong_auto": high - high_right,
        "null_false_match": claimed / nulls if nulls else 0.0,
    }


def test_dev_corpus_targets() -> None:
    m = _metrics(_load("dev.json"))
    assert m["wrong_auto"] == 0
    assert m["auto_coverage"] >= 0.95
    assert m["top1"] >= 0.98
    assert m["top3_recall"] >= 0.995
    assert m["null_false_match"] <= 0.02


def test_original_service_cases_all_top1() -> None:
    m = _metrics(_load("original-service-cases.json"))
    assert m["top1"] == 1.0
    assert m["wrong_auto"] == 0
