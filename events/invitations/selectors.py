"""Reads of invitations shared by the admin, the API, the public pages and tasks."""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from events.invitations.models import OPEN_STATUSES, Invitation
from events.models import Event

# What staff see: the stored status, except that an unanswered invitation past its
# deadline is "expired". Every invitation is in exactly one of these.
STATES = ["pending", "sending", "sent", "failed", "accepted", "declined", "revoked", "expired"]


def _expired_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, expires_at__lte=now)


def state_q(state: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    if state == "expired":
        return _expired_q(now)
    if state in OPEN_STATUSES:
        return Q(status=state, expires_at__gt=now)
    return Q(status=state)


def with_state(queryset: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return queryset.annotate(
        state=Case(
            When(_expired_q(now), then=Value("expired")),
            default="status",
            output_field=CharField(),
        )
    )


def invitations_for_event(*, event: Event, state: str = "", search: str = "") -> QuerySet:
    queryset = with_state(
        Invitation.objects.filter(event=event).select_related(
            "user", "organisation", "registration"
        )
    )
    if state:
        queryset = queryset.filter(state_q(state))
    if search:
        queryset = queryset.filter(Q(email__icontains=search) | Q(name__icontains=search))
    return queryset.order_by("created_at", "id")


def invitation_stats(*, event: Event) -> dict:
    now = timezone.now()
    counts = Invitation.objects.filter(event=event).aggregate(
        total=Count("pk"), **{state: Count("pk", filter=state_q(state, now)) for state in STATES}
    )
    return {state: counts[state] for state in ["total", *STATES]}


def accounts_by_email(addresses: Iterable[str]) -> dict[str, AbstractBaseUser]:
    """The active account of each (lower-cased) address, with its profile; when several
    accounts share an address, the oldest."""
    accounts = {}
    for user in (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(addresses), is_active=True)
        .select_related("profile")
        .order_by("-pk")
    ):
        accounts[user.email_lower] = user  # the oldest comes last and wins
    return accounts


def invitee_account(invitation: Invitation) -> AbstractBaseUser | None:
    """The account an invitation is for: its user, else the account with the address."""
    return invitation.user or accounts_by_email([invitation.email]).get(invitation.email)


EXPORT_HEADER = [
    "email",
    "name",
    "state",
    "language",
    "organisation",
    "created_at",
    "sent_at",
    "attempts",
    "last_error",
    "reminders_sent",
    "expires_at",
    "responded_at",
    "decline_reason",
    "registration_status",
    "waitlist_position",
]


def export_row(inv: Invitation) -> dict:
    """One CSV row; `inv` comes from `with_state` with organisation and registration."""
    registration = inv.registration
    return {
        "email": inv.email,
        "name": inv.name,
        "state": inv.state,
        "language": inv.language,
        "organisation": inv.organisation.name if inv.organisation else "",
        "created_at": inv.created_at.isoformat(),
        "sent_at": inv.sent_at.isoformat() if inv.sent_at else "",
        "attempts": inv.attempts,
        "last_error": inv.last_error,
        "reminders_sent": inv.reminders_sent,
        "expires_at": inv.expires_at.isoformat(),
        "responded_at": inv.responded_at.isoformat() if inv.responded_at else "",
        "decline_reason": inv.decline_reason,
        "registration_status": registration.status if registration else "",
        "waitlist_position": (registration.waitlist_position or "") if registration else "",
    }


def invitation_export_rows(*, event: Event, state: str = "") -> Iterator[dict]:
    for inv in invitations_for_event(event=event, state=state).iterator(chunk_size=2000):
        yield export_row(inv)
