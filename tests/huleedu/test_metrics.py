"""``/metrics`` exposes every metric, and each one moves when REGULAR and GUEST batches go through the API.

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

from matching.services import batch_timeout_apply
from outbox.queue import enqueue_now
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


DESIGN_NAMES = (
    "nlp_phase1_student_matching_initiated_total", "nlp_phase1_associations_confirmed_total",
    "nlp_phase1_matching_duration_seconds", "nlp_phase1_batch_size", "nlp_phase1_batch_processing_seconds",
    "nlp_extraction_duration_seconds", "nlp_match_confidence_score", "nlp_phase1_batch_match_outcomes_total",
    "nlp_phase1_batch_errors_total",
)


@pytest.mark.slow
def test_every_metric_moves_when_regular_and_guest_batches_go_through_the_api(api):
    before = scrape()

    flow = run_regular_flow(api, prefix="metrics")  # 3 essays decided by the teacher, 1 .odt failed
    # A second batch left to the validation deadline: the timeout decides it.
    timed_out = run_regular_flow_until_validation(api)
    assert batch_timeout_apply(batch_id=timed_out, force=True)
    auto = run_auto_confirmed_batch(api)  # 2 high-confidence essays confirmed as found
    empty = run_batch_of_a_class_without_students(api)
    guest = run_guest_batch(api)
    enqueue_now("tests.huleedu.test_metrics.failing_task")  # inline: fails in this process
    with override_settings(ROOT_URLCONF=__name__):
        assert Client(raise_request_exception=False).get("/boom/").status_code == 500

    after = scrape()
    assert flow.batch_id and auto and empty and guest

    design = {
        # Initiated for the 4 REGULAR batches; a GUEST batch is never matched.
        ("nlp_phase1_student_matching_initiated_total", (("batch_type", "REGULAR"),)): 4,
        ("nlp_phase1_student_matching_initiated_total", (("batch_type", "GUEST"),)): 0,
        ("nlp_phase1_associations_confirmed_total", (("validation_method", "human"),)): 3,
        ("nlp_phase1_associations_confirmed_total", (("validation_method", "timeout"),)): 3,
        ("nlp_phase1_associations_confirmed_total", (("validation_method", "auto"),)): 2,
        # Three batches confirmed; the one without a roster still waits for its teacher.
        ("nlp_phase1_matching_duration_seconds_count", ()): 3,
        # Batch size is the essays matched (3 + 3 + 2), not the 4 + 4 + 2 declared.
        ("nlp_phase1_batch_size_count", ()): 3,
        ("nlp_phase1_batch_size_sum", ()): 8,
        ("nlp_phase1_batch_processing_seconds_count", ()): 3,
        ("nlp_extraction_duration_seconds_count", (("strategy_name", "text"),)): 8,
        ("nlp_extraction_duration_seconds_count", (("strategy_name", "filename"),)): 8,
        # Per essay: every matched essay found its author; the two .odt files and the essay of
        # the class without students could not be matched.
        ("nlp_phase1_batch_match_outcomes_total", (("outcome", "matched"),)): 8,
        ("nlp_phase1_batch_match_outcomes_total", (("outcome", "no_match"),)): 0,
        ("nlp_phase1_batch_match_outcomes_total", (("outcome", "error"),)): 3,
        ("nlp_match_confidence_score_count", ()): 8,
        ("nlp_phase1_batch_errors_total", (("error_type", "roster_not_found"),)): 1,
        ("nlp_phase1_batch_errors_total", (("error_type", "content_fetch_failed"),)): 2,
        ("nlp_phase1_batch_errors_total", (("error_type", "timeout"),)): 0,
    }
    for (name, labels), expected in design.items():
        assert moved(before, after, name, **dict(labels)) == expected, (name, labels)
    for name in DESIGN_NAMES:  # every name is in the exposition, with every known label value
        assert any(sample == name or sample.startswith(name + "_") for sample in names(after)), name
    for method in ("human", "timeout", "auto"):
        series = ("nlp_phase1_associations_confirmed_total", frozenset({("validation_method", method)}))
        assert series in after, method
    # The design's buckets, exactly.
    design_buckets = {
        "nlp_phase1_matching_duration_seconds": ("60.0", "300.0", "3600.0", "21600.0", "86400.0"),
        "nlp_phase1_batch_size": ("1.0", "5.0", "10.0", "20.0", "30.0", "50.0", "100.0"),
        "nlp_phase1_batch_processing_seconds": ("1.0", "5.0", "10.0", "30.0", "60.0", "120.0"),
        "nlp_match_confidence_score": ("0.1", "0.3", "0.5", "0.7", "0.8", "0.9", "0.95", "0.99"),
    }
    for name, buckets in design_buckets.items():
        found = {dict(labels)["le"] for sample, labels in after if sample == f"{name}_bucket"}
        assert found == {*buckets, "+Inf"}, (name, found)
    # The accepted matches were confident: the median is well above the design's 0.7 alert line.
    assert moved(before, after, "nlp_match_confidence_score_bucket", le="0.7") == 0

    business = {
        ("huleedu_batches_registered_total", (("batch_type", "REGULAR"),)): 4,
        ("huleedu_batches_registered_total", (("batch_type", "GUEST"),)): 1,
        ("huleedu_matching_engine_duration_seconds_count", ()): 3,
        ("huleedu_matching_skipped_total", ()): 0,
        ("huleedu_events_recorded_total", (("event_type", "batch.essays.ready"),)): 4,
        ("huleedu_text_extraction_duration_seconds_count", (("file_format", "txt"), ("outcome", "ok"))): 8,
        ("huleedu_text_extraction_duration_seconds_count", (("file_format", "docx"), ("outcome", "ok"))): 2,
        ("huleedu_text_extraction_duration_seconds_count",
         (("file_format", "other"), ("outcome", "unsupported"))): 2,
        ("huleedu_api_errors_total", (("code", "batch_not_ready"), ("status", "409"))): 2,
        ("huleedu_http_requests_total",  # two uploads in the first batch, one in each other
         (("route", "api-batch-essays"), ("method", "POST"), ("status", "201"))): 6,
        ("huleedu_http_request_duration_seconds_count", (("route", "api-association"), ("method", "PUT"))): 1,
        ("huleedu_unhandled_exceptions_total", (("exception", "ValueError"),)): 1,
        ("huleedu_task_failures_total", (("task", "tests.huleedu.test_metrics.failing_task"),)): 1,
    }
    for (name, labels), expected in business.items():
        assert moved(before, after, name, **dict(labels)) == expected, (name, labels)

    at_least_one = [
        ("huleedu_match_cues_total", {}),
        ("huleedu_task_duration_seconds_count",
         {"task": "outbox.tasks.deliver_event", "outcome": "success"}),
        ("huleedu_task_queue_wait_seconds_count", {"task": "outbox.tasks.deliver_event"}),
        ("huleedu_http_requests_total", {"route": "api-batch-confirm", "method": "POST", "status": "200"}),
    ]
    for name, labels in at_least_one:
        assert moved(before, after, name, **labels) >= 1, (name, labels)

    # Read at scrape time: present with a value, whatever it is now.
    for gauge in ("huleedu_task_queue_length", "huleedu_outbox_undelivered_events",
                  "huleedu_outbox_oldest_undelivered_age_seconds", "huleedu_batches_overdue_validation",
                  "huleedu_matching_engine_compiled"):
        assert gauge in names(after), gauge
    assert total(after, "huleedu_outbox_undelivered_events") == 0  # inline delivery left nothing behind


def run_auto_confirmed_batch(api) -> str:
    """A class that confirms high-confidence matches as found: its batch is ready on upload."""
    created = api.post("/api/v1/classes/", {"name": "9E", "students": [
        {"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER]}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 2,
                                          "class_id": created["class_id"], "auto_confirm_high": True},
                     format="json").json()
    api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file("a.txt", "Namn: Åsa Sjöström\n\nText."),
        txt_file("b.txt", "Name: Mohammed Ali\n\nText."),
    ]}, format="multipart")
    assert api.get(f"/api/v1/batches/{batch['batch_id']}/").json()["status"] == "READY_FOR_PIPELINE_EXECUTION"
    return batch["batch_id"]


def run_batch_of_a_class_without_students(api) -> str:
    created = api.post("/api/v1/classes/", {"name": "9F"}, format="json").json()
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 1,
                                          "class_id": created["class_id"]}, format="json").json()
    api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file("a.txt", "Namn: Åsa Sjöström\n\nText.")]}, format="multipart")
    body = api.get(f"/api/v1/batches/{batch['batch_id']}/").json()
    assert body["status"] == "AWAITING_STUDENT_VALIDATION"
    assert body["processing_summary"]["notice"]["code"] == "roster_not_found"
    return batch["batch_id"]


def run_guest_batch(api) -> str:
    batch = api.post("/api/v1/batches/", {"course_code": "ENG5", "expected_essay_count": 1},
                     format="json").json()
    api.post(f"/api/v1/batches/{batch['batch_id']}/essays/", {"files": [
        txt_file("guest.txt", "An essay without a class.")]}, format="multipart")
    assert api.get(f"/api/v1/batches/{batch['batch_id']}/").json()["status"] == "READY_FOR_PIPELINE_EXECUTION"
    return batch["batch_id"]


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
        *DESIGN_NAMES,
        "huleedu_batches_registered_total", "huleedu_events_recorded_total", "huleedu_matching_skipped_total",
        "huleedu_matching_engine_duration_seconds", "huleedu_match_cues_total",
        "huleedu_text_extraction_duration_seconds",
        "huleedu_api_errors_total", "huleedu_unhandled_exceptions_total", "huleedu_http_requests_total",
        "huleedu_http_request_cpu_seconds", "huleedu_http_request_database_wait_seconds",
        "huleedu_http_database_statements_total",
        "huleedu_http_request_duration_seconds", "huleedu_task_duration_seconds",
        "huleedu_task_queue_wait_seconds", "huleedu_task_failures_total", "huleedu_task_queue_length",
        "huleedu_outbox_undelivered_events", "huleedu_outbox_oldest_undelivered_age_seconds",
        "huleedu_batches_overdue_validation", "huleedu_matching_engine_compiled",
    )
