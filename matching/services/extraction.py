"""What the service layer adds around the pure engine's call: the timing of each cue-extraction
strategy, and the deployment's floor under the suggestions it keeps.

The engine has one public call per batch (``match_batch``) and must stay free of Django and of
metrics. To time its extraction strategies one by one (``nlp_extraction_duration_seconds``),
the same extraction functions the engine runs are run here on the same inputs, once more:
7–9 ms per batch of 100 essays (the engine's whole call: 10–16 ms; docs/operations.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from django.conf import settings

from matching import engine, metrics
from matching.engine.cues import find_filename_cues, find_text_cues


def extraction_time(essays: Sequence[engine.EssayInput]) -> None:
    """Time each essay's cue extraction by strategy: ``text`` (header labels, name lines,
    phrases, signatures and e-mails, read in one pass) and ``filename``."""
    text_seconds, filename_seconds = [], []
    for essay in essays:
        started = time.perf_counter()
        find_text_cues(essay.text or "")
        between = time.perf_counter()
        find_filename_cues(essay.filename)
        text_seconds.append(between - started)
        filename_seconds.append(time.perf_counter() - between)
    metrics.extraction_timed(strategy_name="text", seconds=text_seconds)
    metrics.extraction_timed(strategy_name="filename", seconds=filename_seconds)


def suggestions_floor(result: engine.EssayMatch) -> engine.EssayMatch:
    """Drop suggestions below ``NLP_EXTRACTION_CONFIDENCE_THRESHOLD`` (unset: keep the engine's).

    The engine's own floors stay in force under it (a suggestion needs 0.05, a "review" 0.30);
    the deployment can only raise them. The top suggestion is the most confident, so the level
    of an essay that keeps it is unchanged; an essay left with none is "none"."""
    floor = settings.MATCH_MIN_SUGGESTION_CONFIDENCE
    if floor is None:
        return result
    kept = tuple(s for s in result.suggestions if s.confidence >= floor)
    if len(kept) == len(result.suggestions):
        return result
    if not kept:
        return replace(result, status="none", suggestions=())
    return replace(result, suggestions=kept)
