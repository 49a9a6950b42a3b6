"""HuleEdu matching engine: attribute student essays to roster students.

Pure Python (stdlib + rapidfuzz), no Django: text + filename + roster in, ranked
suggestions with reasons and evidence out. See docs/matching.md.
"""

from .batch import match_batch
from .calibration import HIGH_CONFIDENCE, REVIEW_MIN
from .types import EssayInput, EssayMatch, Evidence, RosterStudent, Suggestion

__all__ = [
    "HIGH_CONFIDENCE",
    "REVIEW_MIN",
    "EssayInput",
    "EssayMatch",
    "Evidence",
    "RosterStudent",
    "Suggestion",
    "match_batch",
]
