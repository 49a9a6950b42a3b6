from django.apps import AppConfig


class HuleEduConfig(AppConfig):
    name = "huleedu"
    verbose_name = "HuleEdu"

    def ready(self) -> None:
        from huleedu import checks, metrics, tracing  # noqa: F401 - checks register themselves

        # Task durations/failures come from django-q2's signals, 500s from Django's.
        metrics.connect_signal_receivers()
        # Traces: only with OTEL_EXPORTER_OTLP_ENDPOINT set; otherwise nothing is loaded.
        tracing.connect_signal_receivers()
        tracing.tracing_configure()
