from django.apps import AppConfig
from django.core import checks

from members.messaging.checks import context_models_check


class MessagingConfig(AppConfig):
    name = "members.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        checks.register(context_models_check, checks.Tags.models)
