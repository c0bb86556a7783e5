"""What the service modules share: the delegation's row lock, the statuses in which requests
may change, and who acts for which organisation.

Places on a delegation are taken in one place per transaction: `lock_delegation` takes the
delegation's row lock (`forum_site.locking.lock_row`: with a timeout, `Busy` when it cannot
be had) and `accepted_count` changes under it; the check constraint
`delegation_never_overfilled` is the backstop.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from events.delegations.models import Delegation, DelegationStatus
from forum_site.locking import lock_row
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
    return f"This delegation is {delegation.get_status_display().lower()}."


def acting_organisation(
    actor: AbstractBaseUser,
    organisation: Organisation | None,
    *,
    candidates: set[int],
    what: str,
    admin: bool = False,
) -> Organisation:
    """The organisation `actor` acts for in this delegation (staff may name any)."""
    return organisation_acting_for(
        user=actor,
        organisation=organisation,
        candidates=candidates,
        admin=admin,
        staff_may_choose=True,
        none=f"None of your organisations can {what}.",
        several="You represent several organisations; choose the one you act for.",
    )


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
            {"representatives": f"{strangers[0]} does not represent {organisation}."}
        )
    return people
