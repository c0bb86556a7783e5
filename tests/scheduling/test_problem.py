"""Loading and validating problems: a malformed key is named."""

from __future__ import annotations

from typing import Any

import pytest

from events.scheduling import ProblemError, load_problem
from tests.scheduling.builders import (
    B2B,
    b2b,
    meeting,
    people,
    problem,
    slot,
)

# --------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p.update(format="other/2"),
            "format: expected 'forum-schedule/1', got 'other/2'",
        ),
        (lambda p: p.pop("slots"), "slots: missing (expected a list)"),
        (
            lambda p: p["slots"][1].update(tables=-1),
            "slots[1].tables: expected an integer >= 0, got -1",
        ),
        (lambda p: p["slots"][1].update(id="s1"), "slots[1].id: duplicate slot id 's1'"),
        (
            lambda p: p["participants"][0].update(unavailable=["zz"]),
            "participants[0].unavailable[0]: unknown slot 'zz'",
        ),
        (
            lambda p: p["meetings"][0]["participants"].__setitem__(1, "x"),
            "meetings[0].participants[1]: unknown participant 'x'",
        ),
        (
            lambda p: p["meetings"][0].update(weight=0),
            "meetings[0].weight: expected a positive integer, got 0",
        ),
        (
            lambda p: p["meetings"][0].update(fixed_slot="nope"),
            "meetings[0].fixed_slot: unknown slot 'nope'",
        ),
        (
            lambda p: p["meetings"][0].update(after=["m9"]),
            "meetings[0].after[0]: unknown meeting 'm9'",
        ),
        (lambda p: p.update(fairness={}), "fairness.max_break_difference: missing"),
    ],
)
def test_load_problem_names_the_offending_key(mutate, message):
    pb = problem(
        [slot("s1"), slot("s2")], people("a", "b"), [meeting("m1", "a", "b", required=False)]
    )
    pb["extra_key"] = {"ignored": True}
    mutate(pb)
    with pytest.raises(ProblemError) as info:
        load_problem(pb)
    assert str(info.value) == message


def _visit_problem() -> dict[str, Any]:
    pb = problem(
        [slot("s1"), slot("s2"), slot("s3")],
        people("a", "b", "c"),
        [meeting("m1", "a", "b"), meeting("m2", "a", "c")],
    )
    for i, s in enumerate(pb["slots"]):
        s["start"], s["end"] = f"09:{20 * i:02d}", f"09:{20 * i + 20:02d}"
    pb["locations"] = [{"id": "plant", "name": "Plant", "visitor_limit": 2}]
    pb["travel"] = [{"from": "venue", "to": "plant", "minutes": 15}]
    return pb


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p["meetings"][0].update(location="moon"),
            "meetings[0].location: unknown location 'moon'",
        ),
        (
            lambda p: p["travel"][0].update(to="mars"),
            "travel[0].to: unknown place 'mars'",
        ),
        (
            lambda p: p["slots"][1].update(start=None),
            "slots[1].start: missing (travel times need every slot's start and end)",
        ),
        (
            lambda p: p["locations"][0].update(visitor_limit=0),
            "locations[0].visitor_limit: expected a positive integer, got 0",
        ),
        (
            lambda p: p.update(previous=[{"meeting": "m9", "slot": "s1"}]),
            "previous[0].meeting: unknown meeting 'm9'",
        ),
        (
            lambda p: p["meetings"][0].update(locked=True),
            "meetings[0].locked: m1 is locked but not in previous",
        ),
    ],
)
def test_load_problem_names_the_offending_optional_key(mutate, message):
    pb = _visit_problem()
    mutate(pb)
    with pytest.raises(ProblemError) as info:
        load_problem(pb)
    assert str(info.value) == message


def test_travel_is_symmetric_and_takes_the_quickest_route():
    pb = _visit_problem()
    pb["locations"].append({"id": "estate", "visitor_limit": None})
    pb["travel"] += [
        {"from": "plant", "to": "estate", "minutes": 10},
        {"from": "venue", "to": "estate", "minutes": 60},
    ]
    loaded = load_problem(pb)
    assert loaded.travel_minutes("plant", "venue") == 15
    assert loaded.travel_minutes("venue", "estate") == 25  # through the plant
    assert loaded.travel_minutes("estate", "estate") == 0


def test_problem_without_optional_parts_has_none_of_them():
    loaded = load_problem(problem([slot("s1")], people("a", "b"), [meeting("m1", "a", "b")]))
    assert (loaded.locations, loaded.travel, loaded.previous) == ({}, {}, None)


def test_dzn_conversion_reproduces_the_shipped_instances():
    from events.scheduling.dzn import dzn_to_problem

    for name in ("forum-13crafc", "forum-13crafb"):
        text = (B2B / "dzn" / f"{name}.dzn").read_text()
        assert dzn_to_problem(text, f"{name}.original") == b2b(name)
