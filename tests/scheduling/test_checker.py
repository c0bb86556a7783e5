"""The independent checker rejects doctored solutions."""

from __future__ import annotations

import copy
from typing import Any

from events.scheduling import check
from tests.scheduling.builders import (
    meeting,
    people,
    person,
    problem,
    slot,
    small_solved,
    where,
    with_site_visit,
)

# --------------------------------------------------------------------- checker


def _move(solution: dict[str, Any], mid: str, slot_id: str, table: int = 2) -> dict[str, Any]:
    doctored = copy.deepcopy(solution)
    for entry in doctored["scheduled"]:
        if entry["meeting"] == mid:
            entry["slot"], entry["table"] = slot_id, table
    return doctored


def test_check_rejects_double_booking():
    pb, sol = small_solved()
    slot_m1 = where(sol)["m1"]
    errors = check(pb, _move(sol, "m2", slot_m1, table=2))
    assert f"a is double-booked in slot {slot_m1}" in errors


def test_check_rejects_too_many_tables():
    pb, sol = small_solved()
    pb["slots"] = [dict(s, tables=1) for s in pb["slots"]]
    placed = where(sol)
    busiest = max(placed.values(), key=list(placed.values()).count)
    errors = check(pb, sol)
    assert f"slot {busiest}: 2 meetings but only 1 tables" in errors


def test_check_rejects_duplicate_table_and_wrong_objective():
    pb, sol = small_solved()
    doctored = copy.deepcopy(sol)
    doctored["objective"]["breaks"] += 1
    doctored["objective"]["scheduled_weight"] = 99
    for entry in doctored["scheduled"]:
        entry["table"] = 1
    errors = check(pb, doctored)
    assert errors[-2:] == [
        f"objective.scheduled_weight: reported 99, recomputed {sol['objective']['scheduled_weight']}",
        f"objective.breaks: reported {sol['objective']['breaks'] + 1}, "
        f"recomputed {sol['objective']['breaks']}",
    ]
    assert any(e.endswith("used by more than one meeting") for e in errors)


def test_check_rejects_unavailable_unknown_and_missing():
    pb, sol = small_solved()
    doctored = _move(sol, "m2", "s3", table=2)
    doctored["scheduled"].append({"meeting": "m99", "slot": "s1", "table": 1})
    doctored["scheduled"] = [e for e in doctored["scheduled"] if e["meeting"] != "m3"]
    errors = check(pb, doctored)
    assert "m2: c is unavailable in slot s3" in errors
    assert f"scheduled[{len(doctored['scheduled']) - 1}].meeting: unknown meeting 'm99'" in errors
    assert "meeting m3 is neither scheduled nor unscheduled" in errors


def test_check_rejects_unscheduled_required_and_false_optimum():
    pb, sol = small_solved()
    doctored = copy.deepcopy(sol)
    doctored["scheduled"] = [e for e in doctored["scheduled"] if e["meeting"] != "m1"]
    doctored["unscheduled"].append({"meeting": "m1", "reason": "forgot"})
    doctored["bound"] = {"breaks": sol["objective"]["breaks"] + 1}
    errors = check(pb, doctored)
    assert "m1: required but not scheduled" in errors
    assert any(e.startswith("bound.breaks:") for e in errors)


