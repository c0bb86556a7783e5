"""What a conversation may be about: an event, a delegation or a meeting request.

Apart from models.py so that the system check (checks.py, registered when the app is
ready) can read `CONTEXT_MODELS` without importing models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContextType(models.TextChoices):
    """What a conversation is about; `context_id` is that object's primary key.

    A type and an id rather than a foreign key per kind: one index
    (`conversation_context`) serves every kind of context."""

    EVENT = "event", _("Event")
    DELEGATION = "delegation", _("Delegation")
    MEETING = "meeting", _("Meeting")


# The model each context type points to (`app_label.Model`); a conversation's context id
# must be one of its rows. Every label must resolve: the system check `messaging.E001`
# (checks.py) refuses one that does not.
CONTEXT_MODELS = {
    ContextType.EVENT: "events.Event",
    ContextType.DELEGATION: "delegations.Delegation",
    ContextType.MEETING: "delegations.MeetingRequest",
}
