"""Building the solution of the contract: tables, reasons for unscheduled meetings."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from ..problem import SOLUTION_FORMAT, Meeting, Problem, slot_minutes
from .analysis import Analysis, _breaks_of
from .model import _build, _params

# --------------------------------------------------------------------------- reasons


def _unscheduled_reason(an: Analysis, m: Meeting, placed: dict[str, int], optimal: bool) -> str:
    """Explain, from the final schedule, why an optional meeting is not in it."""
    pb = an.problem
    if m.id in an.no_slot_reason:
        return an.no_slot_reason[m.id]
    busy: dict[str, set[int]] = defaultdict(set)
    used: dict[int, int] = defaultdict(int)
    for mid, s in placed.items():
        used[s] += 1
        for p in pb.meeting_by_id[mid].participants:
            busy[p].add(s)
    slots = an.allowed[m.id]
    free = [s for s in slots if not any(s in busy[p] for p in m.participants)]
    if not free:
        locations = sorted({pb.slots[s].location for s in slots})
        where = f" in {locations[0]}" if len(locations) == 1 else ""
        for p in m.participants:
            if all(s in busy[p] for s in slots):
                return f"{p} has no free slot{where}"
        return f"{', '.join(m.participants)} have no common free slot{where}"
    open_ = [s for s in free if used[s] < pb.slots[s].tables]
    if not open_:
        return "every slot where all participants are free has all its tables taken"
    ok = []
    for s in open_:
        if any(a in placed and placed[a] >= s for a in m.after):
            continue
        if any(m.id in pb.meeting_by_id[b].after and placed[b] <= s for b in placed):
            continue
        ok.append(s)
    if not ok:
        return "no free slot respects its 'after' order with the scheduled meetings"
    if pb.max_break_difference is not None and optimal:
        return "placing it would exceed the fairness limit on breaks"
    if optimal:
        return "not placed: lower priority than the meetings scheduled"
    return "not placed: no better schedule was found within the time limit"


# --------------------------------------------------------------------------- solve


def _solution(
    status: str,
    placed: dict[str, int],
    reasons: dict[str, str],
    weight: int,
    breaks: int,
    bound: int | None,
    seconds: float,
    pb: Problem,
) -> dict[str, Any]:
    visits = bool(pb.locations or pb.travel)
    scheduled = []
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for mid, s in placed.items():
        by_slot[s].append(pb.meeting_by_id[mid])
    # Tables are interchangeable, so they are numbered after solving, in problem order,
    # which keeps the output deterministic. Meetings at a site use no table.
    for s in sorted(by_slot):
        table = 0
        for m in sorted(by_slot[s], key=lambda m: m.index):
            entry: dict[str, Any] = {"meeting": m.id, "slot": pb.slots[s].id, "table": None}
            if m.location is None:
                table += 1
                entry["table"] = table
            if visits:
                entry["location"] = pb.place(m, pb.slots[s])
            scheduled.append(entry)
    objective: dict[str, int] = {"scheduled_weight": weight, "breaks": breaks}
    if pb.previous is not None:
        objective["moved"] = moved_of(pb, placed) or 0
    out: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "status": status,
        "scheduled": scheduled,
        "unscheduled": [
            {"meeting": m.id, "reason": reasons[m.id]} for m in pb.meetings if m.id not in placed
        ],
        "objective": objective,
        "bound": {} if bound is None else {"breaks": bound},
    }
    if pb.travel:
        out["travel"] = itinerary(pb, placed)[1]
    out["seconds"] = round(seconds, 3)
    return out


def moved_of(pb: Problem, placed: dict[str, int]) -> int | None:
    """Meetings of `previous` now in another slot or not scheduled (None without previous)."""
    if pb.previous is None:
        return None
    return sum(
        1
        for mid, sid in pb.previous.items()
        if mid not in placed or pb.slots[placed[mid]].id != sid
    )


def itinerary(pb: Problem, placed: dict[str, int]) -> tuple[int, list[dict[str, Any]]]:
    """Breaks under the travel rule (idle slots a trip needs are no break) and the travel
    legs, per participant in problem order, then in time order."""
    stops: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mid, s in placed.items():
        m = pb.meeting_by_id[mid]
        for p in m.participants:
            stops[p].append((s, pb.place(m, pb.slots[s])))
    breaks = 0
    legs: list[dict[str, Any]] = []
    for person in pb.participants:
        agenda = sorted(stops.get(person.id, []))
        for (a, here), (b, there) in itertools.pairwise(agenda):
            sa, sb = pb.slots[a], pb.slots[b]
            if sa.day != sb.day:
                continue
            need = pb.travel_minutes(here, there)
            if need:
                legs.append(
                    {
                        "participant": person.id,
                        "from": here,
                        "to": there,
                        "after_slot": sa.id,
                        "before_slot": sb.id,
                        "minutes": need,
                    }
                )
            if b == a + 1:
                continue
            earlier = pb.slots[b - 1]
            if need and slot_minutes(earlier)[0] < slot_minutes(sa)[1] + need:
                continue  # the idle run is the trip
            breaks += 1
    return breaks, legs


def contract_breaks(pb: Problem, placed: dict[str, int]) -> int:
    """The breaks the contract counts (with the travel rule when there is travel)."""
    return itinerary(pb, placed)[0] if pb.travel else _breaks_of(pb, placed)


def _infeasible_reasons(an: Analysis, workers: int, seed: int, budget: float) -> dict[str, str]:
    """Tell fairness apart from plain overload when CP-SAT proves infeasibility."""
    pb = an.problem
    msg = "required meetings cannot all be placed together"
    if pb.max_break_difference is not None and budget > 0.5:
        mdl = _build(an, with_breaks=False, fairness=False)
        solver = _params(min(budget, 10.0), workers, seed)
        code = solver.solve(mdl.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            msg = (
                "required meetings cannot all be placed within the fairness limit "
                f"(max_break_difference={pb.max_break_difference})"
            )
    return {
        m.id: (msg if m.required else f"not scheduled: the problem is infeasible ({msg})")
        for m in pb.meetings
    }
