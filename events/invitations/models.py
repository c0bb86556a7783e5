"""Invitations to events and to host delegations, and their personal links.

The delivery state machine (docs/invitations.md):

    pending ──claim──▶ sending ──SMTP 250──▶ sent ──▶ accepted | declined
       ▲                  │  transient error (4xx, connection): back to pending with backoff
       └──────────────────┘  lease expired (worker died): the sweeper puts it back
    sending ──permanent error (5xx)──▶ failed          any open state ──▶ revoked

Every transition is a conditional UPDATE (`… WHERE status = 'pending'`), so two workers never
send the same invitation; a claim carries a lease so a crashed worker's claim is taken over.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


# States in which the invitee may still answer (an email may have reached them even while
# the row says pending or sending: a worker can die between the SMTP 250 and the UPDATE).
OPEN_STATUSES = [
    InvitationStatus.PENDING,
    InvitationStatus.SENDING,
    InvitationStatus.SENT,
    InvitationStatus.FAILED,
]
ANSWERED_STATUSES = [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """One person (an email address) invited to one event, or to host one delegation.

    The target is `event` or `delegation`: exactly one of the two is set (checked by
    `invitation_has_target`). A host invitation proposes `host_days` (days of the
    delegation, all in `host_city`); accepting it makes the invitee's organisation a host
    on those days.
    """

    Status = InvitationStatus

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    delegation = models.ForeignKey(
        "delegations.Delegation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    host_city = models.CharField(max_length=100, blank=True)
    host_days = models.ManyToManyField(
        "delegations.DelegationDay", blank=True, related_name="host_invitations"
    )
    # Stored lower-cased and stripped: the unique constraint then merges case variants.
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    language = models.CharField(max_length=2, default="en")
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    note = models.TextField(blank=True, help_text="A personal note from the organisers.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Delivery: when a send task was last enqueued (the sweeper re-enqueues rows left
    # pending longer than a grace period), the claim's lease, retry bookkeeping.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=32, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # Incremented by each staff resend: part of the Message-ID of the next email.
    resend_count = models.PositiveSmallIntegerField(default=0)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # The answer.
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    registration = models.ForeignKey(
        "events.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                name="invitation_unique_event_email",
            ),
            models.UniqueConstraint(
                "delegation",
                Lower("email"),
                name="invitation_unique_delegation_email",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False, delegation__isnull=True)
                | Q(event__isnull=True, delegation__isnull=False),
                name="invitation_has_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.SENDING) | Q(lease_expires_at__isnull=False),
                name="invitation_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["delegation", "status"]),
            # The sweeper's and the reminders' scans.
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.target} ({self.get_status_display()})"

    @property
    def target(self):
        """The event or the delegation this invitation is for."""
        return self.event if self.event_id else self.delegation


class InvitationToken(models.Model):
    """The hash of one personal link. Each email (invitation, resend, reminder) carries a
    fresh random token, and every link of an invitation works until the invitation is
    answered, revoked or expires; the token itself is never stored."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Link of {self.invitation_id}"
