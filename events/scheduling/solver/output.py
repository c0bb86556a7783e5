"""Building the solution of the contract: tables, reasons for unscheduled meetings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from ..problem import SOLUTION_FORMAT, Meeting, Problem
from .analysis import Analysis
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
    scheduled = []
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for mid, s in placed.items():
        by_slot[s].append(pb.meeting_by_id[mid])
    # Tables are interchangeable, so they are numbered after solving, in problem order,
    # which keeps the output deterministic.
    for s in sorted(by_slot):
        for table, m in enumerate(sorted(by_slot[s], key=lambda m: m.index), start=1):
            scheduled.append({"meeting": m.id, "slot": pb.slots[s].id, "table": table})
    return {
        "format": SOLUTION_FORMAT,
        "status": status,
        "scheduled": scheduled,
        "unscheduled": [
            {"meeting": m.id, "reason": reasons[m.id]} for m in pb.meetings if m.id not in placed
        ],
        "objective": {"scheduled_weight": weight, "breaks": breaks},
        "bound": {} if bound is None else {"breaks": bound},
        "seconds": round(seconds, 3),
    }


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
