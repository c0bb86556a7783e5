"""The break phase's local search (events/scheduling/solver/local.py).

Every schedule it returns goes through the independent checker.
"""

from __future__ import annotations

import time
from typing import Any

from events.scheduling import check, load_problem, solve, solve_detailed
from events.scheduling.generate import generate_delegation
from events.scheduling.solver import analyse
from events.scheduling.solver.analysis import _breaks_of
from events.scheduling.solver.greedy import greedy
from events.scheduling.solver.local import anneal, applicable
from events.scheduling.solver.output import _solution, contract_breaks
from tests.scheduling.builders import meeting, people, problem, slot, with_site_visit


def _anneal(raw: dict[str, Any], placed: dict[str, int], seconds: float, **kw: Any):
    pb = load_problem(raw)
    out = anneal(
        pb,
        analyse(pb),
        placed,
        deadline=time.perf_counter() + seconds,
        seed=0,
        stopped=lambda: False,
        **kw,
    )
    weight = sum(pb.meeting_by_id[m].weight for m in out if not pb.meeting_by_id[m].required)
    left = {m.id: "not in the schedule given" for m in pb.meetings if m.id not in out}
    solution = _solution("feasible", out, left, weight, contract_breaks(pb, out), None, 0.0, pb)
    assert check(raw, solution) == []
    return pb, out


def _tight_delegation() -> dict[str, Any]:
    # Few tables, so full slots force swaps rather than plain moves.
    return generate_delegation(
        seed=3, delegates=30, hosts=60, requests=400, days=2, cities=2, tables=5
    )


def _greedy(raw: dict[str, Any]) -> dict[str, int]:
    pb = load_problem(raw)
    return greedy(analyse(pb))


def test_anneal_closes_the_gaps_of_a_spread_out_schedule():
    raw = problem(
        [slot(f"s{i}", tables=1) for i in range(1, 7)],
        people("a", "b", "c", "d"),
        [meeting("m1", "a", "b"), meeting("m2", "a", "c"), meeting("m3", "a", "d")],
    )
    spread = {"m1": 0, "m2": 2, "m3": 4}  # a waits twice
    pb, out = _anneal(raw, spread, 1.0)
    assert _breaks_of(pb, spread) == 2
    assert _breaks_of(pb, out) == 0
    assert set(out) == set(spread)


def test_anneal_keeps_every_rule_and_the_meetings_on_a_tight_delegation():
    raw = _tight_delegation()
    start = _greedy(raw)
    pb, out = _anneal(raw, start, 3.0)
    assert set(out) == set(start)
    assert _breaks_of(pb, out) < _breaks_of(pb, start)
    per_slot: dict[int, int] = {}
    for s in out.values():
        per_slot[s] = per_slot.get(s, 0) + 1
    assert max(per_slot.values()) == 5  # the tables were binding


def test_anneal_with_previous_moves_back_before_it_saves_breaks():
    raw = _tight_delegation()
    start = _greedy(raw)
    pb, settled = _anneal(raw, start, 2.0)
    # Unchanged problem, previous = the published schedule: nothing moves.
    _, again = _anneal(raw, settled, 1.0, previous=settled)
    assert again == settled
    # Starting elsewhere, moved meetings go back to their previous slots first.
    moved_before = sum(1 for m, s in start.items() if settled[m] != s)
    _, back = _anneal(raw, start, 2.0, previous=settled)
    moved_after = sum(1 for m, s in back.items() if settled[m] != s)
    assert moved_before > 0
    assert moved_after < moved_before / 2


def test_anneal_returns_the_start_when_stopped_at_once():
    raw = _tight_delegation()
    start = _greedy(raw)
    pb = load_problem(raw)
    out = anneal(
        pb, analyse(pb), start, deadline=time.perf_counter() + 30, seed=0, stopped=lambda: True
    )
    assert _breaks_of(pb, out) <= _breaks_of(pb, start)


