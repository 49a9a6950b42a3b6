from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class RosterSource(models.TextChoices):
    """Where a student (or a class) came from, so a re-sync knows what it may change."""

    SS12000 = "ss12000", "SS 12000"
    ONEROSTER = "oneroster", "OneRoster"
    CSV = "csv", "CSV"


class SchoolClass(models.Model):
    """A teacher's class: the roster that essays of REGULAR batches are matched against."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes", verbose_name=_("owner")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    # A class imported from the school's system remembers where from, so it can be re-synced.
    external_source = models.CharField(
        max_length=20, choices=RosterSource.choices, blank=True, default="", verbose_name=_("external source")
    )
    external_id = models.CharField(max_length=200, blank=True, default="", verbose_name=_("external id"))
    ss12000_connection = models.ForeignKey(
        "classroster.Ss12000Connection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
        verbose_name=_("ss12000 connection"),
    )
    synced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("synced at"))
    # Batches of this class confirm high-confidence matches as soon as they are found (method
    # auto), unless a batch says otherwise; every such decision stays correctable.
    auto_confirm_high = models.BooleanField(
        default=False,
        help_text=_("Confirm high-confidence matches as soon as they are found."),
        verbose_name=_("auto confirm high"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="class_name_unique_per_owner")]

    def __str__(self) -> str:
        return self.name


class Student(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="students", verbose_name=_("school class")
    )
    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    email = models.EmailField(max_length=254, null=True, blank=True, verbose_name=_("email"))
    # The id the school's own system knows the student by (SS 12000 person id, OneRoster
    # sourcedId, a CSV id column): Phase 2 and the school's systems join on it.
    external_id = models.CharField(max_length=200, null=True, blank=True, verbose_name=_("external id"))
    external_source = models.CharField(
        max_length=20, choices=RosterSource.choices, blank=True, default="", verbose_name=_("external source")
    )
    # Set when a re-sync no longer finds the student in the school's group: kept (their
    # essays stay attributed), shown as having left.
    left_at = models.DateTimeField(null=True, blank=True, verbose_name=_("left at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["last_name", "first_name", "created_at"]
        constraints = [
            # Two students of one class never share an address: it is a matching cue.
            models.UniqueConstraint(
                Lower("email"),
                "school_class",
                condition=models.Q(email__isnull=False),
                name="student_email_unique_per_class",
            ),
            models.CheckConstraint(
                condition=~models.Q(first_name="") | ~models.Q(last_name=""),
                name="student_has_a_name",
            ),
            models.UniqueConstraint(
                "school_class",
                "external_source",
                "external_id",
                condition=models.Q(external_id__isnull=False),
                name="student_external_id_unique_per_class",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Ss12000Connection(models.Model):
    """A school's SS 12000 API, configured by staff. Secrets are stored encrypted
    (``classroster.secrets``); the admin never shows them back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    base_url = models.URLField(
        max_length=500, help_text=_("e.g. https://api.school.example/ss12000/v2"), verbose_name=_("base url")
    )
    # Client credentials (OAuth 2 token endpoint) or a fixed bearer token, one of the two.
    token_url = models.URLField(max_length=500, blank=True, default="", verbose_name=_("token url"))
    client_id = models.CharField(max_length=200, blank=True, default="", verbose_name=_("client id"))
    client_secret_encrypted = models.TextField(
        blank=True, default="", editable=False, verbose_name=_("client secret encrypted")
    )
    token_encrypted = models.TextField(
        blank=True, default="", editable=False, verbose_name=_("token encrypted")
    )
    # Only groups of this organisation (school unit) are offered; empty: every group.
    organisation_id = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("organisation id")
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Ss12000Teacher",
        related_name="ss12000_connections",
        blank=True,
        verbose_name=_("teachers"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("SS 12000 connection")

    def __str__(self) -> str:
        return self.name


class Ss12000Teacher(models.Model):
    """A teacher who may import from a connection; with their SS 12000 person id they are
    offered only the groups they have a role in."""

    connection = models.ForeignKey(
        Ss12000Connection,
        on_delete=models.CASCADE,
        related_name="teacher_links",
        verbose_name=_("connection"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    person_id = models.CharField(max_length=200, blank=True, default="", verbose_name=_("person id"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "user"], name="ss12000_teacher_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.connection}"


class ExamCode(models.Model):
    """One line of an exam.net anonymous-code list: this code is that student, in this batch."""

    batch = models.ForeignKey(
        "batches.Batch", on_delete=models.CASCADE, related_name="exam_codes", verbose_name=_("batch")
    )
    code = models.CharField(max_length=64, verbose_name=_("code"))
    name = models.CharField(max_length=201, blank=True, default="", verbose_name=_("name"))
    email = models.CharField(max_length=254, blank=True, default="", verbose_name=_("email"))
    # Null when the list names someone who is not on the class roster: reported, never guessed.
    student = models.ForeignKey(
        Student, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("student")
    )
    line = models.PositiveIntegerField(verbose_name=_("line"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(Lower("code"), "batch", name="exam_code_unique_per_batch"),
        ]

    def __str__(self) -> str:
        return self.code
