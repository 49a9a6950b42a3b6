from __future__ import annotations

import os
import uuid

from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


def original_file_path(essay: Essay, filename: str) -> str:
    """Where an uploaded original is kept: by ids only (a filename may carry a student's name)."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"originals/{essay.batch_id}/{essay.id}{extension}"


class EssayStatus(models.TextChoices):
    PROVISIONED = "PROVISIONED"
    FAILED = "FAILED"  # recorded validation failure; still fills a slot of the batch


# What the teacher reads for each validation failure (the stored reason is the reader's own detail).
FAILURE_LABELS = {
    "empty": gettext_lazy("The file is empty or holds no text."),
    "unreadable": gettext_lazy("The file could not be read."),
    "unsupported": gettext_lazy("This kind of file is not supported: upload .txt, .docx or .pdf."),
    "too_large": gettext_lazy("The file is too large."),
    "encrypted": gettext_lazy("The file is password-protected."),
    "too_complex": gettext_lazy("The file is too complex to read: save it again as a plain PDF or .docx."),
}


class Essay(models.Model):
    Status = EssayStatus  # reachable through the model, for apps that see essays only by relation

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(
        "batches.Batch", on_delete=models.CASCADE, related_name="essays", verbose_name=_("batch")
    )
    original_filename = models.CharField(
        max_length=255, blank=True, default="", verbose_name=_("original filename")
    )
    file_format = models.CharField(max_length=10, blank=True, default="", verbose_name=_("file format"))
    size_bytes = models.PositiveBigIntegerField(default=0, verbose_name=_("size bytes"))
    sha256 = models.CharField(max_length=64, blank=True, default="", verbose_name=_("sha256"))
    status = models.CharField(max_length=20, choices=EssayStatus.choices, verbose_name=_("status"))
    failure_code = models.CharField(max_length=40, blank=True, default="", verbose_name=_("failure code"))
    failure_reason = models.CharField(
        max_length=500, blank=True, default="", verbose_name=_("failure reason")
    )
    text = models.TextField(blank=True, default="", verbose_name=_("text"))
    # The uploaded file as it came (default storage): the teacher opens it from the review page.
    # Erased with the essay, the batch, or when the batch is cancelled (essays.services).
    original_file = models.FileField(
        upload_to=original_file_path, max_length=300, blank=True, default="", verbose_name=_("original file")
    )
    # The text with case and whitespace folded away, hashed: the same essay uploaded twice.
    text_fingerprint = models.CharField(
        max_length=64, blank=True, default="", verbose_name=_("text fingerprint")
    )
    # Set once, when the batch's student associations are confirmed.
    student = models.ForeignKey(
        "classroster.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="essays",
        verbose_name=_("student"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["batch", "text_fingerprint"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="PROVISIONED") | ~models.Q(failure_code=""),
                name="failed_essay_has_a_reason",
            )
        ]

    def __str__(self) -> str:
        return self.original_filename or str(self.id)


class UploadReceipt(models.Model):
    """The response of an upload request sent with an Idempotency-Key, replayed on retry."""

    batch = models.ForeignKey(
        "batches.Batch", on_delete=models.CASCADE, related_name="+", verbose_name=_("batch")
    )
    key = models.CharField(max_length=128, verbose_name=_("key"))
    response = models.JSONField(verbose_name=_("response"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "key"], name="upload_key_unique_per_batch")]
