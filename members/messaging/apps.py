from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "members.messaging"
    label = "messaging"
    verbose_name = "Messaging"
