"""Reminders of unanswered invitations: at most INVITATION_MAX_REMINDERS, spaced by
INVITATION_REMINDER_INTERVAL_HOURS after the invitation (or the previous reminder), while
the deadline is ahead. Each carries a fresh link."""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.invitations.models import Invitation, InvitationStatus
from events.invitations.services.emails import invitation_message, mint_tokens
from events.invitations.services.targets import HOST_INVITABLE, TARGET_RELATED
from events.models import EventStatus

S = InvitationStatus


def _due(now: dt.datetime) -> QuerySet[Invitation]:
    """Sent, unanswered invitations whose last email is older than the interval, that have
    had fewer than the maximum reminders and whose deadline is still ahead."""
    interval = dt.timedelta(hours=settings.INVITATION_REMINDER_INTERVAL_HOURS)
    return Invitation.objects.annotate(last_email=Coalesce("last_reminded_at", "sent_at")).filter(
        status=S.SENT,
        reminders_sent__lt=settings.INVITATION_MAX_REMINDERS,
        expires_at__gt=now,
        last_email__lte=now - interval,
    )


def invitation_reminders_due(now: dt.datetime | None = None) -> list[int]:
    """The invitations due a reminder whose event or delegation still takes answers."""
    return list(
        _due(now or timezone.now())
        .filter(Q(event__status=EventStatus.PUBLISHED) | Q(delegation__status__in=HOST_INVITABLE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _remind(invitation: Invitation, now: dt.datetime, connection: BaseEmailBackend) -> bool:
    """Claim the next reminder (a conditional UPDATE of the counter, so two runs never
    remind twice) and send it; the claim is given back when sending fails."""
    n = invitation.reminders_sent
    claim = _due(now).filter(pk=invitation.pk, reminders_sent=n)
    if not claim.update(reminders_sent=n + 1, last_reminded_at=now):
        return False
    invitation.reminders_sent = n + 1
    try:
        token = mint_tokens([invitation])[invitation.pk]
        message = invitation_message(invitation, token, "reminder")
        message.connection = connection
        connection.send_messages([message])
    except Exception:
        Invitation.objects.filter(pk=invitation.pk, reminders_sent=n + 1).update(
            reminders_sent=n, last_reminded_at=invitation.last_reminded_at
        )
        raise
    return True


def invitation_reminders_send(*, invitation_ids: Sequence[int]) -> int:
    """Send one reminder to each of these invitations still due; how many were sent."""
    now = timezone.now()
    invitations = list(
        Invitation.objects.filter(pk__in=list(invitation_ids))
        .select_related(*TARGET_RELATED)
        .prefetch_related("host_days")
        .order_by("pk")
    )
    connection = get_connection()
    try:
        return sum(_remind(invitation, now, connection) for invitation in invitations)
    finally:
        connection.close()
