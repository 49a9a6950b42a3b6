from typing import Any

from django.apps import AppConfig


def _schedules_ensure(**kwargs: Any) -> None:
    from outbox.services import schedules_ensure

    schedules_ensure()


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from outbox import metrics

        metrics.scrape_time_collector_register()
        # The relay is a django-q2 schedule; it exists after every migrate, so a new deployment
        # cannot forget it.
        post_migrate.connect(_schedules_ensure, sender=self, dispatch_uid="outbox-schedules")
