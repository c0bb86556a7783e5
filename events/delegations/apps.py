from django.apps import AppConfig


class DelegationsConfig(AppConfig):
    name = "events.delegations"
    label = "delegations"
    verbose_name = "Trade delegations"
