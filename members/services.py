"""Every write of the member directory. Views, API, admin and tasks call these."""

import datetime as dt
import secrets
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from forum_site.i18n import person_language
from forum_site.locking import lock_row
from forum_site.permissions import require_staff
from members.emails import send_membership_decision_email, send_representative_invitation_email
from members.models import (
    ORGANISATION_PROFILE_FIELDS,
    Affiliation,
    Capability,
    Language,
    Membership,
    Organisation,
    Platform,
    Profile,
    Region,
    RepresentativeInvitation,
    Sector,
)

ORGANISATION_FIELDS = {*ORGANISATION_PROFILE_FIELDS, "region"}
ORGANISATION_M2M = {"sectors", "offers", "seeks"}


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:200] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_region(organisation: Organisation) -> None:
    if organisation.region_id and organisation.region.country != organisation.country:
        raise ValidationError({"region": _("The region must be in the organisation's country.")})


def _set_m2m(organisation: Organisation, values: dict) -> None:
    for field in ORGANISATION_M2M & values.keys():
        getattr(organisation, field).set(values[field])


def profile_ensure(*, user: AbstractBaseUser, language: str = "", time_zone: str = "") -> Profile:
    """The person's profile, created on first use (with `language`/`time_zone` if given)."""
    defaults = {}
    if language in Language.values:
        defaults["language"] = language
    if time_zone:
        defaults["time_zone"] = time_zone
    profile, _ = Profile.objects.get_or_create(user=user, defaults=defaults)
    return profile


@transaction.atomic
def organisation_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    country: str,
    sectors: Iterable[Sector] = (),
    offers: Iterable[Capability] = (),
    seeks: Iterable[Capability] = (),
    region: Region | None = None,
    **fields,
) -> Organisation:
    """Create an organisation; the person creating it becomes its admin."""
    unknown = fields.keys() - ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(
        name=name, country=country, region=region, slug=_unique_slug(name), **fields
    )
    organisation.full_clean(exclude=["slug"])
    _check_region(organisation)
    organisation.save()
    _set_m2m(organisation, {"sectors": sectors, "offers": offers, "seeks": seeks})
    Affiliation.objects.create(user=actor, organisation=organisation, role=Affiliation.Role.ADMIN)
    profile_ensure(user=actor)
    return organisation


def is_organisation_admin(*, user: AbstractBaseUser, organisation: Organisation) -> bool:
    return Affiliation.objects.filter(
        user=user, organisation=organisation, role=Affiliation.Role.ADMIN, is_active=True
    ).exists()


def require_organisation_admin(user: AbstractBaseUser, organisation: Organisation) -> None:
    """Its admins (and staff) manage an organisation; anyone else gets PermissionDenied."""
    if not (user.is_staff or is_organisation_admin(user=user, organisation=organisation)):
        raise PermissionDenied(_("Only the organisation's admins can do this."))


@transaction.atomic
def organisation_update(
    *, actor: AbstractBaseUser, organisation: Organisation, **values
) -> Organisation:
    require_organisation_admin(actor, organisation)
    unknown = values.keys() - ORGANISATION_FIELDS - ORGANISATION_M2M
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    changed = list(ORGANISATION_FIELDS & values.keys())
    for field in changed:
        setattr(organisation, field, values[field])
    organisation.full_clean()
    _check_region(organisation)
    if changed:
        organisation.save(update_fields=[*changed, "updated_at"])
    _set_m2m(organisation, values)
    return organisation


def organisation_verify(*, actor: AbstractBaseUser, organisation: Organisation, verified: bool):
    require_staff(actor, "verify organisations")
    organisation.verified = verified
    organisation.save(update_fields=["verified", "updated_at"])
    return organisation


# --- Memberships ------------------------------------------------------------------------


@transaction.atomic
def membership_apply(
    *, actor: AbstractBaseUser, organisation: Organisation, platform: Platform, note: str = ""
) -> Membership:
    """An organisation admin applies for membership of a platform.

    A rejected or lapsed membership can apply again; an open or approved one cannot.
    """
    require_organisation_admin(actor, organisation)
    now = timezone.now()
    existing = (
        Membership.objects.select_for_update()
        .filter(organisation=organisation, platform=platform)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    organisation=organisation,
                    platform=platform,
                    applied_by=actor,
                    applied_at=now,
                    application_note=note,
                )
        except IntegrityError:
            # A concurrent application won the race; fall through to the refusal below.
            existing = Membership.objects.get(organisation=organisation, platform=platform)
    if existing.status in {Membership.Status.REJECTED, Membership.Status.LAPSED}:
        existing.status = Membership.Status.APPLIED
        existing.applied_by, existing.applied_at, existing.application_note = actor, now, note
        existing.decided_by, existing.decided_at, existing.decision_reason = None, None, ""
        existing.decision_notified_at = None
        existing.save()
        return existing
    raise ValidationError(
        {
            "platform": _("%(organisation)s already has a membership of %(platform)s (%(status)s).")
            % {
                "organisation": organisation,
                "platform": platform,
                "status": existing.get_status_display().lower(),
            }
        }
    )


