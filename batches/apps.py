from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"

    def ready(self) -> None:
        from batches import metrics  # noqa: F401 - defines the series, scraped at 0 from the start
        from batches.notifications import notify_event
        from batches.services import batch_route_after_content
        from outbox.registry import event_delivered_register, event_handlers_register
        from outbox.types import EventType

        event_handlers_register(EventType.BATCH_CONTENT_PROVISIONING_COMPLETED, batch_route_after_content)
        # Every delivered event reaches the teacher's open pages.
        event_delivered_register(notify_event)
