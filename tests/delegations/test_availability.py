"""When participants cannot meet: hosts and delegates mark slots of the grid, stored as
ranges, used by the problem builder (events/delegations/services/availability.py)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.delegations import selectors, services
from events.delegations.models import (
    DelegateUnavailability,
    Delegation,
    HostUnavailability,
)
from events.delegations.problem import build_problem

pytestmark = pytest.mark.django_db

T = dt.time


def _participant(problem: dict, organisation) -> dict:
    return next(p for p in problem["participants"] if p["organisation"] == organisation.pk)


def test_a_delegate_marks_slots_stored_as_merged_ranges(ready):
    stored = services.availability_set(
        actor=ready.kenji,
        delegation=ready.delegation,
        busy=[(ready.day1, T(11, 0)), (ready.day1, T(11, 30)), (ready.day2, T(9, 0))],
    )
    assert stored == 2
    ranges = DelegateUnavailability.objects.filter(application=ready.app_kato)
    assert [(r.day, r.start, r.end) for r in ranges] == [
        (ready.day1, T(11, 0), T(12, 0)),
        (ready.day2, T(9, 0), T(9, 30)),
    ]
    # The scheduler keeps those slots free for Kato (besides the briefing).
    kato = _participant(build_problem(ready.delegation), ready.kato)
    assert kato["unavailable"] == ["d1-0900", "d1-1100", "d1-1130", "d2-0900"]


def test_saving_again_replaces_the_marks(ready):
    services.availability_set(
        actor=ready.kenji, delegation=ready.delegation, busy=[(ready.day1, T(11, 0))]
    )
    services.availability_set(actor=ready.kenji, delegation=ready.delegation, busy=[])
    assert DelegateUnavailability.objects.count() == 0
    kato = _participant(build_problem(ready.delegation), ready.kato)
    assert kato["unavailable"] == ["d1-0900"]


def test_a_host_marks_slots_of_its_own_days_only(ready):
    services.availability_set(
        actor=ready.asha, delegation=ready.delegation, busy=[(ready.day1, T(9, 30))]
    )
    assert [(u.day, u.start, u.end) for u in HostUnavailability.objects.all()] == [
        (ready.day1, T(9, 30), T(10, 0))
    ]
    sneha = _participant(build_problem(ready.delegation), ready.sneha)
    assert "d1-0930" in sneha["unavailable"]
    with pytest.raises(ValidationError) as exc:
        services.availability_set(
            actor=ready.asha, delegation=ready.delegation, busy=[(ready.day2, T(9, 0))]
        )
    assert exc.value.message_dict == {
        "busy": ["11 Feb 2026, Guwahati is not one of your days in this delegation."]
    }
    assert HostUnavailability.objects.count() == 1


def test_only_slot_starts_can_be_marked(ready):
    with pytest.raises(ValidationError) as exc:
        services.availability_set(
            actor=ready.kenji, delegation=ready.delegation, busy=[(ready.day1, T(10, 30))]
        )
    assert exc.value.message_dict == {"busy": ["10:30 is not the start of a slot."]}


def test_outsiders_and_unaccepted_applicants_cannot_mark(world):
    with pytest.raises(ValidationError) as exc:
        services.availability_set(actor=world.kenji, delegation=world.delegation, busy=[])
    assert exc.value.message_dict == {
        "organisation": ["None of your organisations takes part in this delegation."]
    }


def test_availability_is_read_only_after_the_request_deadline(ready):
    Delegation.objects.filter(pk=ready.delegation.pk).update(
        requests_close_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ready.delegation.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.availability_set(
            actor=ready.kenji, delegation=ready.delegation, busy=[(ready.day1, T(11, 0))]
        )
    assert exc.value.message_dict == {
        "delegation": ["The deadline for meeting requests has passed."]
    }
    assert DelegateUnavailability.objects.count() == 0


def test_availability_grid_shows_marks_and_the_group_activity(ready):
    services.availability_set(
        actor=ready.kenji, delegation=ready.delegation, busy=[(ready.day2, T(11, 30))]
    )
    grid = selectors.availability_grid(delegation=ready.delegation, organisation=ready.kato)
    rows = [
        (entry["day"].city, s["start"], s["busy"], getattr(s["activity"], "title", None))
        for entry in grid
        for s in entry["slots"]
    ]
    assert rows[0] == ("Ahmedabad", T(9, 0), False, "Briefing at JETRO Ahmedabad")
    assert rows[-1] == ("Guwahati", T(11, 30), True, None)
    assert len(rows) == 10
    # A host sees only its days, and no group activity.
    host_grid = selectors.availability_grid(delegation=ready.delegation, organisation=ready.sneha)
    assert [e["day"] for e in host_grid] == [ready.day1]
    assert all(s["activity"] is None for s in host_grid[0]["slots"])
