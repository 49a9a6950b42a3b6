"""Batch-level decisions: look at all essays of a batch together.

One student writes one essay, so the batch is resolved in three steps:

1. **Claims.** When two essays point at the same student, the stronger claim keeps the
   student and the weaker one is demoted to review (its runner-up, if any, moves up —
   but only to review, since exclusion is not evidence). A student is never "high" on
   two essays of one batch: a real double submission shows both essays (the second at
   review, with a note), and the same file uploaded twice (identical text) is "high" at
   most once. Students already attributed to other essays of the batch (the app's
   ``already_attributed``) are taken: still suggested, with a note, never "high".
2. **Ranking.** Within one essay, a runner-up close to the best candidate lowers the
   best's confidence (``calibration.MARGIN_WINDOW``), so ambiguous cases stay at review.
3. **The remaining students are the prior for weak cues.** Once the confident matches
   (and the already attributed students) account for most of the class, a weak cue in
   an author position (first name only, "Hugo E.", "H. Ekström", "H.E.") that fits
   exactly one of the students still without an essay decides: that student is the only
   one it can be. While most of the class is still unaccounted for, a first name unique
   among them is only "unique in class" — what a sibling or a pupil of another class can
   imitate — and stays at review. It never fires when the cue contradicts the name
   (another surname or initial next to the first name), when two essays make the same
   weak claim, or on a student who is already taken.

Greedy by confidence is enough here: claims are sparse (one or two strong candidates per
essay), and a full Hungarian assignment would force a one-to-one mapping that is wrong
for essays with no author.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from . import calibration as cal
from .scoring import StudentScore

NOTE_TAKEN = "this student already has an essay in this batch"
NOTE_IDENTICAL = "the same text as another essay in this batch"
NOTE_TWICE = "this student seems to have handed in more than one essay"
NOTE_LOST = "another essay in the batch matches this student better"
NOTE_SHARED = "another essay in the batch also matches this student"
NOTE_PRIOR = "the only student still without an essay whom this name fits"


@dataclass(slots=True)
class Candidate:
    """A student's standing for one essay while the batch is being resolved."""

    student: int
    confidence: float
    score: StudentScore
    notes: list[str] = field(default_factory=list)
    cap: float = 1.0
    blocked: bool = False
    """Demoted for a reason of its own (a copy, a lost conflict, taken), not by exclusion."""

    @property
    def effective(self) -> float:
        return min(self.confidence, self.cap)

    def demote(self, note: str, factor: float = 1.0) -> None:
        """At most review from now on, with the reason shown to the teacher."""
        self.confidence *= factor
        self.cap = min(self.cap, cal.HIGH_CAP_FOR_REVIEW)
        self.blocked = True
        if note not in self.notes:
            self.notes.append(note)


@dataclass(slots=True)
class Ranking:
    """The resolved, ordered candidates of one essay and its status."""

    status: str
    candidates: list[Candidate]


def _order(c: Candidate) -> tuple[float, float, int]:
    return (-min(c.confidence, c.cap), -c.confidence, c.student)


def apply_margin(candidates: list[Candidate]) -> list[tuple[Candidate, float]]:
    """Order candidates and compute each one's displayed confidence.

    The best candidate loses one-for-one whatever the runner-up comes closer than
    MARGIN_WINDOW; the others keep their own confidence but never exceed the best.
    """
    if not candidates:
        return []
    # A cap ties capped candidates; their own confidence still orders them.
    ordered = sorted(candidates, key=_order) if len(candidates) > 1 else candidates
    top = ordered[0].effective
    if len(ordered) > 1:
        second = ordered[1].effective
        best, runner_up = ordered[0].score, ordered[1].score
        if (best.exact_identity and not runner_up.exact_identity) or best.names_more_than(runner_up):
            second -= cal.EXACT_MATCH_ADVANTAGE
        # A close runner-up makes the best one uncertain, never invisible: a cue that
        # two students fit alike ("K.S." for Katherine and Kristoffer Strömberg) stays
        # at review with both shown, for the teacher to pick.
        top = max(top - max(0.0, second - (top - cal.MARGIN_WINDOW)), min(top, cal.REVIEW_MIN))
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


def _mark_taken_and_copies(
    pools: list[list[Candidate]], taken: Collection[int], text_keys: Sequence[object]
) -> None:
    """Already attributed students and second copies of one text: review at most."""
    keyed = [k for k in text_keys if k is not None]
    if not taken and len(set(keyed)) == len(keyed):
        return  # nobody taken, no identical texts: nothing to mark
    seen_texts: set[object] = set()
    for pool, key in zip(pools, text_keys, strict=True):
        copy = key is not None and key in seen_texts
        if key is not None:
            seen_texts.add(key)
        for cand in pool:
            if cand.student in taken:
                cand.demote(NOTE_TAKEN, cal.CONFLICT_LOSER_FACTOR)
            if copy:
                cand.demote(NOTE_IDENTICAL)


