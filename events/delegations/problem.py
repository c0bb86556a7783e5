"""From the database to a `forum-schedule/1` problem, and from a solution back.

The contract is docs/scheduling-format.md. Ids are stable and readable: slots
`d<day number>-<HHMM>`, participants `org-<organisation id>`, meetings
`m-<delegate id>-<host id>` (one per pair: requests in both directions are merged into one
mutual meeting). Extra keys (`starts_at`, `organisation`, `requests`, …) are ignored by the
scheduler and let `save_solution` work from the stored problem alone, i.e. from the exact
snapshot that was solved, even if requests changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from events.delegations.models import (
    PRIORITY_WEIGHT,
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationBreak,
    DelegationDay,
    DelegationHost,
    GroupActivity,
    HostSite,
    MeetingRequest,
    RequestAnswer,
    ScheduledMeeting,
    ScheduleVersion,
    SiteVisit,
    SolverStatus,
    UnscheduledRequest,
    VersionStatus,
)
from events.delegations.visits import site_locations, visit_meetings
from members.models import Organisation

FORMAT = "forum-schedule/1"
# A pinned meeting must take place; a pin the grid cannot honour makes the problem infeasible
# with a reason naming it, which is what staff need to see.
PINNED_REQUIRED = True


class DelegationProblemError(ValueError):
    """The delegation cannot be turned into a problem (no days, a pin outside the grid…)."""


def minutes(t: dt.time) -> int:
    """Minutes since midnight of a time of day."""
    return t.hour * 60 + t.minute


def clock(minutes_of_day: int) -> str:
    """ "09:30" for 570."""
    return f"{minutes_of_day // 60:02d}:{minutes_of_day % 60:02d}"


def slot_id(day_number: int, start_minutes: int) -> str:
    return f"d{day_number}-{clock(start_minutes).replace(':', '')}"


def participant_id(organisation_id: int) -> str:
    return f"org-{organisation_id}"


def day_slot_starts(
    delegation: Delegation, breaks: list[DelegationBreak] | None = None
) -> list[tuple[int, int]]:
    """(start, end) minutes of the daily grid's slots: whole slots, none overlapping a break."""
    if breaks is None:
        breaks = list(delegation.breaks.all())
    spans = [(minutes(b.start), minutes(b.end)) for b in breaks]
    length = delegation.slot_minutes
    out = []
    t, last = minutes(delegation.first_slot_start), minutes(delegation.last_slot_end)
    while t + length <= last:
        if not overlaps(t, t + length, spans):
            out.append((t, t + length))
        t += length
    return out


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) meets one of the (start, end) spans (minutes)."""
    return any(start < b and a < end for a, b in spans)


def _slot_span(slot: dict) -> tuple[int, int]:
    return minutes(dt.time.fromisoformat(slot["start"])), minutes(
        dt.time.fromisoformat(slot["end"])
    )


def _unavailable(slots: list[dict], spans_by_day: dict[int, list[tuple[int, int]]]) -> list[str]:
    """The ids of the slots that overlap one of the day's busy spans."""
    return [s["id"] for s in slots if overlaps(*_slot_span(s), spans_by_day.get(s["day_id"], []))]


