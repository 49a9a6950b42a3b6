from django.apps import AppConfig


class HuleEduConfig(AppConfig):
    name = "huleedu"
    verbose_name = "HuleEdu"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import pre_save

        from huleedu import checks, live_sessions, metrics, tracing  # noqa: F401 - checks register themselves

        # Task durations/failures come from django-q2's signals, 500s from Django's.
        metrics.connect_signal_receivers()
        # Traces: only with OTEL_EXPORTER_OTLP_ENDPOINT set; otherwise nothing is loaded.
        tracing.connect_signal_receivers()
        tracing.tracing_configure()
        # A sign-in that ends (logout, new password) ends its sockets and tokens too.
        user_logged_out.connect(live_sessions.on_logged_out, dispatch_uid="huleedu-logged-out")
        pre_save.connect(live_sessions.on_user_saved, sender=get_user_model(),
                         dispatch_uid="huleedu-password-changed")
