from django.apps import AppConfig


class EssaysConfig(AppConfig):
    name = "essays"

    def ready(self) -> None:
        from essays import metrics  # noqa: F401 - defines the series, scraped at 0 from the start
        from essays.services import batch_route_after_content
        from outbox.registry import event_handlers_register
        from outbox.types import EventType

        # Every essay is in: GUEST batches are ready, REGULAR ones go on to matching.
        event_handlers_register(EventType.BATCH_CONTENT_PROVISIONING_COMPLETED, batch_route_after_content)