def test_check_rejects_after_fixed_session_location_and_fairness():
    pb = problem(
        [slot("s1", location="x"), slot("s2", location="y"), slot("s3"), slot("s4")],
        [person("a"), person("b", locations=["x"]), person("c"), person("d")],
        [
            meeting("m1", "a", "b"),
            meeting("m2", "c", "d", after=["m1"], fixed="s3"),
            meeting("m3", "a", "c", session="afternoon"),
        ],
        fairness=0,
    )
    fake = {
        "format": "forum-schedule-solution/1",
        "status": "feasible",
        "scheduled": [
            {"meeting": "m1", "slot": "s2", "table": 1},
            {"meeting": "m2", "slot": "s1", "table": 1},
            {"meeting": "m3", "slot": "s4", "table": 1},
        ],
        "unscheduled": [],
        "objective": {"scheduled_weight": 0, "breaks": 2},
        "bound": {},
        "seconds": 0.1,
    }
    assert check(pb, fake) == [
        "m1: b cannot meet in y (slot s2)",
        "m2: fixed to slot s3 but scheduled in s1",
        "m2: must come after m1, but m1 is in slot s2 and m2 in slot s1",
        "m3: restricted to session 'afternoon' but slot s4 is in session 'morning'",
        "fairness: a has 1 breaks and b has 0, more than max_break_difference=0",
    ]


def _trip_problem() -> dict[str, Any]:
    """a meets b at the venue, then visits c's plant (15 minutes away)."""
    pb = problem(
        [slot(f"s{i}") for i in range(1, 5)],
        people("a", "b", "c"),
        [meeting("m1", "a", "b"), meeting("v1", "a", "c")],
    )
    times = [(f"09:{20 * i:02d}", f"09:{20 * i + 20:02d}") for i in range(4)]
    return with_site_visit(pb, "v1", minutes=15, times=times)


def _fake(placed: dict[str, str], breaks: int, legs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "forum-schedule-solution/1",
        "status": "feasible",
        "scheduled": [
            {"meeting": m, "slot": s, "table": None if m.startswith("v") else 1}
            for m, s in placed.items()
        ],
        "unscheduled": [],
        "objective": {"scheduled_weight": 0, "breaks": breaks},
        "bound": {},
        "travel": legs,
        "seconds": 0.1,
    }


def _leg(after: str, before: str) -> dict[str, Any]:
    return {
        "participant": "a",
        "from": "venue",
        "to": "plant",
        "after_slot": after,
        "before_slot": before,
        "minutes": 15,
    }


def test_check_travel_slot_is_no_break_but_a_longer_wait_is():
    pb = _trip_problem()
    assert check(pb, _fake({"m1": "s1", "v1": "s3"}, 0, [_leg("s1", "s3")])) == []
    assert check(pb, _fake({"m1": "s1", "v1": "s4"}, 1, [_leg("s1", "s4")])) == []
    assert check(pb, _fake({"m1": "s1", "v1": "s4"}, 0, [_leg("s1", "s4")])) == [
        "objective.breaks: reported 0, recomputed 1"
    ]


def test_check_rejects_too_short_a_trip_and_missing_legs():
    pb = _trip_problem()
    errors = check(pb, _fake({"m1": "s1", "v1": "s2"}, 0, []))
    assert errors[0] == "a needs 15 minutes from venue (slot s1) to plant (slot s2)"
    assert errors[1].startswith("travel: expected 1 leg(s) in itinerary order")


def test_check_rejects_visitor_limit_and_a_table_at_a_site():
    pb = _trip_problem()
    pb["locations"][0]["visitor_limit"] = 1
    fake = _fake({"m1": "s1", "v1": "s3"}, 0, [_leg("s1", "s3")])
    fake["scheduled"][1]["table"] = 1
    assert check(pb, fake) == [
        "scheduled[1].table: v1 is at plant and has no table",
        "plant: 2 participants in slot s3, visitor limit 1",
    ]


def test_check_recomputes_moved_and_enforces_locks():
    pb = problem([slot("s1"), slot("s2")], people("a", "b"), [meeting("m1", "a", "b")])
    pb["previous"] = [{"meeting": "m1", "slot": "s1"}]
    pb["meetings"][0]["locked"] = True
    fake = _fake({"m1": "s2"}, 0, [])
    del fake["travel"]
    fake["objective"]["moved"] = 0
    assert check(pb, fake) == [
        "m1: locked to slot s1 but scheduled in s2",
        "objective.moved: reported 0, recomputed 1",
    ]
