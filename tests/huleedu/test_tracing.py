"""One trace from an upload to the suggestions, every span of it carrying the batch's
correlation id (an in-memory exporter stands in for the OTLP collector)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from huleedu import tracing
from tests.conftest import docx_file, txt_file
from tests.huleedu.flows import ROSTER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    assert not tracing.tracing_enabled()  # off by default: no endpoint configured in tests
    spans = InMemorySpanExporter()
    assert tracing.tracing_configure(exporter=spans)
    connection.close()  # the next connection is made through the instrumented psycopg
    try:
        yield spans
    finally:
        tracing.tracing_shutdown()
        connection.close()


def test_without_an_endpoint_tracing_is_off_and_spans_are_no_ops():
    assert not tracing.tracing_enabled()
    with tracing.span("anything", batch_id="x") as opened:
        assert opened is None
    tracing.annotate(correlation_id="x")  # nothing to annotate, nothing raised


def test_one_trace_runs_from_the_upload_to_the_suggestions(api, exporter, caplog):
    headers = {"HTTP_X_CORRELATION_ID": "trace-walk-1"}
    created = api.post("/api/v1/classes/", {"name": "9T", "students": [
        {"first_name": f, "last_name": la, "email": e} for f, la, e in ROSTER]}, format="json", **headers)
    batch = api.post("/api/v1/batches/", {"course_code": "SVE1", "expected_essay_count": 2,
                                          "class_id": created.json()["class_id"]}, format="json", **headers)
    batch_id = batch.json()["batch_id"]
    exporter.clear()

    # The upload request has an id of its own; the batch keeps the one it was registered with.
    uploaded = api.post(f"/api/v1/batches/{batch_id}/essays/", {"files": [
        txt_file("a.txt", "Namn: Åsa Sjöström\n\nText."),
        docx_file("b.docx", ["Name: Erik Andersson", "Text."]),
    ]}, format="multipart", HTTP_X_CORRELATION_ID="trace-upload-1")
    assert uploaded.status_code == 201
    assert api.get(f"/api/v1/batches/{batch_id}/").json()["status"] == "AWAITING_STUDENT_VALIDATION"

    spans = exporter.get_finished_spans()
    request = next(s for s in spans
                   if s.parent is None and s.attributes.get("request_id") == "trace-upload-1")
    assert request.attributes.get("http.method", request.attributes.get("http.request.method")) == "POST"
    trace_id = request.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    # The chain: provisioning completed → routed → matching initiated → requested → suggestions.
    for event_type in ("batch.content.provisioning.completed", "batch.student.matching.initiate.command",
                       "batch.student.matching.requested", "batch.author.matches.suggested"):
        assert f"event {event_type}" in names, (event_type, sorted(names))
    tasks = [s for s in in_trace if s.name == "task outbox.tasks.deliver_event"]
    assert len(tasks) >= 3
    # Every request, task and event span of the trace carries the same correlation id and batch.
    carrying = [s for s in in_trace if s is request or s in tasks or s.name.startswith("event ")]
    assert {s.attributes.get("correlation_id") for s in carrying} == {"trace-walk-1"}
    assert {s.attributes.get("batch_id") for s in carrying} == {batch_id}
    events = [s for s in in_trace if s.name.startswith("event ")]
    assert all(s.attributes["event_type"] == s.name.removeprefix("event ") for s in events)
    # Each span's parent is in the same trace: it is one tree, rooted at the upload request.
    ids = {s.context.span_id for s in in_trace}
    assert all(s.parent is None or s.parent.span_id in ids for s in in_trace)
    assert [s for s in in_trace if s.parent is None] == [request]
    # The log lines of that work name the same trace.
    logged = {getattr(r, "trace_id", None) for r in caplog.records
              if getattr(r, "batch_id", None) == batch_id}
    assert f"{trace_id:032x}" in logged
    # The database statements (psycopg) are spans of the trace too.
    assert any("postgresql" in (s.attributes.get("db.system"), s.attributes.get("db.system.name"))
               for s in in_trace)


PROBE = """
import os, sys
import django
django.setup()
from django.conf import settings
from huleedu import tracing
with tracing.span("probe", correlation_id="probe-1", batch_id="b-1", event_type="probe.event"):
    pass
loaded = sorted(m for m in sys.modules if m.startswith("opentelemetry.sdk"))
otel_middleware = any("opentelemetry" in m for m in settings.MIDDLEWARE)
if tracing.tracing_enabled():
    from opentelemetry import trace
    trace.get_tracer_provider().force_flush()
print(tracing.tracing_enabled(), bool(loaded), otel_middleware)
"""


def run_probe(extra_env: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update({"DJANGO_SETTINGS_MODULE": "huleedu.settings", **extra_env})
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_without_the_endpoint_a_process_loads_nothing_of_the_sdk_and_instruments_nothing():
    assert run_probe({}) == "False False False"


@pytest.mark.slow
def test_with_the_endpoint_spans_are_exported_over_otlp_http():
    """A real OTLP/HTTP exchange with a collector stand-in on the loopback interface."""
    import http.server
    import threading

    received: list[tuple[str, bytes]] = []

    class Collector(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        line = run_probe({"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
                          "OTEL_SERVICE_NAME": "huleedu-probe"})
    finally:
        server.shutdown()
    assert line == "True True True"
    assert [path for path, _ in received] == ["/v1/traces"]
    body = received[0][1]
    for expected in (b"probe", b"probe-1", b"probe.event", b"huleedu-probe", b"correlation_id"):
        assert expected in body, expected
