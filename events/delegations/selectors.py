"""Reads of delegations shared by the API, admin, emails, tasks and demo.

Access rule (one function per resource): staff see everything; a person sees
- delegations that are not drafts;
- the applications of the organisations they represent;
- the hosts of a delegation once their organisation takes part in it (accepted delegate
  or host);
- meeting requests from or to their organisations;
- the itinerary of their own organisations (which shows the counterparts they meet), and
  when those organisations cannot meet.
Anything else is a 404. Pages and the API use the same functions.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from events.delegations.models import (
    PRIORITY_WEIGHT,
    ApplicationStatus,
    DelegateUnavailability,
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    DelegationStatus,
    GroupActivity,
    HostUnavailability,
    MeetingPriority,
    MeetingRequest,
    ScheduledMeeting,
    ScheduleVersion,
)
from events.delegations.problem import day_slot_starts, minutes, overlaps
from forum_site.permissions import is_staff
from members.models import Affiliation, Organisation
from members.selectors import organisation_ids_administered, organisation_ids_represented


def _org_ids(user: AbstractBaseUser) -> set[int]:
    if not user or not user.is_authenticated:
        return set()
    return set(organisation_ids_represented(user).values_list("organisation_id", flat=True))


# --- Delegations ----------------------------------------------------------------------------


def _visible_delegations(user: AbstractBaseUser, qs: QuerySet[Delegation]) -> QuerySet[Delegation]:
    """Staff see drafts too; everybody else sees the delegations that are not drafts."""
    return qs if is_staff(user) else qs.exclude(status=DelegationStatus.DRAFT)


def delegation_list_for_user(user: AbstractBaseUser) -> QuerySet[Delegation]:
    return _visible_delegations(
        user,
        Delegation.objects.select_related("platform").prefetch_related("sectors", "days", "breaks"),
    )


def delegation_get_for_user(*, user: AbstractBaseUser, pk) -> Delegation:
    return get_object_or_404(delegation_list_for_user(user), pk=pk)


def delegation_ref_for_user(*, user: AbstractBaseUser, pk) -> Delegation:
    """The delegation without its prefetches (for routes nested under it)."""
    return get_object_or_404(_visible_delegations(user, Delegation.objects.all()), pk=pk)


def participant_org_ids(*, delegation: Delegation) -> tuple[set[int], set[int]]:
    """(accepted delegate organisation ids, host organisation ids)."""
    delegates = set(
        DelegationApplication.objects.filter(
            delegation=delegation, status=ApplicationStatus.ACCEPTED
        ).values_list("organisation_id", flat=True)
    )
    hosts = set(
        DelegationHost.objects.filter(delegation=delegation).values_list(
            "organisation_id", flat=True
        )
    )
    return delegates, hosts


def user_participant_org_ids(*, user: AbstractBaseUser, delegation: Delegation) -> set[int]:
    delegates, hosts = participant_org_ids(delegation=delegation)
    return _org_ids(user) & (delegates | hosts)


@dataclass(frozen=True)
class Participation:
    """Who takes part in a delegation and which of them a person represents (read once per
    page, passed on)."""

    delegates: frozenset[int]
    hosts: frozenset[int]
    mine: frozenset[int]

    @property
    def participants(self) -> frozenset[int]:
        return self.delegates | self.hosts


def participation_of(*, user: AbstractBaseUser, delegation: Delegation) -> Participation:
    delegates, hosts = participant_org_ids(delegation=delegation)
    mine = _org_ids(user) & (delegates | hosts)
    return Participation(frozenset(delegates), frozenset(hosts), frozenset(mine))


def delegation_require_participant(*, user: AbstractBaseUser, delegation: Delegation) -> None:
    if is_staff(user):
        return
    if not user_participant_org_ids(user=user, delegation=delegation):
        raise Http404("You do not take part in this delegation.")


# --- Applications ---------------------------------------------------------------------------


def application_list_for_user(user: AbstractBaseUser) -> QuerySet[DelegationApplication]:
    qs = DelegationApplication.objects.select_related(
        "delegation", "organisation", "reviewer", "submitted_by"
    ).prefetch_related(
        "offers",
        "seeks",
        Prefetch("representatives"),
        Prefetch("preferred_counterparts", queryset=Organisation.objects.only("id", "name")),
    )
    if is_staff(user):
        return qs
    return qs.filter(organisation_id__in=organisation_ids_represented(user))


def application_get_for_user(*, user: AbstractBaseUser, pk) -> DelegationApplication:
    return get_object_or_404(application_list_for_user(user), pk=pk)


# --- Hosts ----------------------------------------------------------------------------------


def host_list(*, delegation: Delegation) -> QuerySet[DelegationHost]:
    return (
        DelegationHost.objects.filter(delegation=delegation)
        .select_related("organisation", "organisation__region")
        .prefetch_related("days", "representatives", "unavailable", "organisation__sectors")
    )


def host_list_for_user(
    *, user: AbstractBaseUser, delegation: Delegation
) -> QuerySet[DelegationHost]:
    delegation_require_participant(user=user, delegation=delegation)
    return host_list(delegation=delegation)


# --- Meeting requests -----------------------------------------------------------------------


def _meeting_requests() -> QuerySet[MeetingRequest]:
    """With `mutual`: the other organisation asked too (one subquery, not one per row)."""
    reverse = MeetingRequest.objects.filter(
        delegation=OuterRef("delegation"),
        from_organisation=OuterRef("to_organisation"),
        to_organisation=OuterRef("from_organisation"),
    )
    return MeetingRequest.objects.select_related(
        "delegation", "from_organisation", "to_organisation", "pinned_day", "created_by"
    ).annotate(mutual=Exists(reverse))


def meeting_request_list_for_user(user: AbstractBaseUser) -> QuerySet[MeetingRequest]:
    qs = _meeting_requests()
    if is_staff(user):
        return qs
    mine = organisation_ids_represented(user)
    return qs.filter(Q(from_organisation_id__in=mine) | Q(to_organisation_id__in=mine))


def meeting_request_get_for_user(*, user: AbstractBaseUser, pk) -> MeetingRequest:
    return get_object_or_404(meeting_request_list_for_user(user), pk=pk)


# --- Schedule versions ----------------------------------------------------------------------


def version_list(*, delegation: Delegation) -> QuerySet[ScheduleVersion]:
    return (
        ScheduleVersion.objects.filter(delegation=delegation)
        .select_related("created_by", "published_by")
        .defer("problem", "solution")
    )


def version_get(*, delegation: Delegation, number) -> ScheduleVersion:
    return get_object_or_404(version_list(delegation=delegation), number=number)


def version_for_reading(version_id: int | None) -> ScheduleVersion | None:
    """A version without its (large) problem and solution, with the one published before."""
    if version_id is None:
        return None
    return (
        ScheduleVersion.objects.defer("problem", "solution")
        .select_related("previous")
        .defer("previous__problem", "previous__solution")
        .get(pk=version_id)
    )


def version_meetings(version: ScheduleVersion) -> QuerySet[ScheduledMeeting]:
    return ScheduledMeeting.objects.filter(version=version).select_related(
        "delegate", "host", "day"
    )


def meeting_statuses(meeting: ScheduledMeeting) -> list[str]:
    """What staff see of a meeting on the grid: "mutual" (both asked), "must-meet" (its
    highest priority; the weight is doubled when mutual), "pinned" (fixed by staff),
    "locked" (kept in its slot by re-runs), "visit" (at the host's site)."""
    base = meeting.weight // (2 if meeting.mutual else 1)
    statuses = []
    if meeting.mutual:
        statuses.append("mutual")
    if base >= PRIORITY_WEIGHT[MeetingPriority.MUST_MEET]:
        statuses.append("must-meet")
    if meeting.pinned:
        statuses.append("pinned")
    if meeting.locked:
        statuses.append("locked")
    if meeting.visit_id or meeting.site_id:
        statuses.append("visit")
    return statuses


def version_grid(version: ScheduleVersion) -> list[dict]:
    """Per day: the table numbers, the zone, and one row per slot, each cell the meeting or
    None, and the slot's site visits (`visits`: the first row of each visit, with all its
    `visitors`). Each meeting carries `statuses` (meeting_statuses) and `must_meet`; the
    participants' agendas are the itinerary page with ?organisation=<id>&version=<number>."""
    problem = version.problem or {}
    slots = problem.get("slots", [])
    by_cell = {}
    visits: dict[str, dict] = defaultdict(dict)
    for meeting in version_meetings(version):
        meeting.statuses = meeting_statuses(meeting)
        meeting.must_meet = "must-meet" in meeting.statuses
        if meeting.table is None:
            first = visits[meeting.slot].setdefault(meeting.visit_id or meeting.pk, meeting)
            first.visitors = [*getattr(first, "visitors", []), meeting.delegate]
        else:
            by_cell[(meeting.slot, meeting.table)] = meeting
    days: dict[str, dict] = {}
    for slot in slots:
        day = days.setdefault(
            slot["day"],
            {
                "date": dt.date.fromisoformat(slot["day"]),
                "city": slot.get("city", slot["location"]),
                "venue": slot.get("venue", ""),
                "time_zone": slot.get("time_zone", ""),
                "tables": list(range(1, slot["tables"] + 1)),
                "rows": [],
            },
        )
        if slot["tables"] > len(day["tables"]):
            day["tables"] = list(range(1, slot["tables"] + 1))
        day["rows"].append(
            {
                "slot": slot["id"],
                "start": slot["start"],
                "end": slot["end"],
                "cells": [by_cell.get((slot["id"], t)) for t in range(1, slot["tables"] + 1)],
                "visits": list(visits[slot["id"]].values()),
            }
        )
        if not day.get("zone_name") and slot.get("time_zone"):
            local = dt.datetime.fromisoformat(slot["starts_at"]).astimezone(
                zoneinfo.ZoneInfo(slot["time_zone"])
            )
            day["zone_name"] = f"{local.tzname()} ({slot['time_zone']})"
    for day in days.values():
        day["has_visits"] = any(row["visits"] for row in day["rows"])
    return list(days.values())


# --- Itineraries ----------------------------------------------------------------------------


def participant_organisation(
    *,
    user: AbstractBaseUser,
    delegation: Delegation,
    organisation_id: int | None = None,
    participation: Participation | None = None,
) -> Organisation:
    """The participating organisation whose itinerary, requests or availability `user` asks
    for: one of theirs that takes part (the lowest id unless named; staff: any)."""
    participation = participation or participation_of(user=user, delegation=delegation)
    participants, mine = participation.participants, participation.mine
    if organisation_id is not None:
        if organisation_id not in (participants if is_staff(user) else mine):
            raise Http404("No itinerary of this organisation is visible to you.")
        return Organisation.objects.get(pk=organisation_id)
    if not mine:
        raise Http404("You do not take part in this delegation.")
    return Organisation.objects.get(pk=min(mine))


def itinerary(
    *,
    delegation: Delegation,
    organisation: Organisation,
    version: ScheduleVersion | None = None,
) -> dict:
    """The organisation's meetings in `version` (default: the published one), and the group
    activities when it is a delegate. Items are in time order."""
    version = version or delegation.published_version
    is_delegate = DelegationApplication.objects.filter(
        delegation=delegation, organisation=organisation, status=ApplicationStatus.ACCEPTED
    ).exists()
    meetings = []
    if version is not None:
        meetings = list(
            version_meetings(version).filter(Q(delegate=organisation) | Q(host=organisation))
        )
    activities = []
    if is_delegate:
        activities = list(GroupActivity.objects.filter(delegation=delegation).select_related("day"))
    return {
        "delegation": delegation,
        "organisation": organisation,
        "role": "delegate" if is_delegate else "host",
        "version": version,
        "meetings": meetings,
        "activities": activities,
    }


def meetings_by_organisation(version: ScheduleVersion | None) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    if version is None:
        return out
    for meeting in version_meetings(version):
        out[meeting.delegate_id].append(meeting)
        out[meeting.host_id].append(meeting)
    return out


def participant_recipients(*, delegation: Delegation) -> dict[int, list]:
    """Organisation id -> the people who receive its itinerary: the representatives named
    in the application (delegates) or the host record, else the organisation's admins."""
    out: dict[int, list] = defaultdict(list)
    applications = DelegationApplication.objects.filter(
        delegation=delegation, status=ApplicationStatus.ACCEPTED
    ).prefetch_related("representatives__profile")
    for application in applications:
        out[application.organisation_id] = list(application.representatives.all())
    for host in DelegationHost.objects.filter(delegation=delegation).prefetch_related(
        "representatives__profile"
    ):
        out[host.organisation_id] = list(host.representatives.all())
    missing = [org_id for org_id, people in out.items() if not people]
    if missing:
        for affiliation in Affiliation.objects.filter(
            organisation_id__in=missing, role=Affiliation.Role.ADMIN, is_active=True
        ).select_related("user__profile"):
            out[affiliation.organisation_id].append(affiliation.user)
    return out


# --- Participants' days, availability and requests (pages) ------------------------------


def participant_days(*, delegation: Delegation, organisation: Organisation) -> list[DelegationDay]:
    """The days an organisation takes part: a host its days (none = every day), a delegate
    every day."""
    days = list(DelegationDay.objects.filter(delegation=delegation).order_by("date"))
    host = (
        DelegationHost.objects.filter(delegation=delegation, organisation=organisation)
        .prefetch_related("days")
        .first()
    )
    host_days = {d.pk for d in host.days.all()} if host else set()
    return [d for d in days if not host_days or d.pk in host_days]


def unavailable_ranges(
    *, delegation: Delegation, organisation: Organisation
) -> list[HostUnavailability | DelegateUnavailability]:
    """When the organisation said it cannot meet (as a host or as a delegate)."""
    hosts = HostUnavailability.objects.filter(
        host__delegation=delegation, host__organisation=organisation
    )
    delegates = DelegateUnavailability.objects.filter(
        application__delegation=delegation,
        application__organisation=organisation,
        application__status=ApplicationStatus.ACCEPTED,
    )
    return [*hosts, *delegates]


def availability_grid(
    *, delegation: Delegation, organisation: Organisation, is_delegate: bool | None = None
) -> list[dict]:
    """Per day of the organisation, the slots of the grid: each marked `busy` (one of its
    unavailable ranges overlaps it) or taken by a group `activity` (delegates only)."""
    if is_delegate is None:
        is_delegate = organisation.pk in participant_org_ids(delegation=delegation)[0]
    days = participant_days(delegation=delegation, organisation=organisation)
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r in unavailable_ranges(delegation=delegation, organisation=organisation):
        spans[r.day_id].append((minutes(r.start), minutes(r.end)))
    activities: dict[int, list[GroupActivity]] = defaultdict(list)
    if is_delegate:
        for activity in GroupActivity.objects.filter(delegation=delegation):
            activities[activity.day_id].append(activity)
    grid = day_slot_starts(delegation)
    out = []
    for day in days:
        slots = []
        for start, end in grid:
            taken = [
                a
                for a in activities[day.pk]
                if overlaps(start, end, [(minutes(a.start), minutes(a.end))])
            ]
            slots.append(
                {
                    "start": dt.time(start // 60, start % 60),
                    "end": dt.time(end // 60, end % 60),
                    "value": f"{day.pk}-{start // 60:02d}{start % 60:02d}",
                    "busy": overlaps(start, end, spans[day.pk]),
                    "activity": taken[0] if taken else None,
                }
            )
        out.append({"day": day, "slots": slots})
    return out


def requests_of_organisation(
    *, delegation: Delegation, organisation: Organisation
) -> dict[str, list[MeetingRequest]]:
    """The organisation's requests in the delegation, `made` and `received`; each knows
    whether the other side asked too (`mutual`)."""
    requests = list(
        _meeting_requests()
        .filter(delegation=delegation)
        .filter(Q(from_organisation=organisation) | Q(to_organisation=organisation))
        .order_by("created_at", "pk")
    )
    return {
        "made": [r for r in requests if r.from_organisation_id == organisation.pk],
        "received": [r for r in requests if r.to_organisation_id == organisation.pk],
    }


def own_applications(
    *, user: AbstractBaseUser, delegation: Delegation | None = None
) -> list[DelegationApplication]:
    """The applications of the organisations `user` represents (staff too: their own),
    newest first; of one delegation when given."""
    qs = DelegationApplication.objects.filter(
        organisation_id__in=organisation_ids_represented(user)
    ).select_related("organisation", "delegation")
    if delegation is not None:
        qs = qs.filter(delegation=delegation)
    return list(qs.order_by("-created_at", "-pk"))


def organisations_that_may_apply(
    *, user: AbstractBaseUser, delegation: Delegation
) -> QuerySet[Organisation]:
    """The organisations `user` administers in the travelling country that have no
    application in progress (a withdrawn one may apply again); the service decides."""
    taken = DelegationApplication.objects.filter(delegation=delegation).exclude(
        status=ApplicationStatus.WITHDRAWN
    )
    return (
        Organisation.objects.filter(
            pk__in=organisation_ids_administered(user), country=delegation.delegate_country
        )
        .exclude(pk__in=taken.values("organisation_id"))
        .order_by("name", "pk")
    )
