"""The lexicographic solve in phases: weight, then breaks (see the package README)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ..problem import load_problem
from .analysis import Analysis, _breaks_of, _derive, _fair, _ranges, analyse
from .greedy import greedy
from .model import _assignment, _build, _FirstSolution, _params, _status_name
from .output import _infeasible_reasons, _solution, _unscheduled_reason
from .weight import _weight_grouped, slot_groups


@dataclass
class PhaseStats:
    name: str
    status: str
    seconds: float
    objective: float | None
    bound: float | None


@dataclass
class SolveResult:
    """The contract's solution plus figures only the benchmark and the logs need."""

    solution: dict[str, Any]
    first_solution_seconds: float | None = None
    weight_bound: int | None = None  # proven upper bound on the optional weight
    phases: list[PhaseStats] = field(default_factory=list)


def solve_detailed(
    problem: Any, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0, log: bool = False
) -> SolveResult:
    """Solve and return the contract's solution with extra figures (bounds, timings)."""
    t0 = time.perf_counter()
    pb = load_problem(problem)
    an = analyse(pb)
    result = SolveResult(solution={})

    # A little is kept back for building the answer (reasons, tables) after the last solve.
    deadline = t0 + time_limit * 0.98 - 0.1

    def remaining() -> float:
        return deadline - time.perf_counter()

    def give_up(status: str, reasons: dict[str, str]) -> SolveResult:
        result.solution = _solution(status, {}, reasons, 0, 0, None, time.perf_counter() - t0, pb)
        return result

    if an.infeasible:
        first = next(iter(an.infeasible.values()))
        reasons = {
            m.id: an.infeasible.get(m.id, f"not scheduled: the problem is infeasible ({first})")
            for m in pb.meetings
        }
        return give_up("infeasible", reasons)

    optional = [m for m in pb.meetings if not m.required and an.allowed[m.id]]
    fairness = pb.max_break_difference is not None
    hint = greedy(an)
    first_seen: list[float] = []
    # The greedy schedule counts as the first valid schedule when it is one: a fallback if
    # CP-SAT finds nothing in time (its presolve alone takes seconds on large problems).
    greedy_valid = all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint)
    if greedy_valid:
        first_seen.append(time.perf_counter() - t0)

    # Phase 1: maximise the optional weight (skipped when there is nothing to choose).
    phase1_optimal = True
    placed = hint
    weight_value = 0
    groups = slot_groups(an) if optional and not fairness else None
    if groups is not None and len(groups) * 4 > len({s for ss in an.allowed.values() for s in ss}):
        groups = None  # too little symmetry to be worth it: the slot model proves small cases
    if optional:
        # Leave the break phase at least 40% of the budget when phase 1 cannot prove.
        limit = remaining() - 0.4 * (time_limit - (time.perf_counter() - t0))
        t1 = time.perf_counter()
        grouped: dict[str, int] | None = None
        if groups is not None:
            code, grouped, weight_bound = _weight_grouped(
                an, groups, hint, limit, workers, seed, _FirstSolution(t0, first_seen)
            )
            objective = None
            if grouped is not None:
                objective = sum(
                    pb.meeting_by_id[m].weight for m in grouped if not pb.meeting_by_id[m].required
                )
        if grouped is None:
            mdl = _build(an, with_breaks=False, fairness=fairness, hint=hint)
            mdl.model.maximize(mdl.weight)
            solver = _params(
                remaining() - 0.4 * (time_limit - (time.perf_counter() - t0)), workers, seed
            )
            solver.parameters.log_search_progress = log
            code = solver.solve(mdl.model, _FirstSolution(t0, first_seen))
            weight_bound = solver.best_objective_bound
            objective = solver.objective_value if code in (2, 4) else None
        result.phases.append(
            PhaseStats(
                "weight-grouped" if grouped is not None else "weight",
                _status_name(code),
                time.perf_counter() - t1,
                objective,
                weight_bound,
            )
        )
        if code == cp_model.INFEASIBLE:
            return give_up("infeasible", _infeasible_reasons(an, workers, seed, remaining()))
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if not found and not greedy_valid:
            return give_up(
                "unknown", {m.id: "no schedule found within the time limit" for m in pb.meetings}
            )
        phase1_optimal = code == cp_model.OPTIMAL
        if grouped is not None:
            placed = grouped
        else:
            placed = _assignment(mdl, solver) if found else hint
        weight_value = sum(
            pb.meeting_by_id[mid].weight for mid in placed if not pb.meeting_by_id[mid].required
        )
        if weight_bound >= weight_value:
            result.weight_bound = int(weight_bound)

    # Phase 2: minimise breaks with the weight held, in up to three runs:
    #  a) the full model briefly, for an early valid schedule and a hint (skipped when
    #     phase 1 already gave a schedule);
    #  b) the "tight" model, where every participant has exactly its lower bound of breaks:
    #     a feasibility problem that propagates far better. Its solution is optimal, since
    #     the sum of the lower bounds is proven; its infeasibility raises that bound by one;
    #  c) the full model with the best schedule as a hint, for the rest of the time.
    # When phase 1 is not proven optimal the set of meetings it scheduled is kept fixed:
    # a much smaller model, and no optimality to lose (the weight is not proven either).
    keep = set(placed) if optional and not phase1_optimal else None
    if groups is not None and set(placed) != {m.id for m in pb.meetings if an.allowed[m.id]}:
        # Weight proven or not, a problem with that much symmetry is too large for the
        # slot-level break model over all meetings: keep the meeting set, decompose by day.
        keep = set(placed)
    # When every optional meeting fits, they all become required: exactly-one constraints
    # and known meeting counts give far stronger break bounds, and nothing is lost.
    everything = {m.id for m in pb.meetings if an.allowed[m.id]}
    keep_exact = optional and phase1_optimal and set(placed) == everything
    if keep_exact:
        keep = everything
    lb_total = sum(lb for lb, _ in _ranges(an, keep).values())
    best: dict[str, int] | None = placed if optional else None
    best_breaks = _breaks_of(pb, best) if best is not None else None
    bound = lb_total
    optimal = False
    proven_infeasible = False

    def run(
        name: str, slack: int | None, limit: float, sat: bool = False
    ) -> tuple[int, dict[str, int] | None]:
        nonlocal bound
        mdl = _build(
            an,
            with_breaks=True,
            fairness=fairness,
            slack=slack,
            hint=best,
            keep=keep,
        )
        if optional and keep is None:
            mdl.model.add(mdl.weight >= weight_value)
        if slack is None and not isinstance(mdl.breaks, int):
            if bound > lb_total:
                mdl.model.add(mdl.breaks >= bound)
            mdl.model.minimize(mdl.breaks)
        solver = _params(min(limit, remaining()), workers, seed, sat=sat)
        solver.parameters.log_search_progress = log
        t = time.perf_counter()
        code = solver.solve(mdl.model, _FirstSolution(t0, first_seen))
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        result.phases.append(
            PhaseStats(
                name,
                _status_name(code),
                time.perf_counter() - t,
                solver.objective_value if found else None,
                solver.best_objective_bound if found else None,
            )
        )
        if found and slack is None and not isinstance(mdl.breaks, int):
            bound = max(bound, int(round(solver.best_objective_bound)))
        return code, (_assignment(mdl, solver) if found else None)

    def take(schedule: dict[str, int]) -> None:
        nonlocal best, best_breaks
        value = _breaks_of(pb, schedule)
        if best_breaks is None or value < best_breaks:
            best, best_breaks = schedule, value

    exact = keep is None or keep_exact
    if exact and any(lb > ub for lb, ub in _ranges(an, keep).values()):
        # Fairness alone rules every schedule out (see _ranges): no search needed.
        proven_infeasible = True
    elif exact:
        # Lower-bound-driven search, as MaxSAT does: probe "every participant within
        # `slack` of its lower bound and at most lb_total + slack breaks in all", slack =
        # 0, 1, 2...: feasibility problems that a clause-learning search without LP solves
        # far faster than the optimisation model. The first feasible probe is optimal (the
        # smaller ones are proven infeasible); a probe that runs out of time hands over to
        # the optimisation model, with the best schedule as a hint and the bound so far.
        slack = 0
        while not optimal and remaining() > 0.05:
            if best_breaks is not None and best_breaks <= lb_total + slack:
                optimal = True
                break
            share = 0.5 if best is None and slack == 0 else 0.35
            code, found = run(f"breaks-probe{slack}", slack, remaining() * share, sat=True)
            if found is not None:
                take(found)
                optimal = True
            elif code == cp_model.INFEASIBLE:
                bound = max(bound, lb_total + slack + 1)
                slack += 1
                if best is None and slack == 2:
                    # No schedule yet and the optimum is above the bound: get one quickly
                    # from the optimisation model, which also gives an upper bound.
                    code, found = run("breaks-first", None, min(remaining() * 0.2, 5.0), True)
                    proven_infeasible = code == cp_model.INFEASIBLE
                    optimal = code == cp_model.OPTIMAL
                    if found is not None:
                        take(found)
                    if proven_infeasible:
                        break
            else:
                break
    if keep is not None and not keep_exact and not fairness and best is not None:
        # Decomposition: with the meeting set and each meeting's day fixed, days no longer
        # interact (tables, double booking and breaks are all within a day; `after` across
        # days already holds), so each day is a small problem of its own.
        improved = _improve_by_day(an, best, remaining, workers, seed, result)
        take(improved)
    elif not exact and best is None:
        code, found = run("breaks-first", None, min(remaining(), 1 + 0.02 * time_limit))
        proven_infeasible = code == cp_model.INFEASIBLE
        optimal = code == cp_model.OPTIMAL
        if found is not None:
            take(found)
    if best_breaks is not None and best_breaks <= bound:
        optimal = True
    if exact and not optimal and not proven_infeasible and remaining() > 0.05:
        code, found = run("breaks", None, remaining())
        if found is not None:
            take(found)
        optimal = code == cp_model.OPTIMAL or (best_breaks is not None and best_breaks <= bound)
        proven_infeasible = code == cp_model.INFEASIBLE and best is None
    if proven_infeasible:
        return give_up("infeasible", _infeasible_reasons(an, workers, seed, remaining()))
    if best is None and greedy_valid:
        best = hint
    if best is None:
        return give_up(
            "unknown", {m.id: "no schedule found within the time limit" for m in pb.meetings}
        )
    placed = best
    optimal = optimal and phase1_optimal
    status = "optimal" if optimal else "feasible"
    bound = min(bound, best_breaks) if best_breaks is not None else bound
    if keep is not None and not keep_exact:
        # The bounds above hold for the kept meetings only; report the global one.
        bound = min(sum(an.breaks_lb.values()), bound)
    if not optional:
        result.weight_bound = 0
    first_solution = first_seen[0] if first_seen else None
    result.first_solution_seconds = first_solution
    reasons = {
        m.id: _unscheduled_reason(an, m, placed, optimal) for m in pb.meetings if m.id not in placed
    }
    weight = sum(
        pb.meeting_by_id[mid].weight for mid in placed if not pb.meeting_by_id[mid].required
    )
    result.solution = _solution(
        status, placed, reasons, weight, _breaks_of(pb, placed), bound, time.perf_counter() - t0, pb
    )
    return result


