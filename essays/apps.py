from django.apps import AppConfig


class EssaysConfig(AppConfig):
    name = "essays"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from essays import signals
        from essays.models import Essay

        # Every way an essay goes (removed, its batch erased, a cascade, the admin) takes its
        # original file with it: one receiver, not one call per delete path.
        post_delete.connect(signals.original_delete_with_essay, sender=Essay,
                            dispatch_uid="essays.original_delete_with_essay")
