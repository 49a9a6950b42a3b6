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
from django.db import transaction
from django.utils import timezone

from batches.events import event_record
from batches.locks import batch_lock
from batches.models import Batch, BatchStatus
from batches.services import batch_essay_counts, batch_transition
from essays.extraction import ExtractionFailure, extract_text, file_format_of
from essays.models import Essay, EssayStatus, UploadReceipt
from huleedu import metrics
from huleedu.errors import Conflict, DomainError

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
    return _PreparedFile(filename, file_format_of(filename), len(data), sha256, text, None)


def _require_accepting_uploads(batch: Batch) -> None:
    if batch.status != BatchStatus.AWAITING_CONTENT:
        raise Conflict(
            f"The batch no longer accepts uploads (it is {batch.status}).",
            code="uploads_closed",
            details={"status": batch.status},
        )


def essays_upload(
    *, batch: Batch, files: list[UploadedFileLike], idempotency_key: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Store each file as an essay or a recorded validation failure.

    Returns the per-file results and whether they were replayed from an earlier request with
    the same Idempotency-Key. Text extraction happens before the batch row is locked, so slow
    files never hold up other uploads to the same batch.
    """
    if not files:
        raise DomainError("Send one or more files in the multipart field 'files'.", code="no_files")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise DomainError("Idempotency-Key must be 1 to 128 characters.", code="invalid_idempotency_key")
    if idempotency_key:
        receipt = UploadReceipt.objects.filter(batch=batch, key=idempotency_key).first()
        if receipt:
            return receipt.response["results"], True
    _require_accepting_uploads(batch)

    prepared = [_prepare(upload) for upload in files]

    with transaction.atomic():
        locked = batch_lock(batch.id)
        if idempotency_key:
            receipt = UploadReceipt.objects.filter(batch=locked, key=idempotency_key).first()
            if receipt:
                return receipt.response["results"], True
        _require_accepting_uploads(locked)
        filled = locked.essays.count()
        results: list[dict[str, Any]] = []
        for item in prepared:
            if filled >= locked.expected_essay_count:
                results.append({
                    "filename": item.filename, "essay_id": None, "status": "REJECTED",
                    "code": "batch_full",
                    "reason": f"The batch already has all {locked.expected_essay_count} expected essays.",
                })
                continue
            essay = _essay_store(locked, item)
            filled += 1
            results.append({
                "filename": essay.original_filename,
                "essay_id": str(essay.id),
                "status": essay.status,
                "code": essay.failure_code or None,
                "reason": essay.failure_reason or None,
            })
        if filled >= locked.expected_essay_count:
            content_provisioning_complete(locked, reason="all_slots_filled")
        if idempotency_key:
            UploadReceipt.objects.create(batch=locked, key=idempotency_key, response={"results": results})
    return results, False


def _essay_store(batch: Batch, item: _PreparedFile) -> Essay:
    failure = item.failure
    essay = Essay.objects.create(
        batch=batch,
        original_filename=item.filename,
        file_format=item.file_format[:10],
        size_bytes=item.size,
        sha256=item.sha256,
        text=item.text,
        status=EssayStatus.FAILED if failure else EssayStatus.PROVISIONED,
        failure_code=failure.code if failure else "",
        failure_reason=failure.reason if failure else "",
    )
    if failure:
        event_record(batch, "essay.validation.failed", {
            "essay_id": str(essay.id), "filename": essay.original_filename,
            "code": failure.code, "reason": failure.reason,
        })
    else:
        event_record(batch, "essay.content.provisioned", {
            "essay_id": str(essay.id), "filename": essay.original_filename,
            "format": essay.file_format, "size_bytes": essay.size_bytes,
            "text_chars": len(essay.text),
        })
    return essay


def content_provisioning_complete(batch: Batch, *, reason: str) -> None:
    """Close content provisioning of a locked batch: exactly once, by the state machine."""
    batch_transition(batch, BatchStatus.CONTENT_PROVISIONED)
    event_record(
        batch,
        "batch.content.provisioning.completed",
        {**batch_essay_counts(batch), "reason": reason, "batch_type": batch.batch_type},
    )


def uploads_finalize(*, batch_id: UUID) -> Batch:
    """The teacher closes uploads early: the batch goes on with the essays it has."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        _require_accepting_uploads(batch)
        if not batch.essays.exists():
            raise DomainError(
                "Upload at least one essay before finalizing the batch.", code="no_essays"
            )
        batch.uploads_finalized_at = timezone.now()
        batch.save(update_fields=["uploads_finalized_at"])
        content_provisioning_complete(batch, reason="finalized_early")
    return batch
