"""Site visits in the scheduling problem: the hosts' sites as `locations` (with their visitor
limits), the `travel` times from the cities' venues, and one meeting per visit held at the
site (docs/scheduling-format.md, "Visits"). problem.py calls these."""

from __future__ import annotations

from events.delegations.models import (
    PRIORITY_WEIGHT,
    Delegation,
    DelegationDay,
    HostSite,
    SiteVisit,
)


def visit_meeting_id(visit_id: int) -> str:
    return f"v-{visit_id}"


def _sites(delegation: Delegation) -> list[HostSite]:
    return list(
        HostSite.objects.filter(host__delegation=delegation)
        .select_related("host")
        .prefetch_related("host__days")
        .order_by("pk")
    )


def site_locations(
    delegation: Delegation, days: list[DelegationDay], host_ids: set[int]
) -> tuple[list[dict], list[dict]]:
    """(locations, travel) of the hosts' sites. The visitor limit counts delegates; the
    contract counts everybody at the site, so the host firm itself is added."""
    locations, travel = [], []
    for site in _sites(delegation):
        if site.host.organisation_id not in host_ids:
            continue
        limit = None if site.visitor_limit is None else site.visitor_limit + 1
        locations.append({"id": site.location, "name": site.name, "visitor_limit": limit})
        if site.travel_minutes:
            host_days = {d.pk for d in site.host.days.all()} or {d.pk for d in days}
            for city in sorted({d.location for d in days if d.pk in host_days}):
                travel.append({"from": city, "to": site.location, "minutes": site.travel_minutes})
    return locations, travel


def visit_meetings(
    delegation: Delegation, delegate_ids: set[int], host_ids: set[int], participant_id
) -> list[dict]:
    """One meeting per site visit that is not dropped, with the visitors still taking part
    (a withdrawn delegate leaves the group; a visit nobody is left for is left out)."""
    visits = (
        SiteVisit.objects.filter(delegation=delegation, dropped=False)
        .select_related("site__host")
        .prefetch_related("delegates")
        .order_by("pk")
    )
    meetings = []
    for visit in visits:
        host = visit.site.host.organisation_id
        delegates = sorted(o.pk for o in visit.delegates.all() if o.pk in delegate_ids)
        if host not in host_ids or not delegates:
            continue
        meetings.append(
            {
                "id": visit_meeting_id(visit.pk),
                "participants": [*(participant_id(d) for d in delegates), participant_id(host)],
                "required": False,
                "weight": PRIORITY_WEIGHT[visit.priority] * len(delegates),
                "session": None,
                "fixed_slot": None,
                "after": [],
                "location": visit.site.location,
                # Extras (ignored by the scheduler).
                "visit": visit.pk,
                "site": visit.site_id,
                "site_name": visit.site.name,
                "travel_minutes": visit.site.travel_minutes,
                "delegates": delegates,
                "delegate": delegates[0],
                "host": host,
                "mutual": False,
                "requests": [],
            }
        )
    return meetings
