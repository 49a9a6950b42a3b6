"""Structured logs: one JSON object per line, and every line about a batch carries the
correlation id of the request that registered it, from registration to READY."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from huleedu.logging import CorrelationIdFilter, JsonFormatter
from tests.huleedu.flows import run_regular_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log_lines() -> Iterator[io.StringIO]:
    """The production formatter and filter on the root logger, writing to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def parse(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_every_log_line_of_a_batch_carries_its_registration_correlation_id(api, json_log_lines):
    flow = run_regular_flow(api, prefix="corr")
    registration_id = flow.correlation_ids["register"]

    lines = parse(json_log_lines)
    for line in lines:
        assert {"ts", "level", "logger", "message"} <= line.keys(), line
    about_batch = [line for line in lines if line.get("batch_id") == flow.batch_id]
    assert about_batch, "no log line names the batch"
    wrong = [line for line in about_batch if line.get("correlation_id") != registration_id]
    assert not wrong, wrong[:3]

    # From registration to READY: the whole story is there under the one id.
    events = {line.get("event_type") for line in about_batch if line["message"] == "event recorded"}
    assert {"batch.essays.registered", "essay.content.provisioned", "batch.author.matches.suggested",
            "student.associations.confirmed", "batch.essays.ready"} <= events
    transitions = [line["to_status"] for line in about_batch if line["message"] == "batch state changed"]
    assert transitions[0] == "CONTENT_PROVISIONED" and transitions[-1] == "READY_FOR_PIPELINE_EXECUTION"
    assert any(line["message"] == "matching job finished" for line in about_batch)

    # Each line still says which request did the work.
    request_ids = {line.get("request_id") for line in about_batch}
    assert {registration_id, flow.correlation_ids["upload-2"],
            flow.correlation_ids["accept-high"]} <= request_ids


def test_the_correlation_id_is_taken_from_and_returned_in_the_header(api):
    response = api.get("/api/v1/batches/", HTTP_X_CORRELATION_ID="caller-chosen-id-42")
    assert response["X-Correlation-ID"] == "caller-chosen-id-42"
    made_up = api.get("/api/v1/batches/", HTTP_X_CORRELATION_ID="bad id\nwith newline")
    assert made_up["X-Correlation-ID"] != "bad id\nwith newline" and len(made_up["X-Correlation-ID"]) == 36


def test_a_batch_registered_with_a_correlation_id_keeps_it(api):
    registered = api.post("/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 1},
                          format="json", HTTP_X_CORRELATION_ID="reg-keep-1")
    assert registered.json()["correlation_id"] == "reg-keep-1"
