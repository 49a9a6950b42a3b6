from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huleedu.errors import Conflict


class BatchStatus(models.TextChoices):
    AWAITING_CONTENT = "AWAITING_CONTENT"
    CONTENT_PROVISIONED = "CONTENT_PROVISIONED"
    AWAITING_STUDENT_MATCHING = "AWAITING_STUDENT_MATCHING"
    AWAITING_STUDENT_VALIDATION = "AWAITING_STUDENT_VALIDATION"
    READY_FOR_PIPELINE_EXECUTION = "READY_FOR_PIPELINE_EXECUTION"
    PIPELINE_REQUESTED = "PIPELINE_REQUESTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class BatchType(models.TextChoices):
    GUEST = "GUEST"
    REGULAR = "REGULAR"


class TimeoutStrategy(models.TextChoices):
    """What the validation deadline does with the essays the teacher left undecided."""

    HIGH_ONLY = "high_only"  # confirm a high-confidence best match, leave the rest flagged
    BEST_MATCH = "best_match"  # confirm every best match, flag those below high
    NONE = "none"  # decide nothing: mark the batch overdue and tell the teacher


# What a teacher reads for each state: the pages and the API's messages never show the raw name.
STATUS_LABELS = {
    BatchStatus.AWAITING_CONTENT: gettext_lazy("Waiting for essays"),
    BatchStatus.CONTENT_PROVISIONED: gettext_lazy("Essays received"),
    BatchStatus.AWAITING_STUDENT_MATCHING: gettext_lazy("Matching students"),
    BatchStatus.AWAITING_STUDENT_VALIDATION: gettext_lazy("Awaiting your review"),
    BatchStatus.READY_FOR_PIPELINE_EXECUTION: gettext_lazy("Ready"),
    BatchStatus.PIPELINE_REQUESTED: gettext_lazy("Sent for assessment"),
    BatchStatus.FAILED: gettext_lazy("Failed"),
    BatchStatus.CANCELLED: gettext_lazy("Cancelled"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


S = BatchStatus
_TERMINAL = {S.FAILED, S.CANCELLED}

# The whole state machine. A transition not listed here is a bug in the caller.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_CONTENT: frozenset({S.CONTENT_PROVISIONED, *_TERMINAL}),
    S.CONTENT_PROVISIONED: frozenset(
        {S.AWAITING_STUDENT_MATCHING, S.READY_FOR_PIPELINE_EXECUTION, *_TERMINAL}
    ),
    S.AWAITING_STUDENT_MATCHING: frozenset({S.AWAITING_STUDENT_VALIDATION, *_TERMINAL}),
    S.AWAITING_STUDENT_VALIDATION: frozenset({S.READY_FOR_PIPELINE_EXECUTION, *_TERMINAL}),
    # Back to validation when a late essay arrives or staff reopen the batch.
    S.READY_FOR_PIPELINE_EXECUTION: frozenset(
        {S.PIPELINE_REQUESTED, S.AWAITING_STUDENT_VALIDATION, S.CANCELLED}
    ),
    S.PIPELINE_REQUESTED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Until assessment starts, every mistake can still be fixed.
OPEN_STATUSES = frozenset(
    {
        S.AWAITING_CONTENT,
        S.CONTENT_PROVISIONED,
        S.AWAITING_STUDENT_MATCHING,
        S.AWAITING_STUDENT_VALIDATION,
        S.READY_FOR_PIPELINE_EXECUTION,
    }
)
# Where a decision may be changed (with the version the teacher saw).
CORRECTABLE_STATUSES = frozenset(
    {S.AWAITING_STUDENT_VALIDATION, S.READY_FOR_PIPELINE_EXECUTION, S.PIPELINE_REQUESTED}
)
# Where uploads are taken: before provisioning completes, and as late essays after it.
UPLOADABLE_STATUSES = OPEN_STATUSES


class IllegalTransition(Exception):
    def __init__(self, batch_id: object, current: str, target: str) -> None:
        super().__init__(f"batch {batch_id}: {current} -> {target} is not allowed")
        self.current = current
        self.target = target


class WrongStatus(Conflict):
    """An action asked of a batch in a state that does not allow it: a 409 naming the state."""

    def __init__(self, current: str, allowed: frozenset[str] | set[str], *, action: str, code: str) -> None:
        # The states in the teacher's words, in the order a batch passes through them.
        allowed_labels = [
            _("“%(state)s”") % {"state": status_label(state)}
            for state in BatchStatus.values
            if state in allowed
        ]
        super().__init__(
            _("The batch is “%(current)s”: you can %(action)s only when it is %(allowed)s.")
            % {"current": status_label(current), "action": action, "allowed": _(" or ").join(allowed_labels)},
            code=code,
            details={"status": current, "allowed": sorted(allowed)},
        )
        self.current = current


class Batch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=gettext_lazy("owner"),
    )
    school_class = models.ForeignKey(
        "classroster.SchoolClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=gettext_lazy("school class"),
    )
    course_code = models.CharField(max_length=64, verbose_name=gettext_lazy("course code"))
    essay_instructions = models.TextField(
        blank=True, default="", verbose_name=gettext_lazy("essay instructions")
    )
    expected_essay_count = models.PositiveIntegerField(verbose_name=gettext_lazy("expected essay count"))
    status = models.CharField(
        max_length=40,
        choices=BatchStatus.choices,
        default=S.AWAITING_CONTENT,
        verbose_name=gettext_lazy("status"),
    )
    correlation_id = models.CharField(max_length=64, verbose_name=gettext_lazy("correlation id"))
    processing_summary = models.JSONField(
        null=True, blank=True, verbose_name=gettext_lazy("processing summary")
    )
    validation_deadline = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("validation deadline")
    )
    uploads_finalized_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("uploads finalized at")
    )
    content_provisioned_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("content provisioned at")
    )
    matching_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("matching requested at")
    )
    suggestions_ready_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("suggestions ready at")
    )
    associations_confirmed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("associations confirmed at")
    )
    ready_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ready at"))
    pipeline = models.JSONField(null=True, blank=True, verbose_name=gettext_lazy("pipeline"))
    pipeline_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("pipeline requested at")
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("cancelled at"))
    # Blank: the deployment's HULEEDU_TIMEOUT_STRATEGY at the time the deadline passes.
    timeout_strategy = models.CharField(
        max_length=20,
        choices=TimeoutStrategy.choices,
        blank=True,
        default="",
        verbose_name=gettext_lazy("timeout strategy"),
    )
    # Matching kept failing: the teacher attributes every essay by hand.
    matching_failed = models.BooleanField(default=False, verbose_name=gettext_lazy("matching failed"))
    # "Confirm high-confidence matches as soon as they are found" (method auto); null: the
    # class's own choice (SchoolClass.auto_confirm_high).
    auto_confirm_high = models.BooleanField(
        null=True, blank=True, default=None, verbose_name=gettext_lazy("auto confirm high")
    )
    # The deadline passed under the "none" strategy: nothing was decided, the teacher was told.
    validation_overdue_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("validation overdue at")
    )
    # How many times the batch has entered READY_FOR_PIPELINE_EXECUTION (a late essay reopens it).
    validation_pass = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("validation pass"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "validation_deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_essay_count__gte=1), name="batch_expects_an_essay"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_code} ({self.id})"

    @property
    def batch_type(self) -> str:
        return BatchType.REGULAR if self.school_class_id else BatchType.GUEST

    @property
    def is_regular(self) -> bool:
        return self.school_class_id is not None

    @property
    def auto_confirms_high(self) -> bool:
        """Whether high-confidence matches are confirmed as found: the batch's choice, else its class's."""
        if self.auto_confirm_high is not None:
            return self.auto_confirm_high
        return bool(self.school_class_id and self.school_class.auto_confirm_high)

    def can_transition_to(self, target: str) -> bool:
        return target in ALLOWED_TRANSITIONS[self.status]

    def require_status(self, allowed: frozenset[str] | set[str], *, action: str, code: str) -> None:
        """Refuse ``action`` (a 409 with ``code`` and the current state) unless the batch is in
        one of ``allowed``: the one form of every "not in this state" guard."""
        if self.status not in allowed:
            raise WrongStatus(self.status, allowed, action=action, code=code)

    def transition_to(self, target: str) -> None:
        """Change state in memory; callers hold the row lock and save in the same transaction.

        Use ``batches.services.batch_transition`` rather than calling this directly.
        """
        if not self.can_transition_to(target):
            raise IllegalTransition(self.id, self.status, target)
        self.status = target
