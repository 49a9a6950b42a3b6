"""Run the engine over a whole corpus (the format of the shared matching corpus).

The app's ``match_corpus`` management command and ``bench/predict_corpus.py`` both call
``predict_corpus``, so the figures in docs/matching.md are the product's own figures.
"""

from __future__ import annotations

from .batch import match_batch
from .types import EssayInput, RosterStudent


def predict_corpus(corpus: dict) -> dict:
    """Predictions keyed by essay_id, in the format the corpus scorer reads.

    Each class is one batch: essays are matched only against their own class roster.
    Fields of the corpus that describe the answer (expected student, family) are never
    read.
    """
    predictions: dict[str, dict] = {}
    for cls in corpus.get("classes", []):
        roster = [
            RosterStudent(
                student_id=str(s["student_id"]),
                first_name=s.get("first_name") or "",
                last_name=s.get("last_name") or "",
                email=s.get("email"),
            )
            for s in cls.get("roster", [])
        ]
        essays = [
            EssayInput(
                essay_id=str(e["essay_id"]),
                text=e.get("text") or "",
                filename=e.get("filename"),
            )
            for e in cls.get("essays", [])
        ]
        for match in match_batch(essays, roster):
            predictions[match.essay_id] = {
                "student_id": match.student_id,
                "confidence": match.confidence,
                "status": match.status,
                "suggestions": [[s.student_id, s.confidence] for s in match.suggestions],
            }
    return predictions
