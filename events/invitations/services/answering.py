"""The invitee's answer: the personal link (token) is the credential.

Accepting registers the invitee for the event (confirmed, or waitlisted when full) or, for
a host invitation, makes their organisation a host of the delegation. Invitees without an
account get a minimal one for the invited address. Declining records the reason.
"""

import contextlib

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from events.delegations.services import host_accept_invitation
from events.invitations.models import (
    ANSWERED_STATUSES,
    Invitation,
    InvitationStatus,
    InvitationToken,
    hash_token,
)
from events.invitations.selectors import invitee_account
from events.invitations.services.targets import TARGET_RELATED
from events.models import ACTIVE_REGISTRATION, Registration
from events.services import registration_create
from members.models import Country, Organisation, Profile
from members.selectors import organisation_acting_for
from members.services import organisation_create

S = InvitationStatus


class InvitationUnavailable(Exception):
    """The link cannot be answered; `status_code` is the HTTP status the pages and the API
    answer with (the one place that maps these)."""

    status_code: int
    reason = "unknown"
    message = ""

    def as_dict(self) -> dict:
        return {"detail": self.message}


class InvitationNotFound(InvitationUnavailable):
    """No invitation has this token (404). Says nothing about any other invitation."""

    status_code = 404
    message = gettext_noop(
        "This invitation link is not valid. Please check that you copied it completely."
    )

    def __init__(self) -> None:
        super().__init__(self.message)


