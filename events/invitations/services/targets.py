"""What an invitation is for: an event, or hosting a delegation. Their response deadlines
and whether they still take answers, shared by inviting, sending, answering and staff."""

import datetime as dt

from django.conf import settings

from events.delegations.models import Delegation, DelegationStatus
from events.invitations.models import Invitation
from events.models import Event, EventStatus

# Delegations whose hosts can still be invited (and whose host invitations are sent).
HOST_INVITABLE = [
    DelegationStatus.DRAFT,
    DelegationStatus.OPEN,
    DelegationStatus.CLOSED,
    DelegationStatus.SCHEDULING,
    DelegationStatus.SCHEDULED,
]

# What rendering an invitation reads of its target (select_related).
TARGET_RELATED = ("event", "event__platform", "delegation", "delegation__platform")


def _ttl(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.INVITATION_TTL_DAYS)


def default_expiry(event: Event, now: dt.datetime) -> dt.datetime:
    """The event's response deadline: its registration close (or start), capped by the TTL."""
    return min(event_deadline(event), _ttl(now))


def event_deadline(event: Event) -> dt.datetime:
    """The latest an answer may be due: the event's registration close, or its start."""
    return event.registration_closes_at or event.starts_at


def delegation_deadline(delegation: Delegation) -> dt.datetime | None:
    """The start of the delegation's first meeting day (None without days)."""
    first = delegation.days.order_by("date").first()
    return first.at(delegation.first_slot_start) if first else None


def delegation_expiry(delegation: Delegation, now: dt.datetime) -> dt.datetime:
    """A host invitation's deadline: the delegation's first day, capped by the TTL."""
    deadline = delegation_deadline(delegation)
    return min(deadline, _ttl(now)) if deadline else _ttl(now)


def target_closed(invitation: Invitation) -> str:
    """Why the invitation's event or delegation no longer takes answers ("" when it does)."""
    if invitation.delegation_id:
        delegation = invitation.delegation
        if delegation.status not in HOST_INVITABLE:
            return f"The delegation is {delegation.get_status_display().lower()}."
        return ""
    if invitation.event.status != EventStatus.PUBLISHED:
        return f"The event is {invitation.event.get_status_display().lower()}."
    return ""
