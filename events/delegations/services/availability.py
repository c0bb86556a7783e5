"""When a participant cannot meet: hosts and accepted delegates mark slots of the daily
grid; the problem builder (problem.py) makes those slots unavailable to the scheduler.

Marked slots are stored as ranges (adjacent slots merged): hosts in `HostUnavailability`
(which staff also edit in the admin, with any times), delegates in
`DelegateUnavailability`. Saving replaces the participant's ranges on its days.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.delegations.models import (
    ApplicationStatus,
    DelegateUnavailability,
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    HostUnavailability,
)
from events.delegations.problem import day_slot_starts, minutes
from events.delegations.selectors import participant_days
from events.delegations.services.common import acting_participant, check_requests_open
from members.models import Organisation


def _time(minutes_of_day: int) -> dt.time:
    return dt.time(minutes_of_day // 60, minutes_of_day % 60)


def _ranges(starts: list[int], length: int) -> list[tuple[int, int]]:
    """Slot starts (minutes) as ranges, adjacent slots merged: [540, 570] -> [(540, 600)]."""
    ranges: list[list[int]] = []
    for start in sorted(set(starts)):
        if ranges and ranges[-1][1] == start:
            ranges[-1][1] = start + length
        else:
            ranges.append([start, start + length])
    return [(a, b) for a, b in ranges]


def _marked_by_day(
    delegation: Delegation,
    days: list[DelegationDay],
    busy: Iterable[tuple[DelegationDay, dt.time]],
) -> dict[DelegationDay, list[int]]:
    """The marked slot starts per day; each must be a slot of one of the participant's days."""
    starts = {s for s, _end in day_slot_starts(delegation)}
    allowed = {d.pk: d for d in days}
    out: dict[DelegationDay, list[int]] = defaultdict(list)
    for day, start in busy:
        if day.pk not in allowed:
            raise ValidationError(
                {
                    "busy": _("%(day)s is not one of your days in this delegation.")
                    % {"day": f"{date_format(day.date, 'DATE_FORMAT')}, {day.city}"}
                }
            )
        if start.second or minutes(start) not in starts:
            raise ValidationError(
                {"busy": _("%(time)s is not the start of a slot.") % {"time": f"{start:%H:%M}"}}
            )
        out[allowed[day.pk]].append(minutes(start))
    return out


def _replace(model, owner: dict, days: list[DelegationDay], marked: dict, length: int) -> int:
    model.objects.filter(**owner, day__in=days).delete()
    rows = [
        model(**owner, day=day, start=_time(a), end=_time(b))
        for day, starts in marked.items()
        for a, b in _ranges(starts, length)
    ]
    model.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def availability_set(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    busy: Iterable[tuple[DelegationDay, dt.time]],
    organisation: Organisation | None = None,
) -> int:
    """A host or accepted delegate marks the slots (day, start) when it cannot meet; every
    other slot of its days becomes free again. Returns the number of ranges stored.

    Until the requests close, like meeting requests (`check_requests_open`)."""
    check_requests_open(actor, delegation)
    organisation, delegates, hosts = acting_participant(
        actor,
        delegation,
        organisation,
        none=_("None of your organisations takes part in this delegation."),
    )
    if organisation.pk not in delegates | hosts:
        raise ValidationError(
            {"organisation": _("This organisation does not take part in this delegation.")}
        )
    days = participant_days(delegation=delegation, organisation=organisation)
    marked = _marked_by_day(delegation, days, busy)
    length = delegation.slot_minutes
    if organisation.pk in delegates:
        application = DelegationApplication.objects.get(
            delegation=delegation, organisation=organisation, status=ApplicationStatus.ACCEPTED
        )
        return _replace(DelegateUnavailability, {"application": application}, days, marked, length)
    host = DelegationHost.objects.get(delegation=delegation, organisation=organisation)
    return _replace(HostUnavailability, {"host": host}, days, marked, length)
