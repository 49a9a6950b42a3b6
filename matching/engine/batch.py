"""``match_batch``: the engine's entry point, one call per batch of essays.

Pipeline: build the roster index once → for each essay, locate cues in its head, tail,
filename and e-mails (cues.py) → score students per cue and combine (scoring.py) →
resolve the batch (assignment.py) → package suggestions with reasons and evidence.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from . import calibration as cal
from .assignment import Ranking, resolve_batch
from .cues import email_local_cue, find_filename_cues, find_text_cues
from .roster_index import RosterIndex
from .scoring import CueScore, StudentScore, combine, score_cue, score_email
from .types import EssayInput, EssayMatch, RosterStudent, Suggestion

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


def score_essay(essay: EssayInput, index: RosterIndex) -> dict[int, StudentScore]:
    """All students this essay's cues support, before batch-level resolution."""
    text = essay.text or ""
    cues, emails = find_text_cues(text)
    cues.extend(find_filename_cues(essay.filename))
    cue_scores: list[CueScore] = []
    for found in emails:
        students = index.students_for_email(found.address)
        if students:
            for student in students:
                score = score_email(found, student)
                if len(students) > 1:  # the roster itself is ambiguous: never decisive
                    score = _weaken(score, 0.6)
                cue_scores.append(score)
            continue
        local = email_local_cue(found)
        if local is not None:
            cues.append(local)
    for cue in cues:
        cue_scores.extend(score_cue(cue, index))
    return combine(cue_scores)


def _weaken(score: CueScore, factor: float) -> CueScore:
    from dataclasses import replace

    return replace(score, confidence=score.confidence * factor, strength=score.strength * factor)


def _to_match(essay: EssayInput, ranking: Ranking, index: RosterIndex) -> EssayMatch:
    if ranking.status == "none":
        return EssayMatch(essay.essay_id, "none", ())
    suggestions = []
    for cand in ranking.candidates[:MAX_SUGGESTIONS]:
        confidence = round(min(max(cand.confidence, 0.0), 1.0), 4)
        if confidence < MIN_SUGGESTION_CONFIDENCE:
            break
        support = cand.score.support[:3]
        reasons = [s.reason for s in support]
        reasons.extend(cand.notes)
        suggestions.append(
            Suggestion(
                student_id=index.students[cand.student].student.student_id,
                confidence=confidence,
                reasons=tuple(dict.fromkeys(reasons)),
                evidence=tuple(s.evidence for s in support),
            )
        )
    if not suggestions:
        return EssayMatch(essay.essay_id, "none", ())
    return EssayMatch(essay.essay_id, ranking.status, tuple(suggestions))


def match_batch(
    essays: Sequence[EssayInput],
    roster: Sequence[RosterStudent],
    *,
    already_attributed: Collection[str] = (),
) -> list[EssayMatch]:
    """Whole-batch matching; returns one EssayMatch per essay, in the same order.

    ``already_attributed``: ids of roster students already attributed (decided) to other
    essays of the same batch, e.g. when late essays arrive or a batch is re-matched.
    They are taken: still suggested, with a reason saying so, but never "high" here, and
    the students *not* in it are the ones weak cues can still point at.
    """
    if not essays:
        return []
    index = RosterIndex.build(roster)
    per_essay = [score_essay(essay, index) if roster else {} for essay in essays]
    wanted = {str(sid) for sid in already_attributed}
    taken = {n.index for n in index.students if n.student.student_id in wanted}
    text_keys = [_text_key(essay.text) for essay in essays]
    rankings = resolve_batch(per_essay, taken=taken, text_keys=text_keys,
                             roster_size=len(index.students))
    return [_to_match(e, r, index) for e, r in zip(essays, rankings, strict=True)]


def _text_key(text: str | None) -> str | None:
    """Identical uploads meet here (whitespace at the ends does not count)."""
    stripped = (text or "").strip()
    return stripped or None


HIGH_CONFIDENCE = cal.HIGH_CONFIDENCE
