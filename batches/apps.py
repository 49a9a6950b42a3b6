from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"

    def ready(self) -> None:
        from batches import metrics  # noqa: F401 - defines the series, scraped at 0 from the start
        from batches.notifications import notify_event
        from outbox.registry import event_delivered_register

        # Every delivered event reaches the teacher's open pages.
        event_delivered_register(notify_event)
