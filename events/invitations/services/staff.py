"""Staff actions on one invitation: resend it (a new email and link) or revoke it."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events.invitations.models import OPEN_STATUSES, Invitation, InvitationStatus
from events.invitations.services.sending import enqueue_send
from events.invitations.services.targets import default_expiry, delegation_expiry, target_closed
from events.models import EventStatus
from forum_site.permissions import require_staff

S = InvitationStatus
RESENDABLE = [S.PENDING, S.SENT, S.FAILED]


def _renewed_expiry(invitation: Invitation, now: dt.datetime) -> dt.datetime:
    """The deadline of a resent invitation: extended to its target's response deadline,
    refused when the target no longer takes answers."""
    if invitation.delegation_id:
        closed = target_closed(invitation)
        if closed:
            raise ValidationError(closed)
        expires_at = max(invitation.expires_at, delegation_expiry(invitation.delegation, now))
        if expires_at <= now:
            raise ValidationError("The delegation has started.")
        return expires_at
    event = invitation.event
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError("The event is not published.")
    expires_at = max(invitation.expires_at, default_expiry(event, now))
    if expires_at <= now:
        raise ValidationError("The event's response deadline has passed.")
    return expires_at


def invitation_resend(*, actor: AbstractBaseUser, invitation: Invitation) -> Invitation:
    """Send the invitation again (a new email with a new link; earlier links keep working).
    Extends an expired invitation to the event's response deadline."""
    require_staff(actor, "resend invitations")
    if invitation.status not in RESENDABLE:
        raise ValidationError(
            f"A {invitation.get_status_display().lower()} invitation cannot be resent."
        )
    now = timezone.now()
    expires_at = _renewed_expiry(invitation, now)
    with transaction.atomic():
        done = Invitation.objects.filter(pk=invitation.pk, status__in=RESENDABLE).update(
            status=S.PENDING,
            resend_count=F("resend_count") + 1,
            attempts=0,
            last_error="",
            next_attempt_at=None,
            failed_at=None,
            enqueued_at=now,
            expires_at=expires_at,
        )
        if not done:
            raise ValidationError("The invitation changed meanwhile; reload and try again.")
        transaction.on_commit(lambda: enqueue_send([invitation.pk]))
    invitation.refresh_from_db()
    return invitation


def invitation_revoke(*, actor: AbstractBaseUser, invitation: Invitation) -> Invitation:
    """Withdraw an unanswered invitation: every link of it stops working."""
    require_staff(actor, "revoke invitations")
    if invitation.status == S.ACCEPTED:
        raise ValidationError(
            "This invitation has been accepted; remove the host instead."
            if invitation.delegation_id
            else "This invitation has been accepted; cancel the person's registration instead."
        )
    done = Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(
        status=S.REVOKED, revoked_at=timezone.now(), lease_owner="", lease_expires_at=None
    )
    if not done:
        invitation.refresh_from_db()
        raise ValidationError(
            f"A {invitation.get_status_display().lower()} invitation cannot be revoked."
        )
    invitation.refresh_from_db()
    return invitation
