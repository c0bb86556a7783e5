"""The scheduling problem built from a delegation (events/delegations/problem.py)."""

import datetime as dt

import pytest

from events.delegations import services
from events.delegations.problem import DelegationProblemError, build_problem
from tests.factories import DelegationFactory


def test_problem_slots_grid_minus_breaks(ready):
    problem = build_problem(ready.delegation)
    assert problem["format"] == "forum-schedule/1"
    assert [s["id"] for s in problem["slots"]] == [
        "d1-0900",
        "d1-0930",
        "d1-1000",
        "d1-1100",
        "d1-1130",
        "d2-0900",
        "d2-0930",
        "d2-1000",
        "d2-1100",
        "d2-1130",
    ]
    first = problem["slots"][0]
    assert (first["location"], first["tables"], first["starts_at"]) == (
        "ahmedabad",
        2,
        "2026-02-10T09:00:00+05:30",
    )


def test_problem_participants_unavailability_and_locations(ready):
    problem = build_problem(ready.delegation)
    by_id = {p["id"]: p for p in problem["participants"]}
    kato = by_id[f"org-{ready.kato.pk}"]
    assert (kato["unavailable"], kato["locations"]) == (["d1-0900"], None)
    sneha = by_id[f"org-{ready.sneha.pk}"]
    assert sneha["locations"] == ["ahmedabad"]
    assert sneha["unavailable"] == ["d2-0900", "d2-0930", "d2-1000", "d2-1100", "d2-1130"]
    assert f"org-{ready.other.pk}" not in by_id


def test_problem_meetings_merge_mutual_requests_and_weigh_them(ready):
    problem = build_problem(ready.delegation)
    meetings = {m["id"]: (m["weight"], m["mutual"], m["required"]) for m in problem["meetings"]}
    assert meetings == {
        f"m-{ready.kato.pk}-{ready.sneha.pk}": (10, True, False),
        f"m-{ready.kato.pk}-{ready.bamboo.pk}": (3, False, False),
        f"m-{ready.mori.pk}-{ready.sneha.pk}": (1, False, False),
    }


def test_problem_pinned_request_is_a_required_fixed_slot(ready):
    request = ready.delegation.meeting_requests.get(from_organisation=ready.mori)
    services.meeting_request_pin(
        actor=ready.staff, request=request, day=ready.day1, start=dt.time(11, 0)
    )
    meeting = next(m for m in build_problem(ready.delegation)["meetings"] if m["weight"] == 1)
    assert (meeting["fixed_slot"], meeting["required"]) == ("d1-1100", True)


def test_problem_dropped_request_is_left_out(ready):
    request = ready.delegation.meeting_requests.get(from_organisation=ready.mori)
    services.meeting_request_drop(actor=ready.staff, request=request)
    assert len(build_problem(ready.delegation)["meetings"]) == 2


def test_problem_without_days_is_refused(db):
    delegation = DelegationFactory()
    with pytest.raises(DelegationProblemError) as exc:
        build_problem(delegation)
    assert str(exc.value) == "The delegation has no days: add its days and cities."


def test_problem_leaves_out_declined_requests_unless_asked_both_ways(ready):
    mori = ready.delegation.meeting_requests.get(from_organisation=ready.mori)
    services.meeting_request_answer(actor=ready.asha, request=mori, answer="declined")
    kato = ready.delegation.meeting_requests.get(
        from_organisation=ready.kato, to_organisation=ready.sneha
    )
    services.meeting_request_answer(actor=ready.asha, request=kato, answer="declined")
    meetings = {
        m["id"]: (m["weight"], m["mutual"]) for m in build_problem(ready.delegation)["meetings"]
    }
    # Sneha still asked Kato herself: that request stands (normal, no longer mutual).
    assert meetings == {
        f"m-{ready.kato.pk}-{ready.sneha.pk}": (1, False),
        f"m-{ready.kato.pk}-{ready.bamboo.pk}": (3, False),
    }