ALLOWED_TRANSITIONS = {
    Membership.Status.APPROVED: {Membership.Status.APPLIED, Membership.Status.SUSPENDED},
    Membership.Status.REJECTED: {Membership.Status.APPLIED},
    Membership.Status.SUSPENDED: {Membership.Status.APPROVED},
    Membership.Status.LAPSED: {Membership.Status.APPROVED, Membership.Status.SUSPENDED},
}


def membership_decide(
    *, actor: AbstractBaseUser, membership: Membership, status: str, reason: str = ""
) -> Membership:
    """Move a membership to `status` if allowed; the applicant is emailed after commit.

    The transition is a conditional UPDATE, so two staff deciding at once cannot both win.
    """
    # The task module imports this one (a service and its own task).
    from members.tasks import send_membership_decision

    require_staff(actor, "decide on memberships")
    if status not in ALLOWED_TRANSITIONS:
        raise ValidationError({"status": f"Cannot set a membership to {status!r}."})
    if status == Membership.Status.REJECTED and not reason.strip():
        raise ValidationError({"reason": "Give the applicant a reason for the rejection."})
    sources = ALLOWED_TRANSITIONS[status]
    now = timezone.now()
    with transaction.atomic():
        updated = Membership.objects.filter(pk=membership.pk, status__in=sources).update(
            status=status,
            decided_by=actor,
            decided_at=now,
            decision_reason=reason,
            decision_notified_at=None,
        )
        if not updated:
            membership.refresh_from_db(fields=["status"])
            raise ValidationError(
                {
                    "status": f"This membership is {membership.get_status_display().lower()}; "
                    f"it cannot become {Membership.Status(status).label.lower()}."
                }
            )
        if status in {Membership.Status.APPROVED, Membership.Status.REJECTED}:
            transaction.on_commit(lambda: send_membership_decision.delay(membership.pk))
    membership.refresh_from_db()
    return membership


def membership_approve(*, actor, membership: Membership, reason: str = "") -> Membership:
    return membership_decide(
        actor=actor, membership=membership, status=Membership.Status.APPROVED, reason=reason
    )


def membership_reject(*, actor, membership: Membership, reason: str) -> Membership:
    return membership_decide(
        actor=actor, membership=membership, status=Membership.Status.REJECTED, reason=reason
    )


def membership_notify_decision(*, membership_id: int) -> bool:
    """Email the applicant's admins about the decision, once. Returns whether it sent."""
    claimed = Membership.objects.filter(
        pk=membership_id,
        decision_notified_at__isnull=True,
        status__in=[Membership.Status.APPROVED, Membership.Status.REJECTED],
    ).update(decision_notified_at=timezone.now())
    if not claimed:
        return False
    membership = Membership.objects.select_related("organisation", "platform").get(pk=membership_id)
    try:
        send_membership_decision_email(membership)
    except Exception:
        # Give the claim back so that the retry sends it.
        Membership.objects.filter(pk=membership_id).update(decision_notified_at=None)
        raise
    return True


@transaction.atomic
def person_update(*, user: AbstractBaseUser, **values) -> AbstractBaseUser:
    """Change a person's name and profile (job title, language, time zone)."""
    user_fields = [f for f in ("first_name", "last_name") if f in values]
    for field in user_fields:
        setattr(user, field, values[field])
    if user_fields:
        user.save(update_fields=user_fields)
    profile = profile_ensure(user=user)
    profile_fields = [f for f in ("job_title", "language", "time_zone") if f in values]
    for field in profile_fields:
        setattr(profile, field, values[field])
    if profile_fields:
        profile.full_clean()
        profile.save(update_fields=profile_fields)
    return user


# --- Representatives ----------------------------------------------------------------------

INVITATION_VALID_DAYS = 14


