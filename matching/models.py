from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matching.engine import REVIEW_MIN


class MatchLevel(models.TextChoices):
    HIGH = "high"
    REVIEW = "review"
    NONE = "none"


class DecisionMethod(models.TextChoices):
    HUMAN = "human"
    TIMEOUT = "timeout"
    AUTO = "auto"


class StudentAssociation(models.Model):
    """Who wrote one essay: the engine's verdict and, once made, the decision.

    One row per provisioned essay of a REGULAR batch, created by the matching job.
    Undecided while ``method`` is empty. ``student`` null with a method set means
    "no student" was decided.
    """

    essay = models.OneToOneField(
        "essays.Essay",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="association",
        verbose_name=_("essay"),
    )
    batch = models.ForeignKey(
        "batches.Batch", on_delete=models.CASCADE, related_name="associations", verbose_name=_("batch")
    )
    match_level = models.CharField(max_length=10, choices=MatchLevel.choices, verbose_name=_("match level"))
    match_confidence = models.FloatField(default=0.0, verbose_name=_("match confidence"))
    student = models.ForeignKey(
        "classroster.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("student"),
    )
    method = models.CharField(
        max_length=10, choices=DecisionMethod.choices, blank=True, default="", verbose_name=_("method")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    # The timeout left it without a student (or took a match below high): the teacher should look.
    needs_attention = models.BooleanField(default=False, verbose_name=_("needs attention"))
    # 0 while undecided, +1 on every decision and correction: a change names the version it saw.
    version = models.PositiveIntegerField(default=0, verbose_name=_("version"))
    # The teacher said this essay's student may also have another essay of the batch.
    allow_second_essay = models.BooleanField(default=False, verbose_name=_("allow second essay"))

    class Meta:
        indexes = [models.Index(fields=["batch", "method"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="", decided_at__isnull=True)
                | (~models.Q(method="") & models.Q(decided_at__isnull=False)),
                name="decision_has_method_and_time",
            ),
            models.CheckConstraint(
                condition=models.Q(match_confidence__gte=0.0, match_confidence__lte=1.0),
                name="association_confidence_in_unit_interval",
            ),
        ]

    @property
    def is_decided(self) -> bool:
        return bool(self.method)


class MatchSuggestion(models.Model):
    class Status(models.TextChoices):
        PENDING_VALIDATION = "pending_validation"
        CONFIRMED = "confirmed"
        REJECTED = "rejected"

    essay = models.ForeignKey(
        "essays.Essay", on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("essay")
    )
    student = models.ForeignKey(
        "classroster.Student", on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    rank = models.PositiveSmallIntegerField(verbose_name=_("rank"))
    confidence = models.FloatField(verbose_name=_("confidence"))
    level = models.CharField(max_length=10, choices=MatchLevel.choices, verbose_name=_("level"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_VALIDATION, verbose_name=_("status")
    )
    reasons = models.JSONField(default=list, verbose_name=_("reasons"))
    evidence = models.JSONField(default=list, verbose_name=_("evidence"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    @property
    def strength(self) -> str:
        """How the teacher should read it: ``high``; ``review`` (a real doubt); ``weak`` (below
        the review threshold: a hint, not a match)."""
        if self.level == MatchLevel.HIGH:
            return "high"
        return "review" if self.confidence >= REVIEW_MIN else "weak"

    class Meta:
        ordering = ["essay", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["essay", "rank"], name="one_suggestion_per_rank"),
            models.UniqueConstraint(fields=["essay", "student"], name="student_suggested_once_per_essay"),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0.0, confidence__lte=1.0),
                name="suggestion_confidence_in_unit_interval",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=3), name="at_most_three_suggestions"
            ),
        ]


class MatchingRollout(models.Model):
    """The rollout flag of automatic student matching: one row, edited by staff in the admin, read
    by every matching run (so a change takes effect at once, without a deploy).

    ``matching.rollout`` decides from it; ``BOS_STUDENT_MATCHING_ENABLED=false`` overrides it.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    enabled = models.BooleanField(
        default=True,
        help_text=_("Off: no class gets automatic matching (the allow-list included)."),
        verbose_name=_("enabled"),
    )
    percentage = models.PositiveSmallIntegerField(
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Share of classes (0–100) that get automatic matching; a class's share is stable "
            "(a hash of its id), so raising it only adds classes."
        ),
        verbose_name=_("percentage"),
    )
    allowed_classes = models.ManyToManyField(
        "classroster.SchoolClass",
        blank=True,
        related_name="+",
        help_text=_("Always matched while the flag is on, whatever the percentage."),
        verbose_name=_("allowed classes"),
    )
    denied_classes = models.ManyToManyField(
        "classroster.SchoolClass",
        blank=True,
        related_name="+",
        help_text=_("Never matched automatically: their teachers attribute essays by hand."),
        verbose_name=_("denied classes"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("student matching rollout")
        verbose_name_plural = _("student matching rollout")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percentage__lte=100), name="rollout_percentage_at_most_100"
            ),
            models.CheckConstraint(condition=models.Q(id=1), name="rollout_is_one_row"),
        ]

    def __str__(self) -> str:
        return f"student matching: {'on' if self.enabled else 'off'}, {self.percentage}%"