def test_anneal_applies_except_with_order_or_fairness():
    assert applicable(load_problem(_tight_delegation()))
    assert applicable(load_problem(_visits_delegation()))
    fair = generate_delegation(
        seed=1, delegates=20, hosts=40, requests=200, days=2, cities=2, max_break_difference=1
    )
    assert not applicable(load_problem(fair))
    ordered = problem(
        [slot("s1"), slot("s2")],
        people("a", "b"),
        [meeting("m1", "a", "b"), meeting("m2", "a", "b", after=["m1"])],
    )
    assert not applicable(load_problem(ordered))


def _visits_delegation() -> dict[str, Any]:
    return generate_delegation(
        seed=1, delegates=20, hosts=40, requests=200, days=2, cities=2, tables=4, visits=8
    )


def test_anneal_keeps_trips_and_visitor_limits_with_site_visits():
    raw = _visits_delegation()
    start = {
        e["meeting"]: load_problem(raw).slot_by_id[e["slot"]].index
        for e in solve(raw, workers=1, time_limit=1)["scheduled"]
    }
    pb, out = _anneal(raw, start, 3.0)  # the checker enforces trips and visitor limits
    assert set(out) == set(start)
    assert any(m.startswith("v-") for m in out)  # the visits are among the meetings
    assert contract_breaks(pb, out) < contract_breaks(pb, start)


def test_anneal_counts_breaks_as_the_contract_does_with_travel():
    # a meets x at the venue, then visits a plant 45 minutes away: the slot between is the
    # trip, not a break; a meeting two slots later would be one.
    raw = problem(
        [slot(f"s{i}", tables=2) for i in range(1, 6)],
        people("a", "x", "host"),
        [meeting("m1", "a", "x"), meeting("v1", "host", "a")],
    )
    times = [(f"{9 + i}:00", f"{9 + i}:30") for i in range(5)]
    with_site_visit(raw, "v1", minutes=45, times=times)
    far = {"m1": 0, "v1": 4}  # 9:00 at the venue, 13:00 at the plant: idle far longer
    pb, out = _anneal(raw, far, 1.0)
    assert contract_breaks(pb, far) == 1
    assert contract_breaks(pb, out) == 0
    assert abs(out["m1"] - out["v1"]) == 2  # the trip's slot between them, no less


def test_large_delegation_break_phase_uses_the_local_search():
    raw = generate_delegation(
        seed=1, delegates=40, hosts=80, requests=500, days=2, cities=2, tables=6
    )
    result = solve_detailed(raw, workers=2, time_limit=10)
    sol = result.solution
    assert check(raw, sol) == []
    assert sol["objective"]["scheduled_weight"] == result.weight_bound
    # No CP-SAT day models ran: the breaks came from the local search.
    assert not [p.name for p in result.phases if p.name.startswith("breaks-")]
    greedy_breaks = _breaks_of(load_problem(raw), _greedy(raw))
    assert sol["objective"]["breaks"] < greedy_breaks / 2


def test_large_delegation_where_every_request_fits_uses_the_local_search_too():
    raw = generate_delegation(
        seed=1, delegates=20, hosts=40, requests=120, days=2, cities=2, tables=10
    )
    result = solve_detailed(raw, workers=2, time_limit=10)
    sol = result.solution
    assert check(raw, sol) == []
    assert not sol["unscheduled"]  # every request fits: they all become required
    # CP-SAT's probes had their share and did not finish; the local search went on.
    assert [p.status for p in result.phases if p.name.startswith("breaks")][0] == "unknown"
    greedy_breaks = _breaks_of(load_problem(raw), _greedy(raw))
    assert sol["objective"]["breaks"] < greedy_breaks


def test_a_small_delegation_is_still_proven_optimal_by_the_probes():
    raw = generate_delegation(
        seed=4, delegates=6, hosts=10, requests=30, days=1, cities=1, tables=3, slot_minutes=40
    )
    result = solve_detailed(raw, workers=2, time_limit=20)
    assert check(raw, result.solution) == []
    assert result.solution["status"] == "optimal"
    assert any(p.name.startswith("breaks-probe") and p.status == "optimal" for p in result.phases)
