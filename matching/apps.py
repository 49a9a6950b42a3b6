from typing import Any

from django.apps import AppConfig


def _schedules_ensure(**kwargs: Any) -> None:
    from matching.services import schedules_ensure

    schedules_ensure()


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Student matching"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from classroster.services import student_use_check_register
        from matching import metrics, services
        from outbox.registry import event_handlers_register
        from outbox.types import EventType

        def attempts() -> int:
            return settings.MATCHING_MAX_ATTEMPTS

        # Matching's share of the flow (DESIGN.md "Events"). A run that keeps failing falls back to
        # the teacher deciding by hand, so a batch never waits forever.
        event_handlers_register(EventType.BATCH_STUDENT_MATCHING_INITIATE_COMMAND, services.matching_request)
        event_handlers_register(EventType.BATCH_STUDENT_MATCHING_REQUESTED, services.matching_run,
                                fallback=services.matching_give_up, attempts=attempts)
        event_handlers_register(EventType.ESSAY_ADDED_LATE, services.matching_match_new_essays,
                                fallback=services.matching_give_up, attempts=attempts)
        event_handlers_register(EventType.BATCH_STUDENT_REMATCH_REQUESTED, services.matching_rematch_run)
        # A student an essay is (or may be) attributed to stays on the roster.
        student_use_check_register(services.student_uses)
        metrics.scrape_time_collector_register()
        # The validation deadline is checked by a django-q2 schedule that exists after every migrate.
        post_migrate.connect(_schedules_ensure, sender=self, dispatch_uid="matching-schedules")
