"""One JSON object per log line, with the correlation id and batch id of the work in hand."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from huleedu import tracing
from huleedu.correlation import batch_correlation_id, get_batch_id, get_correlation_id

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class CorrelationIdFilter(logging.Filter):
    """Stamps ``batch_id``, ``correlation_id`` and ``request_id`` on every record.

    ``request_id`` is the id of the work in hand (the request's X-Correlation-ID, or the
    event a task delivers). ``correlation_id`` is the batch's own, the one of the request
    that registered it, whenever the line is about a batch: so one filter on it finds a
    batch's whole story, from registration to READY, across requests, tasks and processes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = get_correlation_id()
        if not getattr(record, "request_id", None):
            record.request_id = request_id
        if not getattr(record, "batch_id", None):
            record.batch_id = get_batch_id()
        if not getattr(record, "correlation_id", None):
            from_batch = batch_correlation_id(record.batch_id) if record.batch_id else None
            record.correlation_id = from_batch or request_id
        ids = tracing.current_trace_ids()  # None (at once) unless tracing is on
        if ids is not None:
            record.trace_id, record.span_id = ids
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
