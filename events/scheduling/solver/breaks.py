"""The CP-SAT route: weight phase, then (re-planning) moved meetings, then breaks.

Break phase, as before (README insights 6-8): with the meeting set settled, probe "every
participant within k of its lower bound" for k = 0, 1, ... (feasibility problems that clause
learning without LP solves fast), the optimisation model as the fallback; when the weight
is not proven, or on slot classes, keep the meeting set and each meeting's day, and solve
day by day. With `previous`, each model's objective is moved x (most breaks + 1) + breaks,
with the weight held: lexicographic, moved first.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from . import local
from .analysis import _breaks_of, _derive, _fair, _ranges
from .greedy import greedy
from .model import _assignment, _build
from .output import contract_breaks
from .phases import Run, SolveResult, weight_phase


@dataclass
class Breaks:
    """State of the break phase: the best schedule and the proven bound."""

    run: Run
    keep: set[str] | None
    weight_value: int
    optional: bool
    best: dict[str, int] | None
    bound: int
    lb_total: int
    optimal: bool = False
    proven_infeasible: bool = False

    @property
    def best_breaks(self) -> int | None:
        return None if self.best is None else contract_breaks(self.run.view, self.best)

    def take(self, schedule: dict[str, int] | None) -> None:
        if schedule is None:
            return
        value = contract_breaks(self.run.view, schedule)
        if self.best is None or value < contract_breaks(self.run.view, self.best):
            self.best = schedule
            self.run.monitor.found(breaks=value)

    def model(self, slack: int | None, hint: dict[str, int] | None) -> Any:
        mdl = _build(
            self.run.an,
            with_breaks=True,
            fairness=self.run.view.max_break_difference is not None,
            slack=slack,
            hint=hint,
            keep=self.keep,
        )
        if self.optional and self.keep is None:
            mdl.model.add(mdl.weight >= self.weight_value)
        return mdl

    def solve(
        self, name: str, slack: int | None, limit: float, sat: bool = False
    ) -> tuple[int, dict[str, int] | None]:
        mdl = self.model(slack, self.best)
        if slack is None and not isinstance(mdl.breaks, int):
            if self.bound > self.lb_total:
                mdl.model.add(mdl.breaks >= self.bound)
            mdl.model.minimize(mdl.breaks)
        self.run.monitor.update(bound=self.bound)
        code, solver = self.run.cp_solve(
            name, mdl.model, limit, "breaks" if slack is None else None, sat
        )
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found and slack is None and not isinstance(mdl.breaks, int):
            self.bound = max(self.bound, int(round(solver.best_objective_bound)))
        return code, (_assignment(mdl, solver) if found else None)


def solve_cpsat(run: Run) -> SolveResult:
    run.result.method = "cp-sat"
    an, pb = run.an, run.view
    hint = greedy(an)
    if all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint):
        # The greedy schedule is the first valid schedule: a fallback if CP-SAT finds nothing
        # in time (its presolve alone takes seconds on large problems).
        run.monitor.found(breaks=_breaks_of(pb, hint))
    optional = any(not m.required and an.allowed[m.id] for m in pb.meetings)
    placed, proven, groups = hint, True, None
    if optional:
        out = weight_phase(run, hint)
        if isinstance(out, SolveResult):
            return out
        placed, proven, groups = out
    elif not all(m.id in hint for m in pb.meetings if m.required):
        placed = None
    if not optional:
        run.result.weight_bound = 0
    if pb.previous is not None:
        from .replan import replan

        return replan(run, placed, proven, optional)
    return _break_phase(run, placed, proven, groups, optional)


def _break_phase(
    run: Run, placed: dict[str, int] | None, proven: bool, groups: Any, optional: bool
) -> SolveResult:
    an, pb = run.an, run.view
    everything = {m.id for m in pb.meetings if an.allowed[m.id]}
    keep = set(placed) if optional and not proven and placed else None
    if groups is not None and placed is not None and set(placed) != everything:
        # Weight proven or not, a problem with that much symmetry is too large for the
        # slot-level break model over all meetings: keep the meeting set, decompose by day.
        keep = set(placed)
    # When every optional meeting fits, they all become required: exactly-one constraints
    # and known meeting counts give far stronger break bounds, and nothing is lost.
    keep_exact = optional and proven and placed is not None and set(placed) == everything
    if keep_exact:
        keep = everything
    lb_total = sum(lb for lb, _ in _ranges(an, keep).values())
    state = Breaks(
        run, keep, _weight(run, placed), optional, placed if optional else None, lb_total, lb_total
    )
    run.monitor.phase = "breaks"
    exact = keep is None or keep_exact
    # Where the local search applies (insight 26), CP-SAT's probes and model, which prove
    # small problems optimal at once, get only a share of the time, the local search the
    # rest: half, or 15% with slot classes (a large delegation, where the slot-level
    # models spend the time without getting far).
    local_ok = local.applicable(pb)
    if exact and local_ok:
        share = 0.15 if groups is not None else 0.5
        state.run = dataclasses.replace(run, deadline=run.deadline - (1 - share) * run.remaining())
    if exact and any(lb > ub for lb, ub in _ranges(an, keep).values()):
        state.proven_infeasible = True  # fairness alone rules every schedule out
    elif exact:
        _probes(state)
    fairness = pb.max_break_difference is not None
    if keep is not None and not keep_exact and not fairness and state.best is not None:
        state.take(improve(run, state.best, None, state.lb_total))
    elif not exact and state.best is None:
        code, found = state.solve(
            "breaks-first", None, min(run.remaining(), 1 + 0.02 * (run.deadline - run.t0))
        )
        state.proven_infeasible = code == cp_model.INFEASIBLE
        state.optimal = code == cp_model.OPTIMAL
        state.take(found)
    if state.best is not None and state.best_breaks <= state.bound:
        state.optimal = True
    if (
        exact
        and not state.optimal
        and not state.proven_infeasible
        and state.run.remaining() > 0.05
        and not run.monitor.stopped()
    ):
        code, found = state.solve("breaks", None, state.run.remaining())
        state.take(found)
        state.optimal = code == cp_model.OPTIMAL or (
            state.best is not None and state.best_breaks <= state.bound
        )
        state.proven_infeasible = code == cp_model.INFEASIBLE and state.best is None
    state.run = run
    if (
        exact
        and local_ok
        and not state.optimal
        and not state.proven_infeasible
        and state.best is not None
    ):
        state.take(improve(run, state.best, None, state.bound))
        state.optimal = state.best_breaks <= state.bound
    if state.proven_infeasible:
        return run.infeasible()
    if state.best is None:
        hint = greedy(an)
        if all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint):
            state.best = hint
        else:
            return run.unknown()
    bound = state.bound
    if keep is not None and not keep_exact:
        # The bounds above hold for the kept meetings only; report the global one.
        bound = min(sum(an.breaks_lb.values()), bound)
    return run.finish(state.best, state.optimal and proven, bound)


def _weight(run: Run, placed: dict[str, int] | None) -> int:
    pb = run.view
    return sum(pb.meeting_by_id[m].weight for m in placed or {} if not pb.meeting_by_id[m].required)


def _probes(state: Breaks) -> None:
    """Lower-bound-driven search, as MaxSAT does: probe "every participant within `slack`
    of its lower bound and at most lb_total + slack breaks in all", slack = 0, 1, 2...
    The first feasible probe is optimal (the smaller ones are proven infeasible); a probe
    that runs out of time hands over to the optimisation model."""
    run = state.run
    slack = 0
    while not state.optimal and run.remaining() > 0.05 and not run.monitor.stopped():
        if state.best is not None and state.best_breaks <= state.lb_total + slack:
            state.optimal = True
            break
        share = 0.5 if state.best is None and slack == 0 else 0.35
        code, found = state.solve(f"breaks-probe{slack}", slack, run.remaining() * share, sat=True)
        if found is not None:
            state.take(found)
            state.optimal = True
        elif code == cp_model.INFEASIBLE:
            state.bound = max(state.bound, state.lb_total + slack + 1)
            run.monitor.update(bound=state.bound)
            slack += 1
            if state.best is None and slack == 2:
                # No schedule yet and the optimum is above the bound: get one quickly from
                # the optimisation model, which also gives an upper bound.
                code, found = state.solve(
                    "breaks-first", None, min(run.remaining() * 0.2, 5.0), True
                )
                state.proven_infeasible = code == cp_model.INFEASIBLE
                state.optimal = code == cp_model.OPTIMAL
                state.take(found)
                if state.proven_infeasible:
                    break
        else:
            break


def improve(
    run: Run, placed: dict[str, int], previous: dict[str, int] | None, lower_bound: int = 0
) -> dict[str, int]:
    """Fewer breaks (and, with `previous`, fewer moved meetings first) for a settled
    meeting set: local search where it applies (insight 26), else CP-SAT day by day.
    `lower_bound` is a proven least number of breaks for these meetings."""
    if not local.applicable(run.view):
        return improve_by_day(run, placed, previous)

    def improved(schedule: dict[str, int]) -> None:
        run.monitor.found(breaks=contract_breaks(run.view, schedule))

    return local.anneal(
        run.view,
        run.an,
        placed,
        deadline=run.deadline - 0.1,
        seed=run.seed,
        stopped=run.monitor.stopped,
        previous=previous,
        improved=improved,
        lower_bound=lower_bound,
    )


def improve_by_day(
    run: Run, placed: dict[str, int], previous: dict[str, int] | None
) -> dict[str, int]:
    """Minimise breaks day by day, each meeting staying on its day; never worse. With
    `previous` (meeting id -> slot index) the objective is moved first, then breaks."""
    pb, an = run.view, run.an
    days: dict[str, list[str]] = defaultdict(list)
    for mid, s in placed.items():
        days[pb.slots[s].day].append(mid)
    out = dict(placed)
    left = len(placed)
    for day, mids in days.items():
        share = run.remaining() * len(mids) / max(1, left) - 0.05
        left -= len(mids)
        if share <= 0.1 or run.monitor.stopped():
            continue
        allowed: dict[str, list[int]] = {m.id: [] for m in pb.meetings}
        for mid in mids:
            allowed[mid] = [s for s in an.allowed[mid] if pb.slots[s].day == day]
        day_hint = {mid: placed[mid] for mid in mids}
        prev = None if previous is None else {m: s for m, s in previous.items() if m in day_hint}
        mdl = _build(
            _derive(pb, allowed, an),
            with_breaks=True,
            fairness=False,
            hint=day_hint,
            keep=set(mids),
            previous=prev,
        )
        objective = mdl.breaks if prev is None else mdl.moved * (2 * len(mids) + 1) + mdl.breaks
        mdl.model.minimize(objective)
        code, solver = run.cp_solve(f"breaks-{day}", mdl.model, share, None)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = _assignment(mdl, solver)
            if _better(pb, candidate, day_hint, prev):
                out.update(candidate)
                run.monitor.found(breaks=contract_breaks(pb, out))
    return out


def _better(pb: Any, new: dict[str, int], old: dict[str, int], prev: dict[str, int] | None) -> bool:
    def key(schedule: dict[str, int]) -> tuple[int, int]:
        moved = 0 if prev is None else sum(1 for m, s in prev.items() if schedule.get(m) != s)
        return moved, contract_breaks(pb, schedule)

    return key(new) <= key(old)
