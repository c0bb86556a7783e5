"""The deterministic generators."""

from __future__ import annotations

from events.scheduling import load_problem
from events.scheduling.generate import generate_delegation


def test_generate_delegation_is_deterministic_and_valid():
    assert generate_delegation(seed=7) == generate_delegation(seed=7)
    pb = generate_delegation(seed=7)
    loaded = load_problem(pb)
    assert (len(loaded.participants), len(loaded.meetings), len(loaded.slots)) == (450, 2000, 84)


def test_generate_hard_forum_is_deterministic_dense_and_all_required():
    from events.scheduling.generate import generate_hard_forum

    pb = generate_hard_forum(seed=3)
    assert pb == generate_hard_forum(seed=3) != generate_hard_forum(seed=4)
    loaded = load_problem(pb)
    assert all(m.required for m in loaded.meetings)
    counts: dict[str, int] = {}
    for m in loaded.meetings:
        for p in m.participants:
            counts[p] = counts.get(p, 0) + 1
    # Hubs have as many meetings as the morning has slots, give or take one.
    assert max(counts.values()) >= 12 - 1
    assert sum(1 for m in loaded.meetings if m.session) >= len(loaded.meetings) // 3


def test_generate_delegation_visits_add_sites_travel_and_group_visits():
    pb = generate_delegation(seed=5, visits=4)
    assert pb == generate_delegation(seed=5, visits=4)
    loaded = load_problem(pb)
    visits = [m for m in loaded.meetings if m.location]
    assert len(visits) == 4 and len(loaded.locations) == 4
    assert all(3 <= len(m.participants) <= 5 for m in visits)
    assert all(loaded.travel_minutes(loaded.slots[0].location, m.location) >= 0 for m in visits)
    base = generate_delegation(seed=5)  # visits only add to the same delegation
    assert pb["meetings"][: len(base["meetings"])] == base["meetings"]
    assert pb["slots"] == base["slots"] and pb["participants"] == base["participants"]
