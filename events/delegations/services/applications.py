"""Applications to travel with a delegation, and the staff's decisions on them.

Accepting takes a place under the delegation's lock (`common.lock_delegation`); the decision
email is claimed with a conditional UPDATE (`decision_notified_at`) so it goes out once.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events.delegations.emails import send_application_decision
from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationStatus,
)
from events.delegations.services.common import (
    acting_organisation,
    check_representatives,
    lock_delegation,
    status_text,
)
from forum_site.admin_actions import error_text
from forum_site.locking import Busy
from forum_site.permissions import require_staff
from members.models import Capability, Organisation
from members.selectors import approved_platform_ids, organisation_ids_administered

# target status -> statuses it may come from
DECISIONS = {
    ApplicationStatus.SHORTLISTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
    },
    ApplicationStatus.ACCEPTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
    },
    ApplicationStatus.WAITLISTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.ACCEPTED,
    },
    ApplicationStatus.REJECTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.ACCEPTED,
    },
}


def _status_of(application: DelegationApplication) -> str:
    return str(application.get_status_display()).lower()


# --- Submitting -----------------------------------------------------------------------------


def _check_applications_open(delegation: Delegation, now: dt.datetime) -> None:
    refusal = application_refusal(delegation, now)
    if refusal:
        raise ValidationError({"delegation": refusal})


def application_refusal(delegation: Delegation, now: dt.datetime | None = None) -> str:
    """Why the delegation takes no application now ("" when it does); pages show it
    instead of the form."""
    now = now or timezone.now()
    if delegation.status != DelegationStatus.OPEN:
        return status_text(delegation)
    if delegation.applications_open_at and now < delegation.applications_open_at:
        return _("Applications have not opened yet.")
    if delegation.applications_close_at and now >= delegation.applications_close_at:
        return _("Applications have closed.")
    return ""


def _applicant(
    actor: AbstractBaseUser, delegation: Delegation, organisation: Organisation | None
) -> Organisation:
    """The organisation applying: one the actor administers, of the travelling country."""
    return acting_organisation(
        actor,
        organisation,
        candidates=set(
            Organisation.objects.filter(country=delegation.delegate_country).values_list(
                "pk", flat=True
            )
        ),
        none=_(
            "None of your organisations can travel with this delegation "
            "(it takes %(country)s companies)."
        )
        % {"country": delegation.delegate_country},
        admin=True,
    )


def _check_applicant(
    delegation: Delegation, organisation: Organisation, counterparts: list[Organisation]
) -> None:
    if organisation.country != delegation.delegate_country:
        if delegation.delegate_country == "JP":
            message = _("This delegation takes companies from Japan.")
        else:
            message = _("This delegation takes companies from India.")
        raise ValidationError({"organisation": message})
    if (
        not approved_platform_ids(organisation.pk)
        .filter(platform_id=delegation.platform_id)
        .exists()
    ):
        raise ValidationError(
            {
                "organisation": _("%(organisation)s must be a member of %(platform)s to apply.")
                % {"organisation": organisation, "platform": delegation.platform}
            }
        )
    if any(c.country != delegation.host_country for c in counterparts):
        raise ValidationError(
            {"preferred_counterparts": _("Preferred counterparts are organisations you visit.")}
        )


def _check_objectives(objectives: str) -> str:
    """An application says what the firm wants from the trip (the one rule for an empty
    application: the API and the page both submit through here)."""
    objectives = (objectives or "").strip()
    if not objectives:
        raise ValidationError(
            {"objectives": _("Say what your organisation wants to achieve on this trip.")}
        )
    return objectives


def _create_or_reopen(
    *, actor: AbstractBaseUser, delegation: Delegation, organisation: Organisation, fields: dict
) -> DelegationApplication:
    """A new application, or the organisation's withdrawn one submitted again (inside
    atomic; the unique constraint settles two first submissions at once)."""
    existing = (
        DelegationApplication.objects.select_for_update()
        .filter(delegation=delegation, organisation=organisation)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                return DelegationApplication.objects.create(
                    delegation=delegation, organisation=organisation, submitted_by=actor, **fields
                )
        except IntegrityError:
            existing = DelegationApplication.objects.get(
                delegation=delegation, organisation=organisation
            )
    if existing.status != ApplicationStatus.WITHDRAWN:
        raise ValidationError(
            {
                "organisation": _("%(organisation)s has already applied (%(status)s).")
                % {"organisation": organisation, "status": _status_of(existing)}
            }
        )
    existing.status = ApplicationStatus.SUBMITTED
    existing.submitted_by = actor
    existing.reviewer, existing.decided_at, existing.decision_note = None, None, ""
    existing.decision_notified_at = None
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.save()
    return existing


def application_submit(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation | None = None,
    objectives: str = "",
    seeks: Iterable[Capability] = (),
    offers: Iterable[Capability] = (),
    representatives: Iterable = (),
    preferred_counterparts: Iterable[Organisation] = (),
) -> DelegationApplication:
    """An organisation admin applies for the organisation to travel with the delegation:
    objectives (required), what it offers and seeks (capabilities), who travels (people
    of the organisation; default: the applicant) and preferred counterparts.

    A withdrawn application may be submitted again; any other existing one is refused.
    """
    organisation = _applicant(actor, delegation, organisation)
    _check_applications_open(delegation, timezone.now())
    counterparts = list(preferred_counterparts)
    _check_applicant(delegation, organisation, counterparts)
    objectives = _check_objectives(objectives)
    people = check_representatives(organisation, list(representatives) or [actor])
    with transaction.atomic():
        application = _create_or_reopen(
            actor=actor,
            delegation=delegation,
            organisation=organisation,
            fields={"objectives": objectives},
        )
        application.representatives.set(people)
        application.preferred_counterparts.set(counterparts)
        application.offers.set(list(offers))
        application.seeks.set(list(seeks))
    return application


# --- Deciding -------------------------------------------------------------------------------


def _places_delta(delegation: Delegation, current: DelegationApplication, status: str) -> int:
    """+1 when the decision takes a place, -1 when it frees one; refused when none is left."""
    if current.status == status:
        raise ValidationError({"status": f"The application is already {_status_of(current)}."})
    if current.status not in DECISIONS[status]:
        raise ValidationError(
            {
                "status": f"This application is {_status_of(current)}; it "
                f"cannot become {ApplicationStatus(status).label.lower()}."
            }
        )
    delta = (status == ApplicationStatus.ACCEPTED) - (current.status == ApplicationStatus.ACCEPTED)
    if delta > 0 and delegation.accepted_count >= delegation.places:
        raise ValidationError(
            {
                "status": f"All {delegation.places} places are taken; waitlist the "
                "application or free a place first."
            }
        )
    return delta


def _change_places(delegation: Delegation, delta: int) -> None:
    """Under the delegation's lock only."""
    if delta:
        Delegation.objects.filter(pk=delegation.pk).update(
            accepted_count=F("accepted_count") + delta
        )


