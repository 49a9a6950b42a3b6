"""Content provisioning: uploads become essays (or recorded failures) until the batch is full."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from batches.locks import batch_lock
from batches.models import OPEN_STATUSES, UPLOADABLE_STATUSES, Batch, BatchStatus
from batches.services import batch_enter_ready, batch_reopen_validation, batch_transition
from essays import metrics
from essays.extraction import ExtractionFailure, extract_text, file_format_of
from essays.fingerprint import text_fingerprint
from essays.models import Essay, EssayStatus, UploadReceipt
from essays.selectors import batch_essay_counts, batch_ready_manifest
from huleedu.errors import DomainError, NotFound
from outbox.models import BatchEvent
from outbox.services import event_record
from outbox.types import EventType

logger = logging.getLogger(__name__)

MAX_FILENAME_CHARS = 255


class UploadedFileLike(Protocol):
    name: str | None
    size: int | None

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class _PreparedFile:
    filename: str
    file_format: str
    size: int
    sha256: str
    text: str
    failure: ExtractionFailure | None
    data: bytes = b""  # the file as uploaded, kept as the essay's original when it is read


def safe_filename(raw: str | None) -> str:
    """The name to show and store: no directories, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    if len(name) > MAX_FILENAME_CHARS:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_FILENAME_CHARS - len(ext)] + ext
    return name or "unnamed"


def _prepare(upload: UploadedFileLike) -> _PreparedFile:
    filename = safe_filename(upload.name)
    size = getattr(upload, "size", None) or 0
    limit = settings.MAX_UPLOAD_FILE_BYTES
    if size > limit:
        return _PreparedFile(
            filename, file_format_of(filename), size, "", "",
            ExtractionFailure("too_large", f"The file is {size:,} bytes; the limit is {limit:,} bytes."),
        )
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size lied
        return _PreparedFile(
            filename, file_format_of(filename), len(data), "", "",
            ExtractionFailure("too_large", f"The file is larger than the limit of {limit:,} bytes."),
        )
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with metrics.text_extraction_timer(file_format_of(filename)):
            text = extract_text(filename, data)
    except ExtractionFailure as failure:
        return _PreparedFile(filename, file_format_of(filename), len(data), sha256, "", failure)
    return _PreparedFile(filename, file_format_of(filename), len(data), sha256, text, None, data)


def _require_accepting_uploads(batch: Batch) -> None:
    batch.require_status(UPLOADABLE_STATUSES, action=_("upload essays"), code="uploads_closed")


