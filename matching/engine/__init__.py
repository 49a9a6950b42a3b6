"""HuleEdu matching engine: attribute student essays to roster students.

Pure Python (stdlib + rapidfuzz), no Django: text + filename + roster in, ranked
suggestions with reasons and evidence out. See docs/matching.md. Where a C compiler is at
hand the same source is compiled with mypyc (``compiled.py``, ``scripts/build_engine.py``).
"""

from . import compiled

compiled.check()  # before any compiled module loads: never run a build of other sources

from .batch import match_batch  # noqa: E402
from .calibration import HIGH_CONFIDENCE, REVIEW_MIN  # noqa: E402
from .types import EssayInput, EssayMatch, Evidence, RosterStudent, Suggestion  # noqa: E402

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
