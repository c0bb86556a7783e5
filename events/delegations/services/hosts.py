"""Host organisations of the visited country: added by staff, or by accepting an invitation."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.delegations.models import Delegation, DelegationDay, DelegationHost, DelegationStatus
from events.delegations.services.common import check_representatives, status_text
from forum_site.permissions import require_staff
from members.models import Organisation


def validate_host(
    *, delegation: Delegation, organisation: Organisation, days: Iterable[DelegationDay] = ()
) -> list[DelegationDay]:
    """A host is an organisation of the visited country, on days of the delegation (the
    admin's host form checks the same). Returns the days."""
    if organisation.country != delegation.host_country:
        raise ValidationError(
            {"organisation": "Hosts are organisations of the country the delegation visits."}
        )
    days = list(days)
    if any(d.delegation_id != delegation.pk for d in days):
        raise ValidationError({"days": "These days are not days of this delegation."})
    return days


@transaction.atomic
def host_add(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation,
    days: Iterable[DelegationDay] = (),
    representatives: Iterable = (),
    note: str = "",
) -> DelegationHost:
    """Staff add a host organisation of the visited country (on given days; none = all)."""
    require_staff(actor, "manage delegation hosts")
    days = validate_host(delegation=delegation, organisation=organisation, days=days)
    people = check_representatives(organisation, representatives)
    try:
        with transaction.atomic():
            host = DelegationHost.objects.create(
                delegation=delegation, organisation=organisation, note=note
            )
    except IntegrityError as exc:
        raise ValidationError({"organisation": f"{organisation} is already a host."}) from exc
    host.days.set(days)
    host.representatives.set(people)
    return host


@transaction.atomic
def host_accept_invitation(
    *,
    representative: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation,
    days: Iterable[DelegationDay],
    note: str = "",
) -> DelegationHost:
    """A representative of `organisation` accepted a staff invitation to host `delegation`
    on `days` (events/invitations/services.py checks the invitation: it is the credential).

    Creates the host, or adds the days and the representative to an existing one (a host
    with no days already hosts on every day).
    """
    if delegation.status in {DelegationStatus.COMPLETED, DelegationStatus.CANCELLED}:
        raise ValidationError(status_text(delegation))
    days = validate_host(delegation=delegation, organisation=organisation, days=days)
    people = check_representatives(organisation, [representative])
    host, created = DelegationHost.objects.select_for_update().get_or_create(
        delegation=delegation, organisation=organisation, defaults={"note": note}
    )
    if created:
        host.days.set(days)
    elif days and host.days.exists():
        host.days.add(*days)
    host.representatives.add(*people)
    return host


def host_remove(*, actor: AbstractBaseUser, host: DelegationHost) -> None:
    require_staff(actor, "manage delegation hosts")
    host.delete()
