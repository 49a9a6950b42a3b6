from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from batches import signals

        # Periodic jobs (outbox relay, validation timeouts) are django-q2 schedules; make sure
        # they exist after every migrate so a new deployment cannot forget them.
        post_migrate.connect(signals.ensure_schedules_after_migrate, sender=self)