def _improve_by_day(
    an: Analysis,
    placed: dict[str, int],
    remaining: Any,
    workers: int,
    seed: int,
    result: SolveResult,
) -> dict[str, int]:
    """Minimise breaks day by day, each meeting staying on its day; never worse."""
    pb = an.problem
    days: dict[str, list[str]] = defaultdict(list)
    for mid, s in placed.items():
        days[pb.slots[s].day].append(mid)
    out = dict(placed)
    left = len(placed)
    for day, mids in days.items():
        share = remaining() * len(mids) / max(1, left) - 0.05
        left -= len(mids)
        if share <= 0.1:
            continue
        allowed = {m.id: [] for m in pb.meetings}
        for mid in mids:
            allowed[mid] = [s for s in an.allowed[mid] if pb.slots[s].day == day]
        sub = _derive(pb, allowed, an)
        day_hint = {mid: placed[mid] for mid in mids}
        mdl = _build(sub, with_breaks=True, fairness=False, hint=day_hint, keep=set(mids))
        mdl.model.minimize(mdl.breaks)
        solver = _params(min(share, remaining()), workers, seed)
        t = time.perf_counter()
        code = solver.solve(mdl.model)
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        result.phases.append(
            PhaseStats(
                f"breaks-{day}",
                _status_name(code),
                time.perf_counter() - t,
                solver.objective_value if found else None,
                solver.best_objective_bound if found else None,
            )
        )
        if found:
            candidate = _assignment(mdl, solver)
            if _breaks_of(pb, candidate) <= _breaks_of(pb, day_hint):
                out.update(candidate)
    return out


def solve(
    problem: Any, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0
) -> dict[str, Any]:
    """Solve a `forum-schedule/1` problem; return a `forum-schedule-solution/1` dict."""
    return solve_detailed(problem, time_limit=time_limit, workers=workers, seed=seed).solution
