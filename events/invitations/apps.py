from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "events.invitations"
    label = "invitations"
    verbose_name = "Invitations"
