"""OpenTelemetry traces: one trace from an HTTP request through every task and event it causes.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. Off, nothing of the SDK is imported, no
library is instrumented, and the hooks below return at once (``span`` hands back one shared
no-op context manager): the embedded default pays one boolean test per task and event.

On (``tracing_configure``, from ``HuleEduConfig.ready``):

* Django (one span per request), psycopg (one per statement) and Redis (one per command: the
  channel layer and the django-q2 broker) are instrumented with the OpenTelemetry
  instrumentations;
* each django-q2 task is a span. The trace context of the code that enqueued it travels with
  the task (django-q2's ``pre_enqueue`` signal adds it to the task package), so a task run by a
  qcluster on another machine continues the trace of the request or task that caused it;
* each event delivery is a span (``batches.events``);
* request, task and event spans carry ``correlation_id``, ``batch_id`` and, for events,
  ``event_type`` — the same correlation id as the event rows, the HTTP header and the logs.

Spans go to the OTLP/HTTP exporter, batched off the request path; the standard
``OTEL_EXPORTER_OTLP_*`` and ``OTEL_SERVICE_NAME`` variables configure it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

logger = logging.getLogger(__name__)

_TASK_CONTEXT_KEY = "trace_context"  # the key in a django-q2 task package
_NO_SPAN: AbstractContextManager[None] = nullcontext()

_provider: TracerProvider | None = None
_tracer: Tracer | None = None
# A worker runs one task at a time (inline tasks nest); the open span waits here for its end.
_open_task_spans: dict[str, tuple[Any, object]] = {}


def tracing_enabled() -> bool:
    return _tracer is not None


def tracing_configure(*, exporter: SpanExporter | None = None) -> bool:
    """Start tracing when an OTLP endpoint is configured (or, in tests, into ``exporter``)."""
    global _provider, _tracer
    if _tracer is not None:
        return True
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", "huleedu")}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)
    _instrument_libraries(provider)
    _provider, _tracer = provider, provider.get_tracer("huleedu")
    logger.info("tracing on", extra={"exporter": type(exporter).__name__ if exporter else "otlp"})
    return True


def tracing_shutdown() -> None:
    """Stop tracing and remove the instrumentation (tests; a process ends without it)."""
    global _provider, _tracer
    if _provider is None:
        return
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (DjangoInstrumentor(), PsycopgInstrumentor(), RedisInstrumentor()):
        instrumentor.uninstrument()
    _provider.shutdown()
    _provider, _tracer = None, None
    _open_task_spans.clear()


def _instrument_libraries(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    # Django's middleware list is read when a handler is built: this runs in AppConfig.ready,
    # before the first one is.
    DjangoInstrumentor().instrument(tracer_provider=provider)
    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider)


def _attributes(values: Mapping[str, object | None]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value not in (None, "")}


def span(name: str, **attributes: object | None) -> AbstractContextManager[Any]:
    """A span around a block, child of the current one; a shared no-op when tracing is off."""
    if _tracer is None:
        return _NO_SPAN
    return _tracer.start_as_current_span(name, attributes=_attributes(attributes))


def current_trace_ids() -> tuple[str, str] | None:
    """The current trace and span ids (hex, as trace back-ends show them), for log lines."""
    if _tracer is None:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


def annotate(**attributes: object | None) -> None:
    """Add attributes to the current span (the request's or the task's), if tracing is on."""
    if _tracer is None:
        return
    from opentelemetry import trace

    trace.get_current_span().set_attributes(_attributes(attributes))


def event_delivery_span(event: Any, *, in_task: bool = False) -> AbstractContextManager[Any]:
    """One span per event delivery; in a delivery task, the task's span learns whose work it is."""
    if _tracer is None:
        return _NO_SPAN
    return _event_span(_tracer, event, in_task=in_task)


@contextmanager
def _event_span(tracer: Tracer, event: Any, *, in_task: bool) -> Iterator[None]:
    values = {"correlation_id": event.correlation_id, "batch_id": event.batch_id,
              "event_type": event.event_type}
    if in_task:
        annotate(**values)
    with tracer.start_as_current_span(f"event {event.event_type}", attributes=_attributes(
            {**values, "event_id": event.event_id, "event_sequence": event.sequence})):
        yield


# --- django-q2 (signal receivers, connected in HuleEduConfig.ready) --------------------------------


def on_task_pre_enqueue(sender: object, task: dict[str, Any], **_: Any) -> None:
    """Carry the current trace context in the task package (W3C ``traceparent``)."""
    if _tracer is None:
        return
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    if carrier:
        task[_TASK_CONTEXT_KEY] = carrier


def on_task_pre_execute(sender: object, func: object, task: dict[str, Any], **_: Any) -> None:
    if _tracer is None:
        return
    from opentelemetry import context, trace
    from opentelemetry.propagate import extract

    parent = extract(task.get(_TASK_CONTEXT_KEY) or {})
    func_name = task["func"] if isinstance(task.get("func"), str) else getattr(func, "__qualname__", "task")
    task_span = _tracer.start_span(
        f"task {func_name}", context=parent, kind=trace.SpanKind.CONSUMER,
        attributes=_attributes({"task_id": task.get("id"), "task_name": task.get("name"),
                                "correlation_id": _current_correlation_id()}))
    token = context.attach(trace.set_span_in_context(task_span, parent))
    _open_task_spans[str(task.get("id"))] = (task_span, token)


def on_task_executed(sender: object, task: dict[str, Any], **_: Any) -> None:
    opened = _open_task_spans.pop(str(task.get("id")), None)
    if opened is None:
        return
    from opentelemetry import context, trace

    task_span, token = opened
    if not task.get("success", False):
        task_span.set_status(trace.Status(trace.StatusCode.ERROR))
    task_span.end()
    context.detach(token)  # type: ignore[arg-type]


def _current_correlation_id() -> str | None:
    from huleedu.correlation import get_correlation_id

    return get_correlation_id()


def connect_signal_receivers() -> None:
    from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

    pre_enqueue.connect(on_task_pre_enqueue, dispatch_uid="huleedu.tracing.pre_enqueue")
    pre_execute.connect(on_task_pre_execute, dispatch_uid="huleedu.tracing.pre_execute")
    post_execute_in_worker.connect(on_task_executed, dispatch_uid="huleedu.tracing.executed")
