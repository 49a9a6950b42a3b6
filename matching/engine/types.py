"""Value types that cross the engine boundary.

The Django app codes against exactly these classes, so they are frozen, slotted and
free of any framework import: the engine can be tested and benchmarked on its own, and a
result can be cached or serialised (``to_dict``) without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_HIGH = "high"
STATUS_REVIEW = "review"
STATUS_NONE = "none"


@dataclass(frozen=True, slots=True)
class RosterStudent:
    """One student on the class roster (the people an essay may be attributed to)."""

    student_id: str
    first_name: str
    last_name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class EssayInput:
    """One uploaded essay: its extracted plain text and the original filename, if any."""

    essay_id: str
    text: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a cue was found, so a teacher can see *why* the engine suggests a student."""

    kind: str
    source: str
    matched_text: str
    context: str
    line_number: int | None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "source": self.source,
            "matched_text": self.matched_text,
            "context": self.context,
            "line_number": self.line_number,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked candidate author with a calibrated confidence and its evidence."""

    student_id: str
    confidence: float
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict:
        return {
            "student_id": self.student_id,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "evidence": [ev.to_dict() for ev in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class EssayMatch:
    """The engine's verdict for one essay.

    ``status`` is ``"high"`` (safe to accept without review), ``"review"`` (a teacher
    should look) or ``"none"`` (no roster student could be identified).
    """

    essay_id: str
    status: str
    suggestions: tuple[Suggestion, ...]

    @property
    def student_id(self) -> str | None:
        """The top suggestion's student when the engine claims a match, else None."""
        if self.status == STATUS_NONE or not self.suggestions:
            return None
        return self.suggestions[0].student_id

    @property
    def confidence(self) -> float:
        """The top suggestion's confidence when the engine claims a match, else 0.0."""
        if self.status == STATUS_NONE or not self.suggestions:
            return 0.0
        return self.suggestions[0].confidence

    def to_dict(self) -> dict:
        return {
            "essay_id": self.essay_id,
            "status": self.status,
            "student_id": self.student_id,
            "confidence": self.confidence,
            "suggestions": [s.to_dict() for s in self.suggestions],
        }
