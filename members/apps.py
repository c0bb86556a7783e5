from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from members.preferences import on_login

        # An integration point, not a business rule: pages follow the profile after login.
        user_logged_in.connect(on_login, dispatch_uid="members.preferences.on_login")
