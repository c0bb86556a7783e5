"""All-required problems: the SAT processes (sat.py), and CP-SAT only on time they leave.

The SAT search (sat.py) proves bounds and finds the optimum when it is within reach; in
the first and the last 15% of the time its second process descends from the best
schedule.
CP-SAT's large-neighbourhood search used to take that last part (SAT_SHARE 0.7): measured
on forum-13crafb it moved 85 breaks to 80 where the SAT descent reached 32 in the same
place, and running it alongside the SAT search took half its CPU and cost the proofs. So
SAT_SHARE is now 1.0 and `_cpsat_side` runs only when the SAT search ends early without
a proof (its processes died, or a lower SAT_SHARE set for comparison).
"""

from __future__ import annotations

import threading
from typing import Any

from ortools.sat.python import cp_model

from . import sat
from .analysis import _breaks_of, _fair
from .greedy import greedy
from .model import _build
from .phases import PhaseStats, Run


class _Best:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.lock = threading.Lock()
        self.schedule: dict[str, int] | None = None
        self.breaks: int | None = None
        self.bound = 0
        self.done = threading.Event()  # an optimum is proven (or infeasibility)
        self.infeasible = False

    def offer(self, schedule: dict[str, int] | None, breaks: int | None, bound: int) -> None:
        with self.lock:
            if schedule is not None and (self.breaks is None or breaks < self.breaks):
                self.schedule, self.breaks = schedule, breaks
                self.run.monitor.found(scheduled_weight=0, breaks=breaks)
            self.bound = max(self.bound, bound)
            self.run.monitor.update(bound=self.bound)
            if self.breaks is not None and self.breaks <= self.bound:
                self.done.set()


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, best: _Best, x: dict[tuple[str, int], Any]) -> None:
        super().__init__()
        self.best = best
        self.x = x

    def on_solution_callback(self) -> None:
        schedule = {m: s for (m, s), v in self.x.items() if self.boolean_value(v)}
        self.best.offer(schedule, _breaks_of(self.best.run.view, schedule), 0)


SAT_SHARE = 1.0  # measured: SAT descent beats CP-SAT's LNS in the last part (README)
DESCEND_UNTIL = 0.15  # the first 15% and the last 15% of the time: see sat.solve_sat
DESCEND_FROM = 0.85


def run_portfolio(run: Run) -> tuple[sat.SatOutcome, _Best]:
    best = _Best(run)
    sat_deadline = run.t0 + SAT_SHARE * (run.deadline - run.t0)
    outcome = sat.solve_sat(
        run.an,
        keep=None,
        deadline=sat_deadline,
        workers=run.workers,
        t0=run.t0,
        report=best.offer,
        stopped=run.monitor.stopped,
        enc=run.sat_encoding,
        descend_until=run.t0 + DESCEND_UNTIL * (run.deadline - run.t0),
        descend_from=run.t0 + DESCEND_FROM * (run.deadline - run.t0),
    )
    best.offer(outcome.schedule, outcome.breaks, outcome.bound)
    if outcome.optimal or outcome.infeasible or run.monitor.stopped() or run.remaining() < 1:
        return outcome, best
    _cpsat_side(run, best)
    return outcome, best


def _cpsat_side(run: Run, best: _Best) -> None:
    pb, an = run.view, run.an
    hint = greedy(an)
    valid = all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint)
    mdl = _build(
        an,
        with_breaks=True,
        fairness=pb.max_break_difference is not None,
        hint=hint if valid else None,
    )
    mdl.model.minimize(mdl.breaks)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, run.remaining())
    solver.parameters.num_workers = max(1, run.workers)
    solver.parameters.random_seed = run.seed
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            if best.done.is_set() or run.monitor.stopped():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = solver.solve(mdl.model, _Collect(best, mdl.x))
    stop.set()
    watcher.join()
    if code == cp_model.OPTIMAL:
        best.offer(None, None, best.breaks if best.breaks is not None else 0)
        best.done.set()
    elif code == cp_model.FEASIBLE:
        best.offer(None, None, int(round(solver.best_objective_bound)))
    elif code == cp_model.INFEASIBLE:
        best.infeasible = True
        best.done.set()
    run.result.phases.append(
        PhaseStats(
            "cp-sat-breaks", solver.status_name(code), solver.wall_time, best.breaks, best.bound
        )
    )
