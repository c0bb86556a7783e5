"""System checks of messaging (`manage.py check`; migrate and runserver run them too)."""

from django.apps import apps
from django.core import checks

from members.messaging.contexts import CONTEXT_MODELS


def context_models_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every model a conversation's context may point to exists (a wrong label would make
    every conversation about that kind fail)."""
    errors = []
    for context_type, label in CONTEXT_MODELS.items():
        try:
            apps.get_model(label)
        except (LookupError, ValueError):
            errors.append(
                checks.Error(
                    f"CONTEXT_MODELS[{context_type.value!r}] names {label!r}, which is not an "
                    "installed model.",
                    hint="Use the `app_label.ModelName` of the model the context points to.",
                    obj="members.messaging.contexts.CONTEXT_MODELS",
                    id="messaging.E001",
                )
            )
    return errors
