"""Choosing the method and running the lexicographic phases (see the package README).

Every required meeting; then the optional weight; then (re-planning) the fewest moved
meetings; then the fewest breaks. Problems whose meetings are all required go to the SAT
portfolio (sat.py), the rest to CP-SAT in phases: weight (breaks.py holds the break phase).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ..problem import Problem, load_problem
from . import sat
from .analysis import Analysis, _breaks_of, _fair, analyse
from .greedy import greedy
from .model import _assignment, _build, _params, _status_name
from .output import (
    _infeasible_reasons,
    _solution,
    _unscheduled_reason,
    contract_breaks,
    moved_of,
)
from .progress import Monitor, Progress, SolutionCallback, StopSignal
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
    method: str = ""  # "sat" or "cp-sat"


@dataclass
class Run:
    """One solve: the problem as given (`pb`), the view the solver works on (`view`: locked
    meetings made required and fixed), the clock, and what was found so far."""

    pb: Problem
    view: Problem
    an: Analysis
    t0: float
    deadline: float
    workers: int
    seed: int
    log: bool
    monitor: Monitor
    result: SolveResult
    final: bool = True  # False for a short first attempt whose answer may be superseded
    sat_encoding: Any = None  # built once for the SAT route (sat.Encoding)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def cp_solve(
        self,
        name: str,
        model: cp_model.CpModel,
        limit: float,
        figure: str | None,
        sat: bool = False,
    ) -> tuple[int, cp_model.CpSolver]:
        """A CP-SAT solve with progress reports and the stop signal."""
        solver = _params(min(limit, self.remaining()), self.workers, self.seed, sat=sat)
        solver.parameters.log_search_progress = self.log
        started = time.perf_counter()
        with self.monitor.watch(solver):
            code = solver.solve(model, SolutionCallback(self.monitor, figure))
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        self.result.phases.append(
            PhaseStats(
                name,
                _status_name(code),
                time.perf_counter() - started,
                solver.objective_value if found else None,
                solver.best_objective_bound if found else None,
            )
        )
        return code, solver

    def give_up(self, status: str, reasons: dict[str, str]) -> SolveResult:
        seconds = time.perf_counter() - self.t0
        self.result.solution = _solution(status, {}, reasons, 0, 0, None, seconds, self.pb)
        self.result.first_solution_seconds = self.monitor.first_seconds
        if self.final:
            self.monitor.phase = "done"
            self.monitor.report(force=True)
        return self.result

    def infeasible(self) -> SolveResult:
        return self.give_up(
            "infeasible", _infeasible_reasons(self.an, self.workers, self.seed, self.remaining())
        )

    def unknown(self) -> SolveResult:
        return self.give_up(
            "unknown", {m.id: "no schedule found within the time limit" for m in self.pb.meetings}
        )

    def finish(self, placed: dict[str, int], optimal: bool, bound: int | None) -> SolveResult:
        pb = self.pb
        if self.monitor.stopped():
            optimal = False  # a stopped run proves nothing it had not proven already
        breaks = contract_breaks(pb, placed)
        if pb.travel:
            # The models count a trip's idle slots as breaks: their bounds and optimality
            # are not the contract's (only a schedule without breaks is surely optimal).
            bound = None
            optimal = optimal and breaks == 0
        if bound is not None:
            bound = min(bound, breaks)
        reasons = {
            m.id: _unscheduled_reason(self.an, m, placed, optimal)
            for m in pb.meetings
            if m.id not in placed
        }
        weight = sum(pb.meeting_by_id[m].weight for m in placed if not pb.meeting_by_id[m].required)
        self.result.solution = _solution(
            "optimal" if optimal else "feasible",
            placed,
            reasons,
            weight,
            breaks,
            bound,
            time.perf_counter() - self.t0,
            pb,
        )
        self.result.first_solution_seconds = self.monitor.first_seconds
        if not self.final:
            return self.result
        self.monitor.phase = "done"
        self.monitor.update(
            scheduled_weight=weight, breaks=breaks, bound=bound, moved=moved_of(pb, placed)
        )
        self.monitor.report(force=True)
        return self.result


def solver_view(pb: Problem) -> Problem:
    """Locked meetings become required and fixed to their previous slot: the solver then
    needs no notion of locking, while the checker and the reported weight use `pb`."""
    if pb.previous is None or not any(m.locked for m in pb.meetings):
        return pb
    meetings = tuple(
        dataclasses.replace(m, required=True, fixed_slot=pb.previous[m.id]) if m.locked else m
        for m in pb.meetings
    )
    return dataclasses.replace(pb, meetings=meetings, meeting_by_id={m.id: m for m in meetings})


def solve_detailed(
    problem: Any,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    log: bool = False,
    progress: Callable[[Progress], None] | None = None,
    stop: StopSignal = None,
    method: str = "auto",
) -> SolveResult:
    """Solve and return the contract's solution with extra figures (bounds, timings).

    `progress(Progress)` is called with the best figures so far, on every improvement and
    at least every two seconds; `stop` (a threading.Event or a callable returning True to
    stop) ends the run early with the best schedule found (status `feasible`). `method`:
    "auto" (default), "sat" or "cp-sat" (the benchmark compares them).
    """
    t0 = time.perf_counter()
    pb = load_problem(problem)
    view = solver_view(pb)
    an = analyse(view)
    # A little is kept back for building the answer (reasons, tables) after the last solve.
    deadline = t0 + time_limit * 0.98 - 0.1
    monitor = Monitor(t0, progress, stop)
    run = Run(pb, view, an, t0, deadline, workers, seed, log, monitor, SolveResult(solution={}))
    if an.infeasible:
        first = next(iter(an.infeasible.values()))
        return run.give_up(
            "infeasible",
            {
                m.id: an.infeasible.get(m.id, f"not scheduled: the problem is infeasible ({first})")
                for m in pb.meetings
            },
        )
    plain = pb.previous is None and not _has_visits(pb)
    if method == "sat" or (method == "auto" and plain and sat.applicable(an)):
        return _solve_sat(run)
    from .breaks import solve_cpsat  # the CP-SAT phases; imported here to avoid a cycle

    return solve_cpsat(run)


def _has_visits(pb: Problem) -> bool:
    return bool(pb.travel) or any(m.location for m in pb.meetings)


def _solve_sat(run: Run) -> SolveResult:
    """All meetings required: the SAT portfolio minimises breaks (sat.py)."""
    run.result.method = "sat+cp-sat" if run.workers >= 2 else "sat"
    run.monitor.phase = "sat"
    run.result.weight_bound = 0

    def report(schedule: dict[str, int] | None, breaks: int | None, bound: int) -> None:
        if schedule is not None:
            run.monitor.found(scheduled_weight=0, breaks=breaks, bound=bound)
        else:
            run.monitor.update(bound=bound)

    started = time.perf_counter()
    quick = _cpsat_first(run)
    if quick is not None:
        return quick
    run.monitor.phase = "sat"
    if run.workers >= 2:
        from .portfolio import run_portfolio

        outcome, best = run_portfolio(run)
        if best.infeasible:
            outcome.infeasible = True
        if best.breaks is not None and (outcome.breaks is None or best.breaks < outcome.breaks):
            outcome.schedule, outcome.breaks = best.schedule, best.breaks
        outcome.bound = max(outcome.bound, best.bound)
        outcome.optimal = outcome.breaks is not None and outcome.breaks <= outcome.bound
    else:
        outcome = sat.solve_sat(
            run.an,
            keep=None,
            deadline=run.deadline,
            workers=1,
            t0=run.t0,
            report=report,
            stopped=run.monitor.stopped,
            enc=run.sat_encoding,
        )
    run.result.phases.append(
        PhaseStats(
            "sat",
            "optimal" if outcome.optimal else "infeasible" if outcome.infeasible else "unknown",
            time.perf_counter() - started,
            outcome.breaks,
            outcome.bound,
        )
    )
    if outcome.infeasible:
        return run.infeasible()
    if outcome.schedule is None:
        hint = greedy(run.an)
        if all(m.id in hint for m in run.view.meetings if m.required) and _fair(run.view, hint):
            return run.finish(hint, False, outcome.bound)
        return run.unknown()
    return run.finish(outcome.schedule, outcome.optimal, outcome.bound)


# The CP-SAT route's probes (pattern tables, clause learning without LP) prove the real
# B2B instances in a fraction of a second (tic-12 0.1 s, forumt-14 0.14 s, every variant
# under 1.5 s), where the SAT search needs 1-12 s: they get the first few seconds.
CPSAT_FIRST = 3.0


def _cpsat_first(run: Run) -> SolveResult | None:
    """A short CP-SAT attempt; its answer if it proves one, else None (its schedule stays
    with the monitor and hints nothing: the SAT route starts afresh)."""
    from .breaks import solve_cpsat

    # The SAT encoding's first schedule comes first (well under a second): the probes may
    # find none in their few seconds on crafted instances.
    run.sat_encoding = sat.Encoding(run.an)
    first = sat.first_schedule(run.sat_encoding)
    if first is not None and _fair(run.view, first):
        run.monitor.found(scheduled_weight=0, breaks=_breaks_of(run.view, first))
    budget = min(CPSAT_FIRST, max(2.0, 0.1 * (run.deadline - run.t0)))
    short = dataclasses.replace(
        run, deadline=min(run.deadline, time.perf_counter() + budget), final=False
    )
    result = solve_cpsat(short)
    run.result.method = "sat+cp-sat" if run.workers >= 2 else "sat"
    if result.solution["status"] in ("optimal", "infeasible") and not run.monitor.stopped():
        result.method = "cp-sat"
        run.monitor.phase = "done"
        run.monitor.report(force=True)
        return result
    return None


def weight_phase(
    run: Run, hint: dict[str, int]
) -> tuple[dict[str, int], bool, list[list[int]] | None] | SolveResult:
    """Phase 1: maximise the optional weight. Returns (schedule, proven, slot classes used),
    or the final result when the phase ends the solve (infeasible, nothing found)."""
    an, pb = run.an, run.view
    fairness = pb.max_break_difference is not None
    groups = slot_groups(an) if not fairness else None
    if groups is not None and len(groups) * 4 > len({s for ss in an.allowed.values() for s in ss}):
        groups = None  # too little symmetry to be worth it: the slot model proves small cases
    total = run.deadline - run.t0
    # Leave the break phase at least 40% of the budget when phase 1 cannot prove.
    limit = run.remaining() - 0.4 * (total - (time.perf_counter() - run.t0))
    grouped: dict[str, int] | None = None
    started = time.perf_counter()
    if groups is not None:
        previous = None
        if pb.previous is not None:  # re-planning: keep meetings in their previous slots
            previous = {m: pb.slot_by_id[s].index for m, s in pb.previous.items()}
        code, grouped, weight_bound = _weight_grouped(
            an,
            groups,
            hint,
            limit,
            run.workers,
            run.seed,
            SolutionCallback(run.monitor),
            previous,
        )
        run.result.phases.append(
            PhaseStats(
                "weight-grouped",
                _status_name(code),
                time.perf_counter() - started,
                None,
                weight_bound,
            )
        )
    if grouped is None:
        groups = None
        mdl = _build(an, with_breaks=False, fairness=fairness, hint=hint)
        mdl.model.maximize(mdl.weight)
        code, solver = run.cp_solve("weight", mdl.model, limit, "scheduled_weight")
        weight_bound = solver.best_objective_bound
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            grouped = _assignment(mdl, solver)
    if code == cp_model.INFEASIBLE:
        return run.infeasible()
    valid_hint = all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint)
    placed = grouped if grouped is not None else hint if valid_hint else None
    if placed is None:
        return run.unknown()
    value = sum(pb.meeting_by_id[m].weight for m in placed if not pb.meeting_by_id[m].required)
    if weight_bound >= value:
        run.result.weight_bound = int(weight_bound)
    run.monitor.found(scheduled_weight=value, weight_bound=run.result.weight_bound)
    return placed, code == cp_model.OPTIMAL, groups


def solve(
    problem: Any,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[Progress], None] | None = None,
    stop: StopSignal = None,
) -> dict[str, Any]:
    """Solve a `forum-schedule/1` problem; return a `forum-schedule-solution/1` dict."""
    return solve_detailed(
        problem, time_limit=time_limit, workers=workers, seed=seed, progress=progress, stop=stop
    ).solution
