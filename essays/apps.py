from django.apps import AppConfig


class EssaysConfig(AppConfig):
    name = "essays"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from essays import (
            metrics,  # noqa: F401 - defines the series, scraped at 0 from the start
            signals,
        )
        from essays.models import Essay
        from essays.services import batch_route_after_content, originals_erase_after_cancel
        from outbox.registry import event_handlers_register
        from outbox.types import EventType

        # Every essay is in: GUEST batches are ready, REGULAR ones go on to matching.
        event_handlers_register(EventType.BATCH_CONTENT_PROVISIONING_COMPLETED, batch_route_after_content)
        # A cancelled batch goes nowhere: its uploaded originals are erased.
        event_handlers_register(EventType.BATCH_CANCELLED, originals_erase_after_cancel)
        # Every way an essay goes (removed, its batch erased, a cascade, the admin) takes its
        # original file with it: one receiver, not one call per delete path.
        post_delete.connect(signals.original_delete_with_essay, sender=Essay,
                            dispatch_uid="essays.original_delete_with_essay")
