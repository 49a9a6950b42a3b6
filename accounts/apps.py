from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Teacher accounts"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import pre_save

        from accounts import sessions

        # A sign-in that ends (logout, new password) ends its sockets and tokens too.
        user_logged_out.connect(sessions.on_logged_out, dispatch_uid="accounts-logged-out")
        pre_save.connect(sessions.on_user_saved, sender=get_user_model(),
                         dispatch_uid="accounts-password-changed")