def essays_upload(
    *, batch: Batch, files: list[UploadedFileLike], idempotency_key: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Store each file as an essay or a recorded validation failure.

    Before content provisioning completes, files fill the batch's slots (the last one
    completes it); after it, each file is a late essay: the batch expects one more, and a
    READY batch goes back to validation. A file whose text is already in the batch is not
    stored (``DUPLICATE``). Returns the per-file results and whether they were replayed from
    an earlier request with the same Idempotency-Key. Text extraction happens before the batch
    row is locked, so slow files never hold up other uploads to the same batch.
    """
    if not files:
        raise DomainError(_("Send one or more files in the multipart field 'files'."), code="no_files")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise DomainError(_("Idempotency-Key must be 1 to 128 characters."), code="invalid_idempotency_key")
    if idempotency_key:
        receipt = UploadReceipt.objects.filter(batch=batch, key=idempotency_key).first()
        if receipt:
            return receipt.response["results"], True
    _require_accepting_uploads(batch)

    prepared = [_prepare(upload) for upload in files]

    stored: list[str] = []  # originals written: deleted again if the transaction fails
    try:
        with transaction.atomic():
            locked = batch_lock(batch.id)
            if idempotency_key:
                receipt = UploadReceipt.objects.filter(batch=locked, key=idempotency_key).first()
                if receipt:
                    return receipt.response["results"], True
            _require_accepting_uploads(locked)
            results = [_file_store(locked, item, stored) for item in prepared]
            if idempotency_key:
                UploadReceipt.objects.create(batch=locked, key=idempotency_key, response={"results": results})
    except BaseException:
        originals_delete(stored)
        raise
    return results, False


def _file_store(batch: Batch, item: _PreparedFile, stored: list[str]) -> dict[str, Any]:
    """One file into a locked batch: a duplicate, a slot filled, or a late essay."""
    fingerprint = "" if item.failure else text_fingerprint(item.text)
    duplicate_of = fingerprint and batch.essays.filter(text_fingerprint=fingerprint).values_list(
        "id", flat=True).first()
    if duplicate_of:
        return {"filename": item.filename, "essay_id": None, "status": "DUPLICATE", "code": "duplicate",
                "reason": _("The same text is already in this batch."), "duplicate_of": str(duplicate_of)}
    late = batch.status != BatchStatus.AWAITING_CONTENT
    essay = _essay_store(batch, item, fingerprint, stored)
    if late:
        _late_essay_add(batch, essay)
    elif batch.essays.count() >= batch.expected_essay_count:
        content_provisioning_complete(batch, reason="all_slots_filled")
    return {"filename": essay.original_filename, "essay_id": str(essay.id), "status": essay.status,
            "code": essay.failure_code or None, "reason": essay.failure_reason or None,
            "duplicate_of": None, "late": late}


def _late_essay_add(batch: Batch, essay: Essay) -> None:
    """After provisioning completed: the batch expects one more essay. A readable one is
    matched (the ``essay.added.late`` handler), and a READY batch validates it first."""
    batch.expected_essay_count += 1
    batch.save(update_fields=["expected_essay_count", "updated_at"])
    event_record(batch, EventType.ESSAY_ADDED_LATE, {
        "essay_id": str(essay.id), "filename": essay.original_filename, "status": essay.status,
        "expected_essay_count": batch.expected_essay_count,
    })
    if essay.status != EssayStatus.PROVISIONED or batch.status != BatchStatus.READY_FOR_PIPELINE_EXECUTION:
        return
    if batch.is_regular:
        batch_reopen_validation(batch, reason="late_essay")
    else:
        # nothing to validate: Phase 2 gets the new manifest
        batch_enter_ready(batch, manifest=batch_ready_manifest(batch))


def _essay_store(batch: Batch, item: _PreparedFile, fingerprint: str, stored: list[str]) -> Essay:
    failure = item.failure
    essay = Essay.objects.create(
        batch=batch,
        original_filename=item.filename,
        file_format=item.file_format[:10],
        size_bytes=item.size,
        sha256=item.sha256,
        text=item.text,
        text_fingerprint=fingerprint,
        status=EssayStatus.FAILED if failure else EssayStatus.PROVISIONED,
        failure_code=failure.code if failure else "",
        failure_reason=failure.reason if failure else "",
    )
    if not failure and item.data:
        _original_store(essay, item, stored)
    if failure:
        event_record(batch, EventType.ESSAY_VALIDATION_FAILED, {
            "essay_id": str(essay.id), "filename": essay.original_filename,
            "code": failure.code, "reason": failure.reason,
        })
    else:
        event_record(batch, EventType.ESSAY_CONTENT_PROVISIONED, {
            "essay_id": str(essay.id), "filename": essay.original_filename,
            "format": essay.file_format, "size_bytes": essay.size_bytes,
            "text_chars": len(essay.text),
        })
    return essay


def _original_store(essay: Essay, item: _PreparedFile, stored: list[str]) -> None:
    """Keep the uploaded file beside its text (by ids, never by its filename)."""
    essay.original_file.save(item.filename, ContentFile(item.data), save=False)
    Essay.objects.filter(pk=essay.pk).update(original_file=essay.original_file.name)
    stored.append(essay.original_file.name)


def originals_delete(names: list[str]) -> None:
    """Delete stored originals by name (already gone is fine: erasing twice is erasing)."""
    for name in names:
        if name:
            default_storage.delete(name)


def original_delete_after_commit(essay: Essay) -> None:
    """The essay row is going (once its transaction commits): so is its uploaded original."""
    name = essay.original_file.name
    if name:
        transaction.on_commit(lambda: originals_delete([name]))


def originals_erase_after_cancel(event: BatchEvent) -> None:
    """``batch.cancelled``: the batch goes nowhere, so its uploaded originals are erased (its
    essays' text stays until the batch is deleted). Idempotent: a second run finds nothing."""
    with transaction.atomic():
        essays = Essay.objects.filter(batch_id=event.batch_id).exclude(original_file="")
        names = list(essays.values_list("original_file", flat=True))
        essays.update(original_file="")
        transaction.on_commit(lambda: originals_delete(names))


def essay_remove(*, batch_id: UUID, essay_id: UUID, removed_by: AbstractBaseUser) -> None:
    """Take a wrong, broken or duplicate upload out of the batch, with its suggestions and
    decision. Before provisioning completes its slot is free for another file; after it, the
    batch expects one essay fewer (and may now be complete: the caller, which owns the
    associations, confirms them in the same transaction; ``matching.services.essay_remove``)."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status(OPEN_STATUSES, action=_("remove an essay"), code="essays_locked")
        essay = batch.essays.filter(pk=essay_id).first()
        if essay is None:
            raise NotFound(_("No essay with id ‘%(id)s’ in this batch.") % {"id": essay_id},
                           code="essay_not_found")
        filename = essay.original_filename
        essay.delete()
        if batch.status != BatchStatus.AWAITING_CONTENT:
            batch.expected_essay_count = max(1, batch.expected_essay_count - 1)
            batch.save(update_fields=["expected_essay_count", "updated_at"])
        event_record(batch, EventType.ESSAY_REMOVED, {
            "essay_id": str(essay_id), "filename": filename, "removed_by": removed_by.get_username(),
            "expected_essay_count": batch.expected_essay_count,
        })


def content_provisioning_complete(batch: Batch, *, reason: str) -> None:
    """Close content provisioning of a locked batch: exactly once, by the state machine."""
    batch_transition(batch, BatchStatus.CONTENT_PROVISIONED)
    provisioned = batch.essays.filter(status=EssayStatus.PROVISIONED).order_by("created_at", "id")
    event_record(batch, EventType.BATCH_CONTENT_PROVISIONING_COMPLETED, {
        **batch_essay_counts(batch),
        "reason": reason,
        "batch_type": batch.batch_type,
        "course_code": batch.course_code,
        "user_id": batch.owner_id,
        "class_id": str(batch.school_class_id) if batch.school_class_id else None,
        "essays_for_processing": [str(essay_id) for essay_id in provisioned.values_list("id", flat=True)],
    })


def uploads_finalize(*, batch_id: UUID) -> Batch:
    """The teacher closes uploads early: the batch goes on with the essays it has."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        batch.require_status({BatchStatus.AWAITING_CONTENT}, action=_("finish uploading"),
                             code="uploads_closed")
        if not batch.essays.exists():
            raise DomainError(_("Upload at least one essay before finishing the upload."), code="no_essays")
        batch.uploads_finalized_at = timezone.now()
        batch.save(update_fields=["uploads_finalized_at"])
        content_provisioning_complete(batch, reason="finalized_early")
    return batch


def batch_route_after_content(event: BatchEvent) -> None:
    """GUEST batches are ready as they are; REGULAR batches go on to student matching."""
    with transaction.atomic():
        batch = batch_lock(event.batch_id)
        if batch.status != BatchStatus.CONTENT_PROVISIONED:
            return  # already routed
        if batch.is_regular:
            batch_transition(batch, BatchStatus.AWAITING_STUDENT_MATCHING)
            event_record(
                batch,
                EventType.BATCH_STUDENT_MATCHING_INITIATE_COMMAND,
                {"class_id": str(batch.school_class_id)},
            )
        else:
            batch_enter_ready(batch, manifest=batch_ready_manifest(batch))
