"""``/metrics`` exposes every metric, and each one moves when a REGULAR batch goes through the API.

Metrics are process-wide counters, so every assertion compares a scrape taken before the flow
with one taken after it: other tests may have moved them before, never during.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.db import connection, reset_queries
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from prometheus_client.parser import text_string_to_metric_families

from huleedu.tasks import enqueue_now
from matching.services import batch_timeout_apply
from tests.conftest import docx_file, txt_file
from tests.huleedu.flows import ROSTER, run_regular_flow

pytestmark = pytest.mark.django_db(transaction=True)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape() -> Samples:
    response = Client().get("/metrics")  # unauthenticated, like Prometheus
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (sample, sample_labels), value in samples.items()
               if sample == name and wanted <= sample_labels)


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def failing_task() -> None:
    raise RuntimeError("a task that fails, for the failure counter")


def raising_view(request: HttpRequest) -> HttpResponse:
    raise ValueError("an unhandled error, for the 500 counter")


urlpatterns = [path("boom/", raising_view, name="test-boom"), path("", include("huleedu.urls"))]


def test_every_metric_moves_when_a_regular_batch_goes_through_the_api(api):
    before = scrape()

    flow = run_regular_flow(api, prefix="metrics")
    # A second batch left to the validation deadline: the timeout decides it.
    timed_out = run_regular_flow_until_validation(api)
    assert batch_timeout_apply(batch_id=timed_out, force=True)
    enqueue_now("tests.huleedu.test_metrics.failing_task")  # inline: fails in this process
    with override_settings(ROOT_URLCONF=__name__):
        assert Client(raise_request_exception=False).get("/boom/").status_code == 500

    after = scrape()
    assert flow.batch_id

    business = {
        ("huleedu_batches_registered_total", (("batch_type", "REGULAR"),)): 2,
        ("huleedu_batch_expected_essays_count", (("batch_type", "REGULAR"),)): 2,
        ("huleedu_batch_expected_essays_sum", (("batch_type", "REGULAR"),)): 8,
        ("huleedu_matching_initiated_total",
         (("batch_type", "REGULAR"), ("trigger", "content_provisioned"))): 2,
        ("huleedu_matching_job_duration_seconds_count", ()): 2,
        ("huleedu_matching_engine_duration_seconds_count", ()): 2,
        ("huleedu_matching_essays_total", (("outcome", "error"),)): 2,  # the .odt file, twice
        ("huleedu_match_top_confidence_count", ()): 6,  # 3 provisioned essays per batch
        ("huleedu_matching_to_confirmation_seconds_count", (("completed_by", "human"),)): 1,
        ("huleedu_matching_to_confirmation_seconds_count", (("completed_by", "timeout"),)): 1,
        ("huleedu_associations_confirmed_total", (("method", "human"),)): 3,
        ("huleedu_associations_confirmed_total", (("method", "timeout"),)): 3,
        ("huleedu_events_recorded_total", (("event_type", "batch.essays.ready"),)): 2,
        ("huleedu_text_extraction_duration_seconds_count", (("file_format", "txt"), ("outcome", "ok"))): 4,
        ("huleedu_text_extraction_duration_seconds_count", (("file_format", "docx"), ("outcome", "ok"))): 2,
        ("huleedu_text_extraction_duration_seconds_count",
         (("file_format", "other"), ("outcome", "unsupported"))): 2,
        ("huleedu_api_errors_total", (("code", "batch_not_ready"), ("status", "409"))): 2,
        ("huleedu_http_requests_total",  # two uploads in the first batch, one in the second
         (("route", "api-batch-essays"), ("method", "POST"), ("status", "201"))): 3,
        ("huleedu_http_request_duration_seconds_count", (("route", "api-association"), ("method", "PUT"))): 1,
        ("huleedu_unhandled_exceptions_total", (("exception", "ValueError"),)): 1,
        ("huleedu_task_failures_total", (("task", "tests.huleedu.test_metrics.failing_task"),)): 1,
    }
    for (name, labels), expected in business.items():
        assert moved(before, after, name, **dict(labels)) == expected, (name, labels)

    at_least_one = [
        ("huleedu_matching_essays_total", {"outcome": "matched"}),
        ("huleedu_match_cues_total", {}),
        ("huleedu_task_duration_seconds_count",
         {"task": "batches.tasks.deliver_event", "outcome": "success"}),
        ("huleedu_task_queue_wait_seconds_count", {"task": "batches.tasks.deliver_event"}),
        ("huleedu_http_requests_total", {"route": "api-batch-confirm", "method": "POST", "status": "200"}),
    ]
    for name, labels in at_least_one:
        assert moved(before, after, name, **labels) >= 1, (name, labels)
    # Median confidence is meaningful: the accepted matches were high.
    assert total(after, "huleedu_match_top_confidence_count", level="high") > 0

    # Read at scrape time: present with a value, whatever it is now.
    for gauge in ("huleedu_task_queue_length", "huleedu_outbox_undelivered_events",
                  "huleedu_outbox_oldest_undelivered_age_seconds", "huleedu_batches_overdue_validation"):
        assert gauge in names(after), gauge
    assert total(after, "huleedu_outbox_undelivered_events") == 0  # inline delivery left nothing behind


def run_regular_flow_until_validation(api) -> str:
    """Class and batch of 4 uploaded and matched, then left undecided; returns the batch id."""
    created = api.post("/api/v1/classes/", {"name": "9C", "students": [
        {"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER]}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 4,
                                          "class_id": created["class_id"]}, format="json").json()
    assert api.post(f"/api/v1/batches/{batch['batch_id']}/pipeline/", {"pipeline": ["x"]},
                    format="json").status_code == 409
    api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file("a.txt", "Namn: Åsa Sjöström\n\nText."),
        txt_file("b.txt", "Name: Elsa Lindqvist\n\nText."),
        docx_file("c.docx", ["Name: Erik Andersson", "Text."]),
        txt_file("d.odt", "unsupported"),
    ]}, format="multipart")
    assert api.get(f"/api/v1/batches/{batch['batch_id']}/").json()["status"] == "AWAITING_STUDENT_VALIDATION"
    return batch["batch_id"]


def test_each_request_reports_its_cpu_time_database_wait_and_statements(api):
    """Where a request's time went, for the on-call engineer: one observation per request, and
    exactly the statements the request made."""
    students = [{"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER]
    created = api.post("/api/v1/classes/", {"name": "9D", "students": students}, format="json")
    assert created.status_code == 201
    before = scrape()
    # Each request's start empties the query log: empty it first, and count before the scrape.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/classes/").status_code == 200
    statements = len(queries)
    after = scrape()

    route = {"route": "api-classes", "method": "GET"}
    assert statements > 0
    assert moved(before, after, "huleedu_http_database_statements_total", **route) == statements
    for histogram in ("huleedu_http_request_cpu_seconds", "huleedu_http_request_database_wait_seconds"):
        assert moved(before, after, f"{histogram}_count", **route) == 1, histogram
    duration = moved(before, after, "huleedu_http_request_duration_seconds_sum", **route)
    cpu = moved(before, after, "huleedu_http_request_cpu_seconds_sum", **route)
    waited = moved(before, after, "huleedu_http_request_database_wait_seconds_sum", **route)
    assert 0 < cpu < duration + 0.001  # its clock stops a moment after the duration's
    assert 0 <= waited < duration


def test_every_listed_metric_is_documented_in_the_exposition():
    """Each metric family has HELP text, so a dashboard author can read what it means."""
    text = Client().get("/metrics").content.decode()
    for name in metric_names():
        assert f"# HELP {name} " in text, name


def metric_names() -> Iterable[str]:
    return (
        "huleedu_batches_registered_total", "huleedu_batch_expected_essays", "huleedu_events_recorded_total",
        "huleedu_matching_initiated_total", "huleedu_matching_job_duration_seconds",
        "huleedu_matching_engine_duration_seconds", "huleedu_matching_essays_total",
        "huleedu_match_top_confidence", "huleedu_match_cues_total",
        "huleedu_text_extraction_duration_seconds",
        "huleedu_associations_confirmed_total", "huleedu_matching_to_confirmation_seconds",
        "huleedu_api_errors_total", "huleedu_unhandled_exceptions_total", "huleedu_http_requests_total",
        "huleedu_http_request_cpu_seconds", "huleedu_http_request_database_wait_seconds",
        "huleedu_http_database_statements_total",
        "huleedu_http_request_duration_seconds", "huleedu_task_duration_seconds",
        "huleedu_task_queue_wait_seconds", "huleedu_task_failures_total", "huleedu_task_queue_length",
        "huleedu_outbox_undelivered_events", "huleedu_outbox_oldest_undelivered_age_seconds",
        "huleedu_batches_overdue_validation",
    )
