"""From the database to a `forum-schedule/1` problem, and from a solution back.

The contract is /work/shared/scheduling-format.md. Ids are stable and readable:
slots `d<day number>-<HHMM>`, participants `org-<organisation id>`, meetings
`m-<delegate id>-<host id>` (one per pair: requests in both directions are merged into one
mutual meeting). Extra keys (`starts_at`, `organisation`, `requests`, …) are ignored by the
scheduler and let `save_solution` work from the stored problem alone, i.e. from the exact
snapshot that was solved, even if requests changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
    MeetingRequest,
    ScheduledMeeting,
    ScheduleVersion,
    SolverStatus,
    UnscheduledRequest,
    VersionStatus,
)

FORMAT = "forum-schedule/1"
# A pinned meeting must take place; a pin the grid cannot honour makes the problem infeasible
# with a reason naming it, which is what staff need to see.
PINNED_REQUIRED = True


class DelegationProblemError(ValueError):
    """The delegation cannot be turned into a problem (no days, a pin outside the grid…)."""


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_id(day_number: int, start_minutes: int) -> str:
    return f"d{day_number}-{_clock(start_minutes).replace(':', '')}"


def participant_id(organisation_id: int) -> str:
    return f"org-{organisation_id}"


def day_slot_starts(
    delegation: Delegation, breaks: list[DelegationBreak] | None = None
) -> list[tuple[int, int]]:
    """(start, end) minutes of the daily grid's slots: whole slots, none overlapping a break."""
    if breaks is None:
        breaks = list(delegation.breaks.all())
    spans = [(_minutes(b.start), _minutes(b.end)) for b in breaks]
    length = delegation.slot_minutes
    out = []
    t, last = _minutes(delegation.first_slot_start), _minutes(delegation.last_slot_end)
    while t + length <= last:
        if not any(t < b_end and b_start < t + length for b_start, b_end in spans):
            out.append((t, t + length))
        t += length
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def build_problem(delegation: Delegation) -> dict:
    """The problem for the delegation as the database says now."""
    days = list(DelegationDay.objects.filter(delegation=delegation).order_by("date"))
    if not days:
        raise DelegationProblemError("The delegation has no days: add its days and cities.")
    grid = day_slot_starts(delegation, list(DelegationBreak.objects.filter(delegation=delegation)))
    if not grid:
        raise DelegationProblemError("The daily grid has no slot: check its times and breaks.")

    slots: list[dict] = []
    slots_by_day: dict[int, list[dict]] = {}
    day_number = {day.pk: n for n, day in enumerate(days, start=1)}
    for n, day in enumerate(days, start=1):
        slots_by_day[day.pk] = []
        for start, end in grid:
            slot = {
                "id": slot_id(n, start),
                "day": day.date.isoformat(),
                "start": _clock(start),
                "end": _clock(end),
                "session": "morning" if start < 12 * 60 else "afternoon",
                "location": day.location,
                "tables": day.tables,
                # Extras for save_solution and the grid (ignored by the scheduler).
                "day_id": day.pk,
                "city": day.city,
                "venue": day.venue,
                "time_zone": day.time_zone,
                "starts_at": day.at(dt.time(start // 60, start % 60)).isoformat(),
                "ends_at": day.at(dt.time(end // 60, end % 60)).isoformat(),
            }
            slots.append(slot)
            slots_by_day[day.pk].append(slot)

    def slot_minutes_of(slot: dict) -> tuple[int, int]:
        h1, m1 = map(int, slot["start"].split(":"))
        h2, m2 = map(int, slot["end"].split(":"))
        return h1 * 60 + m1, h2 * 60 + m2

    # Group activities occupy every delegate.
    activity_spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for activity in GroupActivity.objects.filter(delegation=delegation):
        activity_spans[activity.day_id].append((_minutes(activity.start), _minutes(activity.end)))
    delegate_unavailable = [
        s["id"]
        for s in slots
        if _overlaps(*slot_minutes_of(s), activity_spans.get(s["day_id"], []))
    ]

    applications = (
        DelegationApplication.objects.filter(
            delegation=delegation, status=ApplicationStatus.ACCEPTED
        )
        .select_related("organisation")
        .order_by("organisation_id")
    )
    participants: list[dict] = []
    delegate_ids = set()
    for application in applications:
        org = application.organisation
        delegate_ids.add(org.pk)
        participants.append(
            {
                "id": participant_id(org.pk),
                "name": org.name,
                "unavailable": delegate_unavailable,
                "locations": None,
                "organisation": org.pk,
                "role": "delegate",
            }
        )

    hosts = (
        DelegationHost.objects.filter(delegation=delegation)
        .select_related("organisation")
        .prefetch_related("days", "unavailable")
        .order_by("organisation_id")
    )
    host_ids = set()
    for host in hosts:
        org = host.organisation
        if org.pk in delegate_ids:
            continue  # an organisation cannot be on both sides; the services prevent it
        host_ids.add(org.pk)
        host_days = {d.pk for d in host.days.all()} or set(day_number)
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for u in host.unavailable.all():
            spans[u.day_id].append((_minutes(u.start), _minutes(u.end)))
        unavailable = [
            s["id"]
            for s in slots
            if s["day_id"] not in host_days
            or _overlaps(*slot_minutes_of(s), spans.get(s["day_id"], []))
        ]
        locations = sorted({d.location for d in days if d.pk in host_days})
        participants.append(
            {
                "id": participant_id(org.pk),
                "name": org.name,
                "unavailable": unavailable,
                "locations": locations,
                "organisation": org.pk,
                "role": "host",
            }
        )

    pairs: dict[tuple[int, int], list[MeetingRequest]] = defaultdict(list)
    requests = MeetingRequest.objects.filter(delegation=delegation, dropped=False).order_by("id")
    for request in requests:
        a, b = request.from_organisation_id, request.to_organisation_id
        if a in delegate_ids and b in host_ids:
            pairs[(a, b)].append(request)
        elif b in delegate_ids and a in host_ids:
            pairs[(b, a)].append(request)
        # Otherwise a side is no longer taking part (application withdrawn, host removed).

    meetings: list[dict] = []
    for (delegate, host), reqs in sorted(pairs.items()):
        directions = {r.from_organisation_id for r in reqs}
        mutual = len(directions) == 2
        weight = max(PRIORITY_WEIGHT[r.priority] for r in reqs) * (2 if mutual else 1)
        fixed = None
        pinned = [r for r in reqs if r.pinned_day_id is not None]
        if pinned:
            pin = pinned[0]
            if pin.pinned_day_id not in day_number:
                raise DelegationProblemError(
                    f"Request {pin.pk} is pinned to a day not in the trip."
                )
            fixed = slot_id(day_number[pin.pinned_day_id], _minutes(pin.pinned_start))
            if fixed not in {s["id"] for s in slots_by_day[pin.pinned_day_id]}:
                raise DelegationProblemError(
                    f"Request {pin.pk} is pinned to {pin.pinned_start:%H:%M}, which is not a "
                    f"slot of the grid any more; pin it again."
                )
        meetings.append(
            {
                "id": f"m-{delegate}-{host}",
                "participants": [participant_id(delegate), participant_id(host)],
                "required": bool(fixed) and PINNED_REQUIRED,
                "weight": weight,
                "session": None,
                "fixed_slot": fixed,
                "after": [],
                "delegate": delegate,
                "host": host,
                "mutual": mutual,
                "requests": [r.pk for r in reqs],
            }
        )

    return {
        "format": FORMAT,
        "name": delegation.title,
        "slots": slots,
        "participants": participants,
        "meetings": meetings,
    }


def _reason_text(reason: str, names: dict[str, str]) -> str:
    """Replace participant ids (org-12) in the scheduler's reasons by organisation names."""
    for pid, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        reason = reason.replace(pid, name)
    return reason


@transaction.atomic
def save_solution(version: ScheduleVersion, problem: dict, solution: dict) -> ScheduleVersion:
    """Store the solution's meetings and unscheduled requests in `version` (status done)."""
    slots = {s["id"]: s for s in problem["slots"]}
    meetings = {m["id"]: m for m in problem["meetings"]}
    names = {p["id"]: p["name"] for p in problem["participants"]}
    ScheduledMeeting.objects.filter(version=version).delete()
    UnscheduledRequest.objects.filter(version=version).delete()
    rows = []
    for item in solution.get("scheduled", []):
        meeting, slot = meetings[item["meeting"]], slots[item["slot"]]
        rows.append(
            ScheduledMeeting(
                version=version,
                request_id=meeting["requests"][0],
                day_id=slot["day_id"],
                slot=slot["id"],
                starts_at=dt.datetime.fromisoformat(slot["starts_at"]),
                ends_at=dt.datetime.fromisoformat(slot["ends_at"]),
                city=slot["city"],
                venue=slot["venue"],
                table=item["table"],
                delegate_id=meeting["delegate"],
                host_id=meeting["host"],
                weight=meeting["weight"],
                mutual=meeting["mutual"],
                pinned=meeting["fixed_slot"] is not None,
            )
        )
    ScheduledMeeting.objects.bulk_create(rows)
    existing_requests = set(
        MeetingRequest.objects.filter(
            pk__in=[m["requests"][0] for m in meetings.values()]
        ).values_list("pk", flat=True)
    )
    UnscheduledRequest.objects.bulk_create(
        UnscheduledRequest(
            version=version,
            request_id=meetings[item["meeting"]]["requests"][0]
            if meetings[item["meeting"]]["requests"][0] in existing_requests
            else None,
            delegate_id=meetings[item["meeting"]]["delegate"],
            host_id=meetings[item["meeting"]]["host"],
            reason=_reason_text(item.get("reason", ""), names),
        )
        for item in solution.get("unscheduled", [])
    )
    status = solution.get("status", SolverStatus.UNKNOWN)
    objective = solution.get("objective") or {}
    bound = solution.get("bound") or {}
    version.status = VersionStatus.DONE
    version.solver_status = status if status in SolverStatus.values else SolverStatus.UNKNOWN
    version.scheduled_weight = objective.get("scheduled_weight")
    version.breaks = objective.get("breaks")
    version.bound_breaks = bound.get("breaks")
    version.seconds = solution.get("seconds")
    version.problem = problem
    version.solution = solution
    version.finished_at = timezone.now()
    if version.solver_status == SolverStatus.INFEASIBLE:
        reasons = list(
            dict.fromkeys(_reason_text(u.get("reason", ""), names) for u in solution["unscheduled"])
        )
        # The reasons naming the culprit first; "not scheduled: the problem is infeasible
        # (…)" only repeats them for every other meeting.
        reasons.sort(key=lambda r: r.startswith("not scheduled:"))
        version.error = "Infeasible: " + ("; ".join(reasons[:5]) or "no reason given")
    elif version.solver_status == SolverStatus.UNKNOWN:
        version.error = "No schedule found within the time limit; re-run with a longer limit."
    else:
        version.error = ""
    version.save()
    return version