def _slots(days: list[DelegationDay], grid: list[tuple[int, int]]) -> list[dict]:
    """Every day's grid: the scheduler's keys, and extras for save_solution and the grid."""
    slots = []
    for n, day in enumerate(days, start=1):
        for start, end in grid:
            slots.append(
                {
                    "id": slot_id(n, start),
                    "day": day.date.isoformat(),
                    "start": clock(start),
                    "end": clock(end),
                    "session": "morning" if start < 12 * 60 else "afternoon",
                    "location": day.location,
                    "tables": day.tables,
                    # Extras (ignored by the scheduler).
                    "day_id": day.pk,
                    "city": day.city,
                    "venue": day.venue,
                    "time_zone": day.time_zone,
                    "starts_at": day.at(dt.time(start // 60, start % 60)).isoformat(),
                    "ends_at": day.at(dt.time(end // 60, end % 60)).isoformat(),
                }
            )
    return slots


def _participant(
    organisation: Organisation, role: str, unavailable: list[str], locations: list[str] | None
) -> dict:
    return {
        "id": participant_id(organisation.pk),
        "name": organisation.name,
        "unavailable": unavailable,
        "locations": locations,
        "organisation": organisation.pk,
        "role": role,
    }


def _delegates(delegation: Delegation, slots: list[dict]) -> list[dict]:
    """The accepted applicants: busy during the group activities and the times each said
    it cannot meet (DelegateUnavailability), in any city."""
    activity_spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for activity in GroupActivity.objects.filter(delegation=delegation):
        activity_spans[activity.day_id].append((minutes(activity.start), minutes(activity.end)))
    applications = (
        DelegationApplication.objects.filter(
            delegation=delegation, status=ApplicationStatus.ACCEPTED
        )
        .select_related("organisation")
        .prefetch_related("unavailable")
        .order_by("organisation_id")
    )
    out = []
    for application in applications:
        spans = defaultdict(list, {k: list(v) for k, v in activity_spans.items()})
        for u in application.unavailable.all():
            spans[u.day_id].append((minutes(u.start), minutes(u.end)))
        unavailable = _unavailable(slots, spans)
        out.append(_participant(application.organisation, "delegate", unavailable, None))
    return out


def _hosts(
    delegation: Delegation, days: list[DelegationDay], slots: list[dict], delegate_ids: set[int]
) -> list[dict]:
    """The hosts: only on their days (none = every day), in those days' cities, and not
    during their unavailable ranges."""
    hosts = (
        DelegationHost.objects.filter(delegation=delegation)
        .select_related("organisation")
        .prefetch_related("days", "unavailable")
        .order_by("organisation_id")
    )
    out = []
    for host in hosts:
        if host.organisation_id in delegate_ids:
            continue  # an organisation cannot be on both sides; the services prevent it
        host_days = {d.pk for d in host.days.all()} or {d.pk for d in days}
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for u in host.unavailable.all():
            spans[u.day_id].append((minutes(u.start), minutes(u.end)))
        busy = set(_unavailable(slots, spans))
        unavailable = [s["id"] for s in slots if s["day_id"] not in host_days or s["id"] in busy]
        locations = sorted({d.location for d in days if d.pk in host_days})
        out.append(_participant(host.organisation, "host", unavailable, locations))
    return out


def _fixed_slot(
    pinned: list[MeetingRequest], day_number: dict[int, int], slot_ids: set[str]
) -> str | None:
    """The slot the pair's first pinned request fixes (None without a pin)."""
    if not pinned:
        return None
    pin = pinned[0]
    if pin.pinned_day_id not in day_number:
        raise DelegationProblemError(f"Request {pin.pk} is pinned to a day not in the trip.")
    fixed = slot_id(day_number[pin.pinned_day_id], minutes(pin.pinned_start))
    if fixed not in slot_ids:
        raise DelegationProblemError(
            f"Request {pin.pk} is pinned to {pin.pinned_start:%H:%M}, which is not a "
            f"slot of the grid any more; pin it again."
        )
    return fixed


def _meetings(
    delegation: Delegation,
    delegate_ids: set[int],
    host_ids: set[int],
    day_number: dict[int, int],
    slot_ids: set[str],
) -> list[dict]:
    """One meeting per delegate–host pair that asked (either way, or both: mutual). Requests
    dropped by staff or declined by the organisation asked ("no thanks") are left out."""
    pairs: dict[tuple[int, int], list[MeetingRequest]] = defaultdict(list)
    requests = (
        MeetingRequest.objects.filter(delegation=delegation, dropped=False)
        .exclude(answer=RequestAnswer.DECLINED)
        .order_by("id")
    )
    for request in requests:
        a, b = request.from_organisation_id, request.to_organisation_id
        if a in delegate_ids and b in host_ids:
            pairs[(a, b)].append(request)
        elif b in delegate_ids and a in host_ids:
            pairs[(b, a)].append(request)
        # Otherwise a side is no longer taking part (application withdrawn, host removed).
    meetings = []
    for (delegate, host), reqs in sorted(pairs.items()):
        mutual = len({r.from_organisation_id for r in reqs}) == 2
        fixed = _fixed_slot([r for r in reqs if r.pinned_day_id is not None], day_number, slot_ids)
        meetings.append(
            {
                "id": f"m-{delegate}-{host}",
                "participants": [participant_id(delegate), participant_id(host)],
                "required": bool(fixed) and PINNED_REQUIRED,
                "weight": max(PRIORITY_WEIGHT[r.priority] for r in reqs) * (2 if mutual else 1),
                "session": None,
                "fixed_slot": fixed,
                "after": [],
                "delegate": delegate,
                "host": host,
                "mutual": mutual,
                "requests": [r.pk for r in reqs],
            }
        )
    return meetings


def _previous(delegation: Delegation, slots: list[dict], meetings: list[dict]) -> list[dict] | None:
    """The published schedule as the contract's `previous` (None before the first
    publication), and the meetings staff locked in it marked `locked`. Slots are matched by
    day and time, so a day added to the trip does not move anybody."""
    version_id = delegation.published_version_id
    if version_id is None:
        return None
    slot_of = {(s["day_id"], dt.datetime.fromisoformat(s["starts_at"])): s["id"] for s in slots}
    by_id = {m["id"]: m for m in meetings}
    previous: dict[str, str] = {}
    locked: set[str] = set()
    rows = ScheduledMeeting.objects.filter(version_id=version_id).order_by("starts_at", "pk")
    for row in rows:
        mid = f"v-{row.visit_id}" if row.visit_id else f"m-{row.delegate_id}-{row.host_id}"
        slot = slot_of.get((row.day_id, row.starts_at))
        if mid not in by_id or slot is None or mid in previous:
            continue  # no longer requested, or its slot is no longer in the grid
        previous[mid] = slot
        if row.locked:
            locked.add(mid)
    for mid in locked:
        # A staff pin to another slot is the newer decision: it wins over the lock.
        if by_id[mid]["fixed_slot"] in (None, previous[mid]):
            by_id[mid]["locked"] = True
    return [{"meeting": mid, "slot": slot} for mid, slot in previous.items()]


def build_problem(delegation: Delegation) -> dict:
    """The problem for the delegation as the database says now: with its site visits
    (locations, travel) and, once a version is published, that schedule as `previous`."""
    days = list(DelegationDay.objects.filter(delegation=delegation).order_by("date"))
    if not days:
        raise DelegationProblemError("The delegation has no days: add its days and cities.")
    grid = day_slot_starts(delegation, list(DelegationBreak.objects.filter(delegation=delegation)))
    if not grid:
        raise DelegationProblemError("The daily grid has no slot: check its times and breaks.")
    slots = _slots(days, grid)
    delegates = _delegates(delegation, slots)
    delegate_ids = {p["organisation"] for p in delegates}
    hosts = _hosts(delegation, days, slots, delegate_ids)
    meetings = _meetings(
        delegation,
        delegate_ids,
        {p["organisation"] for p in hosts},
        {day.pk: n for n, day in enumerate(days, start=1)},
        {s["id"] for s in slots},
    )
    host_ids = {p["organisation"] for p in hosts}
    meetings += visit_meetings(delegation, delegate_ids, host_ids, participant_id)
    problem = {
        "format": FORMAT,
        "name": delegation.title,
        "slots": slots,
        "participants": delegates + hosts,
        "meetings": meetings,
    }
    locations, travel = site_locations(delegation, days, host_ids)
    if locations:
        problem["locations"] = locations
    if travel:
        problem["travel"] = travel
    previous = _previous(delegation, slots, meetings)
    if previous is not None:
        problem["previous"] = previous
    return problem


def _reason_text(reason: str, names: dict[str, str]) -> str:
    """Replace participant ids (org-12) in the scheduler's reasons by organisation names."""
    for pid, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        reason = reason.replace(pid, name)
    return reason


def _scheduled_rows(
    version: ScheduleVersion, problem: dict, solution: dict
) -> Iterator[ScheduledMeeting]:
    slots = {s["id"]: s for s in problem["slots"]}
    meetings = {m["id"]: m for m in problem["meetings"]}
    visits, sites = _existing_visits(problem)
    for item in solution.get("scheduled", []):
        meeting, slot = meetings[item["meeting"]], slots[item["slot"]]
        visit = meeting.get("visit")
        for delegate in meeting.get("delegates", [meeting["delegate"]]):
            yield ScheduledMeeting(
                version=version,
                request_id=meeting["requests"][0] if meeting["requests"] else None,
                day_id=slot["day_id"],
                slot=slot["id"],
                starts_at=dt.datetime.fromisoformat(slot["starts_at"]),
                ends_at=dt.datetime.fromisoformat(slot["ends_at"]),
                city=slot["city"],
                venue=meeting["site_name"] if visit else slot["venue"],
                table=item["table"],
                delegate_id=delegate,
                host_id=meeting["host"],
                # A visit's weight is per visitor, so each row reads like a meeting.
                weight=meeting["weight"] // len(meeting.get("delegates", [0])),
                mutual=meeting["mutual"],
                pinned=meeting["fixed_slot"] is not None,
                locked=bool(meeting.get("locked")),
                visit_id=visit if visit in visits else None,
                site_id=meeting.get("site") if meeting.get("site") in sites else None,
                travel_minutes=meeting.get("travel_minutes") if visit else None,
            )


def _existing_visits(problem: dict) -> tuple[set[int], set[int]]:
    """The visits and sites of the problem that still exist (staff may delete one while
    the scheduler runs; the rows then keep their text, not the link)."""
    visit_ids = {m["visit"] for m in problem["meetings"] if m.get("visit")}
    site_ids = {m["site"] for m in problem["meetings"] if m.get("site")}
    return (
        set(SiteVisit.objects.filter(pk__in=visit_ids).values_list("pk", flat=True)),
        set(HostSite.objects.filter(pk__in=site_ids).values_list("pk", flat=True)),
    )


def _unscheduled_rows(
    version: ScheduleVersion, problem: dict, solution: dict, names: dict[str, str]
) -> Iterator[UnscheduledRequest]:
    meetings = {m["id"]: m for m in problem["meetings"]}
    # A request deleted since the problem was built is no longer there to point to.
    existing = set(
        MeetingRequest.objects.filter(
            pk__in=[m["requests"][0] for m in meetings.values() if m["requests"]]
        ).values_list("pk", flat=True)
    )
    visits, _sites = _existing_visits(problem)
    for item in solution.get("unscheduled", []):
        meeting = meetings[item["meeting"]]
        first_request = meeting["requests"][0] if meeting["requests"] else None
        yield UnscheduledRequest(
            version=version,
            request_id=first_request if first_request in existing else None,
            visit_id=meeting.get("visit") if meeting.get("visit") in visits else None,
            delegate_id=meeting["delegate"],
            host_id=meeting["host"],
            reason=_reason_text(item.get("reason", ""), names),
        )


def _note(version: ScheduleVersion, solution: dict, names: dict[str, str]) -> str:
    """What staff read on a version that has no schedule to publish ("" otherwise)."""
    if version.solver_status == SolverStatus.INFEASIBLE:
        reasons = list(
            dict.fromkeys(_reason_text(u.get("reason", ""), names) for u in solution["unscheduled"])
        )
        # The reasons naming the culprit first; "not scheduled: the problem is infeasible
        # (…)" only repeats them for every other meeting.
        reasons.sort(key=lambda r: r.startswith("not scheduled:"))
        return "Infeasible: " + ("; ".join(reasons[:5]) or "no reason given")
    if version.solver_status == SolverStatus.UNKNOWN:
        return "No schedule found within the time limit; re-run with a longer limit."
    return ""


@transaction.atomic
def save_solution(version: ScheduleVersion, problem: dict, solution: dict) -> ScheduleVersion:
    """Store the solution's meetings and unscheduled requests in `version` (status done)."""
    names = {p["id"]: p["name"] for p in problem["participants"]}
    ScheduledMeeting.objects.filter(version=version).delete()
    UnscheduledRequest.objects.filter(version=version).delete()
    ScheduledMeeting.objects.bulk_create(_scheduled_rows(version, problem, solution))
    UnscheduledRequest.objects.bulk_create(_unscheduled_rows(version, problem, solution, names))
    status = solution.get("status", SolverStatus.UNKNOWN)
    objective = solution.get("objective") or {}
    bound = solution.get("bound") or {}
    version.status = VersionStatus.DONE
    version.solver_status = status if status in SolverStatus.values else SolverStatus.UNKNOWN
    version.scheduled_weight = objective.get("scheduled_weight")
    version.breaks = objective.get("breaks")
    version.bound_breaks = bound.get("breaks")
    version.moved = objective.get("moved")
    version.phase = "done"
    version.seconds = solution.get("seconds")
    version.problem = problem
    version.solution = solution
    version.finished_at = timezone.now()
    version.error = _note(version, solution, names)
    version.save()
    return version