class InvitationGone(InvitationUnavailable):
    """The invitation exists but can no longer be answered (410)."""

    status_code = 410
    # English here and in the API; the page shows them in the reader's language
    # (gettext_noop: in the catalogue, translated where they are shown).
    MESSAGES = {
        "expired": gettext_noop("This invitation has expired: the response deadline has passed."),
        "revoked": gettext_noop("This invitation has been withdrawn by the organisers."),
        "accepted": gettext_noop("You have already accepted this invitation."),
        "declined": gettext_noop("You have already declined this invitation."),
    }

    def __init__(self, reason: str, invitation: Invitation) -> None:
        self.reason = reason
        self.invitation = invitation
        super().__init__(self.MESSAGES[reason])

    @property
    def message(self) -> str:
        return self.MESSAGES[self.reason]

    def as_dict(self) -> dict:
        return {"detail": self.message, "reason": self.reason}


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation behind a personal link, if it can still be answered.

    Raises InvitationNotFound (unknown token) or InvitationGone (expired, revoked, answered).
    """
    if not token or len(token) > 100:
        raise InvitationNotFound()
    row = (
        InvitationToken.objects.filter(token_hash=hash_token(token))
        .values_list("invitation_id", flat=True)
        .first()
    )
    if row is None:
        raise InvitationNotFound()
    queryset = Invitation.objects.select_related(*TARGET_RELATED, "user", "organisation")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.get(pk=row)
    check_answerable(invitation)
    return invitation


def check_answerable(invitation: Invitation) -> None:
    if invitation.status in ANSWERED_STATUSES or invitation.status == S.REVOKED:
        raise InvitationGone(invitation.status, invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationGone("expired", invitation)


def _record_answer(invitation: Invitation, status: str, **fields: object) -> Invitation:
    """Save the answer; a send still in flight loses its claim (its `sent` mark only
    matches pending or sending rows)."""
    changes = {
        "status": status,
        "responded_at": timezone.now(),
        "lease_owner": "",
        "lease_expires_at": None,
        **fields,
    }
    for name, value in changes.items():
        setattr(invitation, name, value)
    invitation.save(update_fields=list(changes))
    return invitation


def _guest_user(invitation: Invitation, name: str) -> AbstractBaseUser:
    """A minimal account for an invitee without one: the invited address, no password
    (they set one with a password reset), their language and time zone.

    The address counts as verified (allauth's EmailAddress): the personal link reached
    them there, which is what a confirmation email would prove; so once they have set a
    password they log in without a second confirmation."""
    User = get_user_model()
    base = invitation.email[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    first, _, last = (name or invitation.name).strip().partition(" ")
    user = User(
        username=username, email=invitation.email, first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, language=invitation.language, time_zone=invitation.time_zone)
    EmailAddress.objects.create(user=user, email=invitation.email, primary=True, verified=True)
    return user


def invitation_guest_for_token(token: str) -> Invitation:
    """The accepted invitation behind a personal link whose invitee has no password yet
    (a guest account made by accepting): they may ask for a link to set one, which goes
    to the invited address. InvitationNotFound for anything else."""
    try:
        invitation_for_token(token)
    except InvitationGone as exc:
        invitation = exc.invitation
        if exc.reason == "accepted" and needs_password(invitation):
            return invitation
    raise InvitationNotFound()


def needs_password(invitation: Invitation) -> bool:
    """The invitee's account (known once they accepted) has no usable password yet."""
    user = invitation.user
    return bool(user and user.is_active and not user.has_usable_password())


NO_ORGANISATION = gettext_noop(
    "Tell us which organisation you will represent (its name and country)."
)
SEVERAL_ORGANISATIONS = gettext_noop(
    "You represent several organisations; choose the one you will represent at this event."
)


def _organisation_for(
    invitation: Invitation,
    user: AbstractBaseUser,
    organisation: Organisation | None,
    organisation_name: str,
    country: str,
) -> Organisation:
    """The organisation the invitee registers for: the one they chose, a new one they
    named, the one they were invited for, or the only one they represent."""
    if organisation is None and organisation_name.strip():
        if country not in Country.values:
            raise ValidationError({"country": gettext_noop("Choose India (IN) or Japan (JP).")})
        return organisation_create(actor=user, name=organisation_name.strip(), country=country)
    if organisation is None and invitation.organisation is not None:
        # Invited for an organisation they no longer represent: fall back to their own.
        with contextlib.suppress(PermissionDenied):
            return organisation_acting_for(
                user=user,
                organisation=invitation.organisation,
                none=NO_ORGANISATION,
                several=SEVERAL_ORGANISATIONS,
            )
    return organisation_acting_for(
        user=user, organisation=organisation, none=NO_ORGANISATION, several=SEVERAL_ORGANISATIONS
    )


def _accept_event(
    invitation: Invitation,
    organisation: Organisation | None,
    organisation_name: str,
    country: str,
    name: str,
) -> Invitation:
    """Accept an event invitation (inside the caller's transaction, the invitation locked)."""
    user = invitee_account(invitation) or _guest_user(invitation, name)
    chosen = _organisation_for(invitation, user, organisation, organisation_name, country)
    registration = Registration.objects.filter(
        ACTIVE_REGISTRATION, event_id=invitation.event_id, user=user
    ).first()
    if registration is None:
        registration = registration_create(
            actor=user, event=invitation.event, user=user, organisation=chosen, via_invitation=True
        )
    return _record_answer(
        invitation,
        S.ACCEPTED,
        user=user,
        organisation=registration.organisation,
        registration=registration,
    )


def _accept_host(invitation: Invitation) -> Invitation:
    """Accept a host invitation (inside the caller's transaction, the invitation locked):
    the invited organisation hosts the delegation on the proposed days, with the invitee
    as one of its representatives there."""
    user = invitee_account(invitation)
    if user is None or not user.is_active or invitation.organisation is None:
        raise ValidationError(
            gettext_noop(
                "This invitation is for a representative of an organisation that is no "
                "longer on file; please reply to the email and the organisers will help."
            )
        )
    host_accept_invitation(
        representative=user,
        delegation=invitation.delegation,
        organisation=invitation.organisation,
        days=list(invitation.host_days.all()),
        note=f"Accepted the invitation to host in {invitation.host_city}.",
    )
    return _record_answer(invitation, S.ACCEPTED, user=user)


def invitation_accept(
    *,
    token: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    country: str = "",
    name: str = "",
) -> Invitation:
    """Accept: register the invitee (confirmed, or waitlisted when the event is full), or,
    for a host invitation, make their organisation a host.

    The invitee is the account with the invited address (created, without a password,
    when there is none); they register for the organisation they were invited for, the one
    they represent, or one they name (created, unverified, with them as its admin).
    Nothing changes when the registration is refused.
    """
    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        if invitation.delegation_id:
            return _accept_host(invitation)
        return _accept_event(invitation, organisation, organisation_name, country, name)


def invitation_decline(*, token: str, reason: str = "") -> Invitation:
    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        return _record_answer(invitation, S.DECLINED, decline_reason=reason.strip()[:2000])
