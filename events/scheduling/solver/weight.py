"""The weight phase on classes of interchangeable slots (large delegations)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from ..problem import Problem
from .analysis import Analysis
from .model import _params

# --------------------------------------------------------------------------- grouped weight


def slot_groups(an: Analysis) -> list[list[int]] | None:
    """Classes of interchangeable slots for the weight phase, or None when not exact.

    Two slots are interchangeable when they have the same tables and allow exactly the same
    meetings. When every meeting has two participants, the participants form a bipartite
    graph (delegates meet hosts) and there is no `after`, a set of meetings fits a class of
    k slots of T tables if and only if nobody has more than k of them and there are at most
    k * T: a bipartite multigraph of degree <= k has an equitable k-edge-colouring (König).
    So the weight phase can choose a class per meeting instead of a slot: on the generated
    delegation 8 classes (each half day) instead of 84 slots.
    """
    pb = an.problem
    live = [m for m in pb.meetings if an.allowed[m.id]]
    if any(m.after for m in pb.meetings) or any(len(m.participants) != 2 for m in live):
        return None
    if pb.travel or any(m.location for m in live):
        return None  # visits and travel tie slots to places and times: classes are not exact
    side: dict[str, int] = {}
    adjacent: dict[str, list[str]] = defaultdict(list)
    for m in live:
        a, b = m.participants
        adjacent[a].append(b)
        adjacent[b].append(a)
    for root in adjacent:
        if root in side:
            continue
        side[root] = 0
        stack = [root]
        while stack:
            p = stack.pop()
            for q in adjacent[p]:
                if q not in side:
                    side[q] = 1 - side[p]
                    stack.append(q)
                elif side[q] == side[p]:
                    return None
    allowed_at: dict[int, list[int]] = defaultdict(list)
    for m in live:
        for s in an.allowed[m.id]:
            allowed_at[s].append(m.index)
    classes: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for s in sorted(allowed_at):
        classes[pb.slots[s].tables, tuple(allowed_at[s])].append(s)
    return list(classes.values())


def _weight_grouped(
    an: Analysis,
    groups: list[list[int]],
    hint: dict[str, int],
    limit: float,
    workers: int,
    seed: int,
    callback: cp_model.CpSolverSolutionCallback,
    previous: dict[str, int] | None = None,
) -> tuple[int, dict[str, int] | None, float]:
    """Maximise the optional weight choosing a slot class per meeting, then give every
    meeting a slot of its class (a small feasibility problem per class, always feasible).

    The class model is a MIP whose LP relaxation is nearly integral (per class it is a
    bipartite b-matching), so a MIP solver with an LP at its core proves it in about a
    second where CP-SAT's search stalls at the greedy's value with a far weaker bound.
    CP-SAT is the fallback when no MIP solver ships with OR-Tools.
    """
    pb = an.problem
    group_of = {s: g for g, slots in enumerate(groups) for s in slots}
    options = {
        m.id: sorted({group_of[s] for s in an.allowed[m.id]})
        for m in pb.meetings
        if an.allowed[m.id]
    }
    prev_group = {m: group_of[s] for m, s in (previous or {}).items() if s in group_of}
    code, chosen, bound = _weight_mip(pb, groups, options, limit, prev_group)
    if chosen is None:
        code, chosen, bound = _weight_cpsat(
            pb, groups, options, group_of, hint, limit, workers, seed, callback
        )
    else:
        callback.found_at()
    if chosen is None:
        return code, None, bound
    placed: dict[str, int] = {}
    for g, mids in chosen.items():
        sub = cp_model.CpModel()
        x = {(mid, s): sub.new_bool_var("") for mid in mids for s in groups[g]}
        for mid in mids:
            sub.add_exactly_one(x[mid, s] for s in groups[g])
        for s in groups[g]:
            sub.add(sum(x[mid, s] for mid in mids) <= pb.slots[s].tables)
            busy: dict[str, list[Any]] = defaultdict(list)
            for mid in mids:
                for p in pb.meeting_by_id[mid].participants:
                    busy[p].append(x[mid, s])
            for lits in busy.values():
                if len(lits) > 1:
                    sub.add_at_most_one(lits)
        stay = [x[m, s] for m, s in (previous or {}).items() if (m, s) in x]
        if stay:  # re-planning: as many meetings as possible keep their previous slot
            sub.maximize(sum(stay))
        sat = _params(max(1.0, limit), workers, seed, sat=not stay)
        if sat.solve(sub) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return cp_model.UNKNOWN, None, bound
        placed.update((mid, s) for (mid, s), v in x.items() if sat.boolean_value(v))
    return code, placed, bound


def _weight_mip(
    pb: Problem,
    groups: list[list[int]],
    options: dict[str, list[int]],
    limit: float,
    prev_group: dict[str, int] | None = None,
) -> tuple[int, dict[int, list[str]] | None, float]:
    """The class model by MIP. With `prev_group` (re-planning), keeping a previous meeting in
    its previous class is worth 1 and a unit of weight more than all of them together, so
    the weight stays first and the fewest meetings leave their half-day."""
    from ortools.linear_solver import pywraplp

    mip = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("CBC")
    if mip is None:
        return cp_model.UNKNOWN, None, math.inf
    mip.SetTimeLimit(int(max(0.1, limit) * 1000))
    y = {}
    per_group: dict[int, list[Any]] = defaultdict(list)
    per_pg: dict[tuple[str, int], list[Any]] = defaultdict(list)
    objective = []
    scale = len(prev_group or {}) + 1
    for mid, gs in options.items():
        m = pb.meeting_by_id[mid]
        for g in gs:
            v = mip.BoolVar(f"y{m.index}_{g}")
            y[mid, g] = v
            per_group[g].append(v)
            for p in m.participants:
                per_pg[p, g].append(v)
            if not m.required:
                objective.append(scale * m.weight * v)
            if prev_group and prev_group.get(mid) == g:
                objective.append(v)
        row = sum(y[mid, g] for g in gs)
        mip.Add(row == 1 if m.required else row <= 1)
    for g, lits in per_group.items():
        mip.Add(sum(lits) <= len(groups[g]) * pb.slots[groups[g][0]].tables)
    for (_p, g), lits in per_pg.items():
        if len(lits) > len(groups[g]):
            mip.Add(sum(lits) <= len(groups[g]))
    mip.Maximize(sum(objective))
    status = mip.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return cp_model.INFEASIBLE, None, -math.inf
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return cp_model.UNKNOWN, None, math.inf
    chosen: dict[int, list[str]] = defaultdict(list)
    for (mid, g), v in y.items():
        if v.solution_value() > 0.5:
            chosen[g].append(mid)
    optimal = status == pywraplp.Solver.OPTIMAL
    bound = mip.Objective().Value() if optimal else mip.Objective().BestBound()
    bound = math.floor(bound / scale + 1e-6) if scale > 1 else bound
    return (cp_model.OPTIMAL if optimal else cp_model.FEASIBLE), chosen, bound


def _weight_cpsat(
    pb: Problem,
    groups: list[list[int]],
    options: dict[str, list[int]],
    group_of: dict[int, int],
    hint: dict[str, int],
    limit: float,
    workers: int,
    seed: int,
    callback: cp_model.CpSolverSolutionCallback,
) -> tuple[int, dict[int, list[str]] | None, float]:
    model = cp_model.CpModel()
    y: dict[tuple[str, int], cp_model.IntVar] = {}
    per_group: dict[int, list[Any]] = defaultdict(list)
    per_pg: dict[tuple[str, int], list[Any]] = defaultdict(list)
    weight = []
    for mid, gs in options.items():
        m = pb.meeting_by_id[mid]
        lits = []
        for g in gs:
            v = model.new_bool_var(f"y[{mid},{g}]")
            model.add_hint(v, mid in hint and group_of[hint[mid]] == g)
            y[mid, g] = v
            lits.append(v)
            per_group[g].append(v)
            for p in m.participants:
                per_pg[p, g].append(v)
        if m.required:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            weight.append(m.weight * sum(lits))
    for g, lits in per_group.items():
        cap = len(groups[g]) * pb.slots[groups[g][0]].tables
        if len(lits) > cap:
            model.add(sum(lits) <= cap)
    for (_p, g), lits in per_pg.items():
        if len(lits) > len(groups[g]):
            model.add(sum(lits) <= len(groups[g]))
    model.maximize(sum(weight))
    solver = _params(limit, workers, seed)
    code = solver.solve(model, callback)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, None, solver.best_objective_bound
    chosen: dict[int, list[str]] = defaultdict(list)
    for (mid, g), v in y.items():
        if solver.boolean_value(v):
            chosen[g].append(mid)
    return code, chosen, solver.best_objective_bound
