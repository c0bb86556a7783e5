"""Stable re-planning: after the weight, the fewest moved meetings, then the fewest breaks.

A moved meeting is one of `previous` now in another slot or not scheduled. With the weight
held (the weight phase already prefers previous meetings in their previous half-day, see
weight.py), one model minimises moved x K + breaks, K above any break count, so the order
is lexicographic. Large problems (slot classes) keep the weight phase's meeting set and
solve day by day with the same objective.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .breaks import improve
from .model import _assignment, _build
from .output import contract_breaks
from .phases import Run, SolveResult


def previous_slots(run: Run) -> dict[str, int]:
    pb = run.view
    assert pb.previous is not None
    return {
        mid: pb.slot_by_id[sid].index
        for mid, sid in pb.previous.items()
        if pb.slot_by_id[sid].index in run.an.allowed[mid]
    }


def _key(run: Run, schedule: dict[str, int], prev: dict[str, int]) -> tuple[int, int]:
    moved = len(run.view.previous or {}) - sum(1 for m, s in prev.items() if schedule.get(m) == s)
    return moved, contract_breaks(run.view, schedule)


def replan(run: Run, placed: dict[str, int] | None, proven: bool, optional: bool) -> SolveResult:
    pb, an = run.view, run.an
    prev = previous_slots(run)
    run.monitor.phase = "breaks"
    best = placed
    if best is not None:
        # Start from the previous slots wherever the new schedule allows them.
        best = dict(best)
        if run.result.phases and run.result.phases[0].name == "weight-grouped":
            best = improve(run, best, prev)
            return run.finish(best, False, None)
    weight = sum(
        pb.meeting_by_id[m].weight for m in placed or {} if not pb.meeting_by_id[m].required
    )
    mdl = _build(
        an, with_breaks=True, fairness=pb.max_break_difference is not None, hint=best, previous=prev
    )
    if optional:
        mdl.model.add(mdl.weight >= weight)
    scale = sum(len(m.participants) for m in pb.meetings) + 1
    mdl.model.minimize(mdl.moved * scale + mdl.breaks)
    code, solver = run.cp_solve("replan", mdl.model, run.remaining(), None)
    if code == cp_model.INFEASIBLE:
        return run.infeasible()
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = _assignment(mdl, solver)
        if best is None or _key(run, found, prev) <= _key(run, best, prev):
            best = found
    if best is None:
        return run.unknown()
    optimal = code == cp_model.OPTIMAL and proven
    bound = int(round(solver.best_objective_bound)) % scale if optimal else None
    return run.finish(best, optimal, bound)
