"""Progress reports and the stop signal, shared by every method.

The Django side stores these figures on the schedule version while a run goes on, and lets
staff stop a run and keep the best schedule found so far (see docs/scheduling-format.md,
"Progress and stopping").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ortools.sat.python import cp_model

# How often a report is sent while nothing improves, so that a stored "last seen" figure
# shows the run is alive.
REPORT_EVERY = 2.0


@dataclass(frozen=True)
class Progress:
    """The best figures so far; None where nothing is known yet."""

    seconds: float
    phase: str  # "weight", "breaks", "sat", "done"
    scheduled_weight: int | None  # weight of the best schedule so far
    weight_bound: int | None  # proven upper bound on the optional weight
    moved: int | None  # moved meetings of the best schedule (re-planning only)
    breaks: int | None  # breaks of the best schedule so far
    bound: int | None  # proven lower bound on breaks (at the reached weight)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


StopSignal = threading.Event | Callable[[], bool] | None


def _stop_check(stop: StopSignal) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if hasattr(stop, "is_set"):
        return stop.is_set  # type: ignore[union-attr]
    if callable(stop):
        return stop
    raise TypeError("stop must be a threading.Event, a callable returning bool, or None")


class Monitor:
    """Holds the best figures, calls `progress` on change and every REPORT_EVERY seconds,
    and stops CP-SAT searches when the stop signal is raised."""

    def __init__(
        self, t0: float, progress: Callable[[Progress], None] | None, stop: StopSignal
    ) -> None:
        self.t0 = t0
        self._progress = progress
        self.stopped = _stop_check(stop)
        self.phase = "weight"
        self.scheduled_weight: int | None = None
        self.weight_bound: int | None = None
        self.moved: int | None = None
        self.breaks: int | None = None
        self.bound: int | None = None
        self.first_seconds: float | None = None
        self._last: tuple[Any, ...] | None = None
        self._last_time = 0.0
        self._lock = threading.Lock()

    def found(self, **figures: int | None) -> None:
        """A schedule was found (figures: scheduled_weight, moved, breaks...)."""
        if self.first_seconds is None:
            self.first_seconds = time.perf_counter() - self.t0
        self.update(**figures)

    def update(self, **figures: int | None) -> None:
        with self._lock:
            for key, value in figures.items():
                if value is not None:
                    setattr(self, key, value)
        self.report()

    def report(self, force: bool = False) -> None:
        if self._progress is None:
            return
        now = time.perf_counter()
        key = (
            self.phase,
            self.scheduled_weight,
            self.weight_bound,
            self.moved,
            self.breaks,
            self.bound,
        )
        if not force and key == self._last and now - self._last_time < REPORT_EVERY:
            return
        self._last, self._last_time = key, now
        self._progress(
            Progress(
                round(now - self.t0, 3),
                self.phase,
                self.scheduled_weight,
                self.weight_bound,
                self.moved,
                self.breaks,
                self.bound,
            )
        )

    def watch(self, solver: cp_model.CpSolver) -> _Watch:
        return _Watch(self, solver)


class _Watch:
    """While a CP-SAT solve runs: report every REPORT_EVERY seconds and stop it on request
    (a solution callback alone would not fire while the search finds nothing)."""

    def __init__(self, monitor: Monitor, solver: cp_model.CpSolver) -> None:
        self.monitor = monitor
        self.solver = solver
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.wait(0.2):
            if self.monitor.stopped():
                self.solver.stop_search()
                return
            self.monitor.report()

    def __enter__(self) -> _Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


class SolutionCallback(cp_model.CpSolverSolutionCallback):
    """Records the first schedule's time and passes each new objective to the monitor."""

    def __init__(self, monitor: Monitor, figure: str | None = None) -> None:
        super().__init__()
        self.monitor = monitor
        self.figure = figure  # the figure the model's objective is ("breaks"...), if any

    def on_solution_callback(self) -> None:
        if self.figure is None:
            self.monitor.found()
        else:
            self.monitor.found(**{self.figure: int(round(self.objective_value))})

    def found_at(self) -> None:
        """Record a solution found outside CP-SAT (the MIP of the weight phase)."""
        self.monitor.found()
