"""Phase 1 student matching in the application.

* ``runs``: run the engine for a batch (the first run, late essays, a re-match) and store
  its suggestions; fall back to hand attribution when matching keeps failing.
* ``decisions``: the teacher's decisions and corrections (versioned), bulk acceptance, and
  the confirmation that makes a batch ready — once per pass through validation.
* ``timeouts``: what the validation deadline decides, by the batch's strategy.

Lock order everywhere: the batch row first (``batch_lock``), then its associations.
"""

from matching.services.decisions import (
    Decision,
    association_decide,
    association_withdraw,
    associations_confirm_if_complete,
    associations_decide_bulk,
    batch_reopen,
    essay_remove,
    student_uses,
)
from matching.services.roster import roster_student_add_and_rematch
from matching.services.runs import (
    matching_give_up,
    matching_match_new_essays,
    matching_rematch_request,
    matching_rematch_run,
    matching_request,
    matching_rerun,
    matching_run,
    matching_run_for_batch,
)
from matching.services.timeouts import (
    batch_timeout_apply,
    schedules_ensure,
    validation_timeouts_apply,
)

__all__ = [
    "Decision",
    "association_decide",
    "association_withdraw",
    "associations_confirm_if_complete",
    "associations_decide_bulk",
    "batch_reopen",
    "batch_timeout_apply",
    "essay_remove",
    "matching_give_up",
    "matching_match_new_essays",
    "matching_rematch_request",
    "matching_rematch_run",
    "matching_request",
    "matching_rerun",
    "matching_run",
    "matching_run_for_batch",
    "roster_student_add_and_rematch",
    "schedules_ensure",
    "student_uses",
    "validation_timeouts_apply",
]
