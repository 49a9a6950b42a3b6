"""Essays' metrics: how long reading an uploaded file takes."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram

from huleedu.metrics import HTTP_SECONDS

TEXT_EXTRACTION_SECONDS = Histogram(
    "huleedu_text_extraction_duration_seconds",
    "Text extraction of one uploaded file, by file format and outcome (ok or the failure code).",
    ["file_format", "outcome"],
    buckets=HTTP_SECONDS,
)


class text_extraction_timer:  # lowercase: it reads like a function, ``with text_extraction_timer(fmt):``
    """Time one file's extraction; the outcome is ``ok`` or the raised failure's ``code``.

    A class rather than ``@contextmanager``: the generator form re-raises by assigning the
    exception's ``__traceback__``, which frozen-dataclass exceptions (ExtractionFailure) refuse.
    """

    def __init__(self, file_format: str) -> None:
        # Unknown extensions share one series: a label per typo would grow without bound.
        self.file_format = file_format if file_format in ("txt", "docx", "pdf") else "other"

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        outcome = "ok" if exc is None else str(getattr(exc, "code", "") or "error")
        TEXT_EXTRACTION_SECONDS.labels(self.file_format, outcome).observe(time.perf_counter() - self.started)
        return False  # never swallow the exception