def _resolve_claims(pools: list[list[Candidate]]) -> list[list[tuple[Candidate, float]]]:
    """Two essays claiming one student: the weaker claim never stays "high".

    Returns each essay's ranking after the claims are settled."""
    ranked = [apply_margin(pool) for pool in pools]
    claims: dict[int, list[tuple[int, Candidate, float]]] = {}
    for essay, order in enumerate(ranked):
        if order and order[0][1] >= cal.REVIEW_MIN:
            cand, conf = order[0]
            claims.setdefault(cand.student, []).append((essay, cand, conf))
    changed: set[int] = set()
    for contenders in claims.values():
        if len(contenders) < 2:
            continue
        contenders.sort(key=lambda ec: (-ec[2], ec[0]))
        winner_essay, winner, winner_conf = contenders[0]
        for essay, loser, loser_conf in contenders[1:]:
            changed.add(essay)
            if winner.score.strong_identity and loser.score.strong_identity:
                # Both name the student in full: a double submission, not a conflict.
                loser.demote(NOTE_TWICE)
                if NOTE_TWICE not in winner.notes:
                    winner.notes.append(NOTE_TWICE)
                continue
            loser.demote(NOTE_LOST, cal.CONFLICT_LOSER_FACTOR)
            if loser_conf >= winner_conf - cal.MARGIN_WINDOW:
                winner.demote(NOTE_SHARED)
                changed.add(winner_essay)
    for essay, pool in enumerate(pools):
        if essay in changed or (len(pool) > 1 and any(c.blocked for c in pool)):
            ranked[essay] = _rank(pool)
    return ranked


def _rank(pool: list[Candidate]) -> list[tuple[Candidate, float]]:
    """Margin-ranked candidates. When a candidate was demoted (a copy, a lost conflict, a
    second essay, taken), the others move up only by exclusion: review at most."""
    if len(pool) > 1 and any(c.blocked for c in pool):
        for cand in pool:
            cand.cap = min(cand.cap, cal.HIGH_CAP_FOR_REVIEW)
    return apply_margin(pool)


def _apply_prior(
    pools: list[list[Candidate]], ranked: list[list[tuple[Candidate, float]]],
    taken: Collection[int],
    roster_size: int,
) -> set[int]:
    """Weak cues decide when exactly one student still without an essay fits them.

    Returns the essays whose candidates changed."""
    decided = {r[0][0].student for r in ranked if r and _status(r[0][1]) == "high"}
    unavailable = decided | set(taken)
    remaining = roster_size - len(unavailable)
    if remaining > max(cal.PRIOR_MAX_REMAINING, cal.PRIOR_MAX_REMAINING_SHARE * roster_size):
        return set()  # the batch has not accounted for most of the class: no prior yet
    tops: dict[int, set[int]] = {}
    weak_claims: dict[int, list[int]] = {}
    for essay, (pool, order) in enumerate(zip(pools, ranked, strict=True)):
        if not order or _status(order[0][1]) == "high":
            continue
        if order[0][1] >= cal.REVIEW_MIN:
            tops.setdefault(order[0][0].student, set()).add(essay)
        viable = [c for c in pool if c.confidence >= cal.REVIEW_MIN]
        if not viable or not all(c.score.weak_cue for c in viable):
            continue  # a stronger, non-weak candidate is in play: no shortcut
        if any(c.score.exact_identity for c in pool):
            continue  # the essay names a student exactly, even one already taken: "anna
            # andersson" is not Hanna Andersson because Anna has an essay already
        free = [c for c in viable if c.student not in unavailable]
        if len(free) == 1 and not free[0].blocked:
            weak_claims.setdefault(free[0].student, []).append(essay)
    changed: set[int] = set()
    for student, essays in weak_claims.items():
        if len(essays) != 1 or tops.get(student, set()) - {essays[0]}:
            continue  # two essays point at this student: a teacher decides
        changed.add(essays[0])
        for cand in pools[essays[0]]:
            if cand.student == student:
                cand.confidence = cal.PRIOR_CONFIDENCE
                cand.cap = 1.0
                cand.notes.append(NOTE_PRIOR)
            elif cand.student in unavailable:
                cand.demote(NOTE_TAKEN, cal.CONFLICT_LOSER_FACTOR)
    return changed


def resolve_batch(
    per_essay: list[dict[int, StudentScore]],
    *,
    taken: Collection[int] = (),
    text_keys: Sequence[object] | None = None,
    roster_size: int = 0,
) -> list[Ranking]:
    """Resolve conflicting claims across the batch and give each essay a status.

    ``taken``: students already attributed to other essays of the batch.
    ``roster_size``: how many students the roster has (for the remaining-students rule).
    ``text_keys``: one key per essay (None for no text); equal keys are identical texts.
    """
    pools: list[list[Candidate]] = [
        [Candidate(student, score.confidence, score) for student, score in scores.items()]
        for scores in per_essay
    ]
    keys = text_keys if text_keys is not None else [None] * len(pools)
    _mark_taken_and_copies(pools, taken, keys)
    ranked = _resolve_claims(pools)
    changed = _apply_prior(pools, ranked, taken, roster_size)
    rankings: list[Ranking] = []
    for essay, pool in enumerate(pools):
        order = apply_margin(pool) if essay in changed else ranked[essay]
        if not order:
            rankings.append(Ranking("none", []))
            continue
        final = []
        for cand, conf in order:
            cand.confidence = conf
            cand.cap = 1.0
            final.append(cand)
        rankings.append(Ranking(_status(order[0][1]), final))
    return rankings