def application_decide(
    *, actor: AbstractBaseUser, application: DelegationApplication, status: str, note: str = ""
) -> DelegationApplication:
    """Shortlist, accept, waitlist or reject; the applicant's admins are emailed after commit.

    Accepting takes a place under the delegation's lock and is refused when none is left.
    """
    # The task module imports this one (a service and its own task).
    from events.delegations.tasks import notify_application_decision

    require_staff(actor, "decide on delegation applications")
    if status not in DECISIONS:
        raise ValidationError({"status": f"Cannot set an application to {status!r}."})
    with transaction.atomic():
        delegation = lock_delegation(application.delegation_id)
        current = DelegationApplication.objects.select_for_update().get(pk=application.pk)
        _change_places(delegation, _places_delta(delegation, current, status))
        current.status = status
        current.reviewer = actor
        current.decided_at = timezone.now()
        current.decision_note = note
        current.decision_notified_at = None
        current.save(
            update_fields=[
                "status",
                "reviewer",
                "decided_at",
                "decision_note",
                "decision_notified_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: notify_application_decision.delay(current.pk))
    return current


def application_decide_many(
    *,
    actor: AbstractBaseUser,
    applications: Iterable[DelegationApplication],
    status: str,
    note: str = "",
) -> tuple[int, list[str]]:
    """Decide on several applications, each in its own transaction (a full delegation
    refuses the rest, not the ones already accepted). Returns (done, error messages)."""
    done, errors = 0, []
    for application in applications:
        try:
            application_decide(actor=actor, application=application, status=status, note=note)
            done += 1
        except (ValidationError, PermissionDenied, Busy) as exc:
            errors.append(f"{application.organisation}: {error_text(exc)}")
    return done, errors


def application_withdrawable(application: DelegationApplication) -> bool:
    return application.status not in {ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED}


def application_withdraw(
    *, actor: AbstractBaseUser, application: DelegationApplication
) -> DelegationApplication:
    """The applicant withdraws (an accepted application frees its place)."""
    if (
        not organisation_ids_administered(actor)
        .filter(organisation_id=application.organisation_id)
        .exists()
    ):
        raise PermissionDenied(_("Only the organisation's admins can withdraw its application."))
    with transaction.atomic():
        delegation = lock_delegation(application.delegation_id)
        current = DelegationApplication.objects.select_for_update().get(pk=application.pk)
        if not application_withdrawable(current):
            raise ValidationError(
                {
                    "status": _("The application is already %(status)s.")
                    % {"status": _status_of(current)}
                }
            )
        _change_places(delegation, -(current.status == ApplicationStatus.ACCEPTED))
        current.status = ApplicationStatus.WITHDRAWN
        current.save(update_fields=["status", "updated_at"])
    return current


def application_notify_decision(*, application_id: int) -> bool:
    """Email the applicant's admins about the current decision, once."""
    claimed = DelegationApplication.objects.filter(
        pk=application_id, decision_notified_at__isnull=True, status__in=list(DECISIONS)
    ).update(decision_notified_at=timezone.now())
    if not claimed:
        return False
    application = DelegationApplication.objects.select_related("delegation", "organisation").get(
        pk=application_id
    )
    try:
        send_application_decision(application)
    except Exception:
        # Give the claim back so that the task's retry sends it.
        DelegationApplication.objects.filter(pk=application_id).update(decision_notified_at=None)
        raise
    return True
