"""What the service modules share: the delegation's row lock, when meeting requests (and
availability) may change, and who acts for which organisation.

Places on a delegation are taken in one place per transaction: `lock_delegation` takes the
delegation's row lock (`forum_site.locking.lock_row`: with a timeout, `Busy` when it cannot
be had) and `accepted_count` changes under it; the check constraint
`delegation_never_overfilled` is the backstop.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.delegations.models import Delegation, DelegationStatus
from events.delegations.selectors import participant_org_ids
from forum_site.i18n import sentence
from forum_site.locking import lock_row
from forum_site.permissions import is_staff
from members.models import Affiliation, Organisation
from members.selectors import organisation_acting_for

BUSY = "Many decisions are being made on this delegation right now; please try again."

# Statuses in which meeting requests may still change.
REQUESTS_OPEN = {
    DelegationStatus.OPEN,
    DelegationStatus.CLOSED,
    DelegationStatus.SCHEDULING,
    DelegationStatus.SCHEDULED,
}


def lock_delegation(delegation_id: int) -> Delegation:
    """The single place where a transaction locks a delegation (must run inside atomic)."""
    return lock_row(Delegation, delegation_id, busy=BUSY)


def status_text(delegation: Delegation) -> str:
    """ "This delegation is closed." and the like, for refusals."""
    return _("This delegation is %(status)s.") % {
        "status": str(delegation.get_status_display()).lower()
    }


def requests_refusal(delegation: Delegation, now: dt.datetime | None = None) -> str:
    """Why members can no longer make, take back or answer meeting requests nor mark when
    they cannot meet ("" while they can): the delegation's status, or its request
    deadline (`requests_close_at`)."""
    if delegation.status not in REQUESTS_OPEN:
        return _("Meeting requests of this delegation can no longer change.")
    now = now or timezone.now()
    if delegation.requests_close_at and now >= delegation.requests_close_at:
        return _("The deadline for meeting requests has passed.")
    return ""


def check_requests_open(actor: AbstractBaseUser, delegation: Delegation) -> None:
    """Refuse a member's change to requests or availability once they are closed; staff
    (the secretariat) may still correct them until the delegation leaves REQUESTS_OPEN."""
    if is_staff(actor):
        if delegation.status not in REQUESTS_OPEN:
            raise ValidationError({"delegation": status_text(delegation)})
        return
    refusal = requests_refusal(delegation)
    if refusal:
        raise ValidationError({"delegation": refusal})


def acting_organisation(
    actor: AbstractBaseUser,
    organisation: Organisation | None,
    *,
    candidates: set[int],
    none: str,
    admin: bool = False,
) -> Organisation:
    """The organisation `actor` acts for in this delegation (staff may name any); `none`
    is the refusal when none of theirs can."""
    return organisation_acting_for(
        user=actor,
        organisation=organisation,
        candidates=candidates,
        admin=admin,
        staff_may_choose=True,
        none=none,
        several=_("You represent several organisations; choose the one you act for."),
    )


def acting_participant(
    actor: AbstractBaseUser, delegation: Delegation, organisation: Organisation | None, none: str
) -> tuple[Organisation, set[int], set[int]]:
    """The participating organisation `actor` acts for (a delegate or a host), with the
    delegation's (delegate ids, host ids)."""
    delegates, hosts = participant_org_ids(delegation=delegation)
    organisation = acting_organisation(actor, organisation, candidates=delegates | hosts, none=none)
    return organisation, delegates, hosts


def check_representatives(organisation: Organisation, people: Iterable) -> list:
    """`people` if each of them represents `organisation` (travellers, host contacts)."""
    people = list(people)
    allowed = set(
        Affiliation.objects.filter(
            organisation=organisation, is_active=True, user__in=people
        ).values_list("user_id", flat=True)
    )
    strangers = [p for p in people if p.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "representatives": sentence(
                    _("%(person)s does not represent %(organisation)s."),
                    {"person": strangers[0], "organisation": organisation},
                )
            }
        )
    return people