def _verified_owner(email: str) -> AbstractBaseUser | None:
    """The person who has confirmed `email`, if anyone has."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def _make_representative(user: AbstractBaseUser, organisation: Organisation) -> Affiliation:
    """Add `user` as a representative (or bring back one who was removed)."""
    affiliation, created = Affiliation.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Affiliation.Role.REPRESENTATIVE}
    )
    if not created and not affiliation.is_active:
        affiliation.is_active, affiliation.role = True, Affiliation.Role.REPRESENTATIVE
        affiliation.save(update_fields=["is_active", "role"])
    profile_ensure(user=user)
    return affiliation


@transaction.atomic
def representative_invite(
    *, actor: AbstractBaseUser, organisation: Organisation, email: str
) -> Affiliation | RepresentativeInvitation:
    """Make the owner of `email` a representative of `organisation`.

    Someone who has confirmed that address is added at once (their affiliation is
    returned); anyone else is emailed an invitation to sign up, and becomes a
    representative when they confirm the address (`representative_invitations_accept`).
    """
    # The task module imports this one (a service and its own task).
    from members.tasks import send_representative_invitation

    require_organisation_admin(actor, organisation)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    owner = _verified_owner(email)
    if owner is not None:
        if Affiliation.objects.filter(
            user=owner, organisation=organisation, is_active=True
        ).exists():
            raise ValidationError(
                {"email": _("%(email)s already represents this organisation.") % {"email": email}}
            )
        return _make_representative(owner, organisation)
    invitation, _created = RepresentativeInvitation.objects.update_or_create(
        organisation=organisation,
        email=email,
        accepted_at=None,
        defaults={
            "token": secrets.token_urlsafe(32),
            "invited_by": actor,
            "language": person_language(actor),
            "expires_at": timezone.now() + dt.timedelta(days=INVITATION_VALID_DAYS),
        },
    )
    transaction.on_commit(lambda: send_representative_invitation.delay(invitation.pk))
    return invitation


def representative_invitation_send(*, invitation_id: int) -> bool:
    """Email a pending invitation; False when it was accepted or withdrawn meanwhile."""
    invitation = (
        RepresentativeInvitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    return send_representative_invitation_email(invitation) > 0


def representative_invitation_withdraw(
    *, actor: AbstractBaseUser, invitation: RepresentativeInvitation
) -> None:
    require_organisation_admin(actor, invitation.organisation)
    RepresentativeInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


@transaction.atomic
def representative_invitations_accept(*, user: AbstractBaseUser, email: str) -> list[Affiliation]:
    """`user` has just confirmed `email`: every open invitation to it makes them a
    representative of that organisation."""
    now = timezone.now()
    invitations = list(
        RepresentativeInvitation.objects.select_for_update()
        .select_related("organisation")
        .filter(email__iexact=email, accepted_at__isnull=True, expires_at__gt=now)
    )
    affiliations = []
    for invitation in invitations:
        affiliations.append(_make_representative(user, invitation.organisation))
        invitation.accepted_at, invitation.accepted_by = now, user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return affiliations


def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    """allauth's email_confirmed signal: open invitations to the address are accepted."""
    representative_invitations_accept(user=email_address.user, email=email_address.email)


def _active_affiliation(organisation: Organisation, user: AbstractBaseUser) -> Affiliation:
    affiliation = Affiliation.objects.filter(
        organisation=organisation, user=user, is_active=True
    ).first()
    if affiliation is None:
        raise ValidationError({"user": _("This person does not represent the organisation.")})
    return affiliation


def _keep_an_admin(organisation: Organisation, affiliation: Affiliation) -> None:
    """Refuse to take away the last admin, so an organisation can always be managed.

    The caller holds the organisation's row lock: two admins stepping down at once must not
    both succeed."""
    if affiliation.role != Affiliation.Role.ADMIN:
        return
    admins = Affiliation.objects.filter(
        organisation=organisation, role=Affiliation.Role.ADMIN, is_active=True
    ).count()
    if admins <= 1:
        raise ValidationError(
            {
                "user": _(
                    "An organisation needs at least one admin: make someone else an admin first."
                )
            }
        )


@transaction.atomic
def representative_remove(
    *, actor: AbstractBaseUser, organisation: Organisation, user: AbstractBaseUser
) -> None:
    """`user` no longer represents `organisation` (never its last admin)."""
    require_organisation_admin(actor, organisation)
    lock_row(Organisation, organisation.pk)
    affiliation = _active_affiliation(organisation, user)
    _keep_an_admin(organisation, affiliation)
    affiliation.is_active = False
    affiliation.save(update_fields=["is_active"])


@transaction.atomic
def representative_set_role(
    *, actor: AbstractBaseUser, organisation: Organisation, user: AbstractBaseUser, role: str
) -> Affiliation:
    """Make a representative an admin, or an admin a representative (never the last one)."""
    require_organisation_admin(actor, organisation)
    if role not in Affiliation.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    lock_row(Organisation, organisation.pk)
    affiliation = _active_affiliation(organisation, user)
    if role == Affiliation.Role.REPRESENTATIVE:
        _keep_an_admin(organisation, affiliation)
    affiliation.role = role
    affiliation.save(update_fields=["role"])
    return affiliation
