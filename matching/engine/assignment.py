"""Batch-level decisions: look at all essays of a batch together.

One student usually writes one essay, so when two essays point at the same student the
stronger claim keeps the student and the weaker one is demoted to review (and its next
candidate, if any, moves up — but only to review, since exclusion is not evidence).
A student who really handed in twice keeps both essays at "high" only when both carry
an exact full name or the roster e-mail.

Within one essay, a runner-up close to the best candidate lowers the best's confidence
(see ``calibration.MARGIN_WINDOW``), so ambiguous cases never reach "high".

Greedy by confidence is enough here: claims are sparse (one or two strong candidates per
essay), and a full Hungarian assignment would also force a one-to-one mapping that is
wrong for double submissions and for essays with no author.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import calibration as cal
from .scoring import StudentScore


@dataclass(slots=True)
class Candidate:
    """A student's standing for one essay while the batch is being resolved."""

    student: int
    confidence: float
    score: StudentScore
    notes: list[str] = field(default_factory=list)
    cap: float = 1.0

    @property
    def effective(self) -> float:
        return min(self.confidence, self.cap)


@dataclass(slots=True)
class Ranking:
    """The resolved, ordered candidates of one essay and its status."""

    status: str
    candidates: list[Candidate]


def apply_margin(candidates: list[Candidate]) -> list[tuple[Candidate, float]]:
    """Order candidates and compute each one's displayed confidence.

    The best candidate loses one-for-one whatever the runner-up comes closer than
    MARGIN_WINDOW; the others keep their own confidence but never exceed the best.
    """
    ordered = sorted(candidates, key=lambda c: (-c.effective, c.student))
    if not ordered:
        return []
    top = ordered[0].effective
    if len(ordered) > 1:
        second = ordered[1].effective
        if ordered[0].score.exact_identity and not ordered[1].score.exact_identity:
            second -= cal.EXACT_MATCH_ADVANTAGE
        top -= max(0.0, second - (top - cal.MARGIN_WINDOW))
    out = [(ordered[0], max(top, 0.0))]
    for cand in ordered[1:]:
        out.append((cand, min(cand.effective, max(top, 0.0))))
    return out


def _status(confidence: float) -> str:
    if confidence >= cal.HIGH_CONFIDENCE:
        return "high"
    if confidence >= cal.REVIEW_MIN:
        return "review"
    return "none"


def resolve_batch(per_essay: list[dict[int, StudentScore]]) -> list[Ranking]:
    """Resolve conflicting claims across the batch and give each essay a status."""
    pools: list[list[Candidate]] = [
        [Candidate(student, score.confidence, score) for student, score in scores.items()]
        for scores in per_essay
    ]

    claims: dict[int, list[tuple[int, Candidate, float]]] = {}
    for essay, pool in enumerate(pools):
        ranked = apply_margin(pool)
        if ranked and ranked[0][1] >= cal.REVIEW_MIN:
            cand, conf = ranked[0]
            claims.setdefault(cand.student, []).append((essay, cand, conf))

    for contenders in claims.values():
        if len(contenders) < 2:
            continue
        contenders.sort(key=lambda ec: (-ec[2], ec[0]))
        _winner_essay, winner, winner_conf = contenders[0]
        for _essay, loser, loser_conf in contenders[1:]:
            if winner.score.strong_identity and loser.score.strong_identity:
                note = "this student seems to have handed in more than one essay"
                for cand in (winner, loser):
                    if note not in cand.notes:
                        cand.notes.append(note)
                continue
            loser.confidence *= cal.CONFLICT_LOSER_FACTOR
            loser.cap = min(loser.cap, cal.HIGH_CAP_FOR_REVIEW)
            loser.notes.append("another essay in the batch matches this student better")
            if loser_conf >= winner_conf - cal.MARGIN_WINDOW:
                winner.cap = min(winner.cap, cal.HIGH_CAP_FOR_REVIEW)
                winner.notes.append("another essay in the batch also matches this student")

    rankings: list[Ranking] = []
    for pool in pools:
        before = apply_margin(pool)
        demoted_top = bool(before) and before[0][0].cap < 1.0
        ranked = before
        if demoted_top and len(pool) > 1:
            # The runner-up moves up only by exclusion: never to "high" on that basis.
            for cand in pool:
                if cand is not before[0][0]:
                    cand.cap = min(cand.cap, cal.HIGH_CAP_FOR_REVIEW)
            ranked = apply_margin(pool)
        if not ranked:
            rankings.append(Ranking("none", []))
            continue
        status = _status(ranked[0][1])
        final = []
        for cand, conf in ranked:
            cand.confidence = conf
            cand.cap = 1.0
            final.append(cand)
        rankings.append(Ranking(status, final))
    return rankings
