from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class SchoolClass(models.Model):
    """A teacher's class: the roster that essays of REGULAR batches are matched against."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(max_length=120)
    # Batches of this class confirm high-confidence matches as soon as they are found (method
    # auto), unless a batch says otherwise; every such decision stays correctable.
    auto_confirm_high = models.BooleanField(
        default=False, help_text="Confirm high-confidence matches as soon as they are found.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="class_name_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class Student(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="students")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
