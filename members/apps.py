from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed
        from django.contrib.auth.signals import user_logged_in

        from members.preferences import on_login
        from members.services import on_email_confirmed

        # Integration points, not business rules: pages follow the profile after login, and
        # confirming an address accepts the invitations sent to it.
        user_logged_in.connect(on_login, dispatch_uid="members.preferences.on_login")
        email_confirmed.connect(on_email_confirmed, dispatch_uid="members.on_email_confirmed")
