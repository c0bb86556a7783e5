"""Models of the events app, one module per topic.

Invitations and delegations add `invitations.py` and `delegations.py` next to `events.py`
and re-export their models here.
"""

from .delegations import *  # noqa: F403 (delegations: see models/delegations.py)
from .events import (
    CalendarFeedToken,
    Event,
    EventKind,
    EventStatus,
    EventVisibility,
    Registration,
    RegistrationStatus,
)
from .invitations import Invitation, InvitationStatus, InvitationToken, RegistrationReminder

__all__ = [
    "CalendarFeedToken",
    "Event",
    "EventKind",
    "EventStatus",
    "EventVisibility",
    "Invitation",
    "InvitationStatus",
    "InvitationToken",
    "Registration",
    "RegistrationReminder",
    "RegistrationStatus",
]
