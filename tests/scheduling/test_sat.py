"""The SAT route's encoding (solver/sat.py): what it must refute, what it must still allow."""

from __future__ import annotations

import time

from pysat.solvers import Solver

from events.scheduling import load_problem, solve_detailed
from events.scheduling.solver import analyse, sat
from events.scheduling.solver.analysis import _breaks_of
from tests.scheduling.builders import b2b, meeting, people, problem, slot


def _encoding(pb_dict: dict) -> sat.Encoding:
    return sat.Encoding(analyse(load_problem(pb_dict)))


def _solve(enc: sat.Encoding, k: int) -> dict[str, int] | None:
    with Solver(name=sat.FIRST, bootstrap_with=enc.clauses) as solver:
        if solver.solve(assumptions=enc.at_most(k, solver)):
            return enc.decode(solver.get_model())
    return None


def test_tables_hold_without_the_busy_counter():
    # Two-person meetings only: "at most 2 x tables busy" is the table limit again and is
    # no longer encoded; the table limit alone must still keep the third meeting out.
    slots = [slot("t1", tables=2), slot("t2", tables=2)]
    meetings = [meeting(f"m{i}", f"a{i}", f"b{i}") for i in range(4)]
    who = [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)]
    enc = _encoding(problem(slots, people(*who), meetings))
    schedule = _solve(enc, 0)
    assert schedule is not None
    assert sorted(schedule.values()) == [0, 0, 1, 1]


def test_run_starts_must_fit_the_meetings():
    # a has two morning meetings and one any-time: a run of three starting at the last
    # morning slot cannot hold both morning meetings, so it is not offered.
    slots = [slot("t1"), slot("t2"), slot("t3"), slot("t4", session="afternoon")]
    meetings = [
        meeting("m1", "a", "b", session="morning"),
        meeting("m2", "a", "c", session="morning"),
        meeting("m3", "a", "d"),
    ]
    enc = _encoding(problem(slots, people("a", "b", "c", "d"), meetings))
    starts = {key[2] for key in enc.pool.obj2id if key[:2] == ("start", "a")}
    assert starts == {0, 1}


def test_forum13crafc_zero_breaks_refuted():
    # The crafted instance's bound (optimum 1): refuted in well under a second of CPU.
    pb = load_problem(b2b("forum-13crafc"))
    enc = sat.Encoding(analyse(pb))
    assert _solve(enc, 0) is None


def test_two_processes_prove_a_small_forum():
    # Three hosts meet three guests in four slots; h1 misses t2, so h1 has a break. Two
    # processes answer "at most k" questions; their proven optimum is the CP-SAT route's
    # (an independent model).
    slots = [slot(f"t{i}", tables=3) for i in range(1, 5)]
    hosts, guests = ["h1", "h2", "h3"], ["g1", "g2", "g3"]
    meetings = [meeting(f"m{h}{g}", h, g) for h in hosts for g in guests]
    pb_dict = problem(slots, people(*hosts, *guests), meetings)
    pb_dict["participants"][0]["unavailable"] = ["t2"]
    pb = load_problem(pb_dict)
    an = analyse(pb)
    seen: list[tuple[int | None, int]] = []
    out = sat.solve_sat(
        an,
        keep=None,
        deadline=time.perf_counter() + 30,
        workers=2,
        t0=time.perf_counter(),
        report=lambda schedule, breaks, bound: seen.append((breaks, bound)),
        stopped=lambda: False,
    )
    reference = solve_detailed(pb_dict, workers=1, time_limit=30, method="cp-sat").solution
    assert reference["status"] == "optimal"
    optimum = reference["objective"]["breaks"]
    assert out.optimal and out.breaks == out.bound == optimum
    assert _breaks_of(pb, out.schedule) == optimum
    assert all(bound <= optimum for _breaks, bound in seen)


def test_busy_counter_encoding_agrees():
    # The questions above the bound use the encoding with the per-slot busy counter: the
    # same schedules, more clauses.
    slots = [slot("t1", tables=2), slot("t2", tables=2)]
    meetings = [meeting(f"m{i}", f"a{i}", f"b{i}") for i in range(4)]
    who = [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)]
    an = analyse(load_problem(problem(slots, people(*who), meetings)))
    lean, counted = sat.Encoding(an), sat.Encoding(an, busy_counter=True)
    assert len(counted.clauses) > len(lean.clauses)
    schedule = _solve(counted, 0)
    assert schedule is not None and sorted(schedule.values()) == [0, 0, 1, 1]
