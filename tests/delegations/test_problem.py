"""The scheduling problem built from a delegation (events/delegations/problem.py)."""

import datetime as dt

import pytest

from events.delegations import services
from events.delegations.models import ScheduledMeeting
from events.delegations.problem import DelegationProblemError, build_problem
from events.scheduling import load_problem
from tests.factories import DelegationFactory
from tests.worlds import with_visit


def check_problem(problem: dict) -> None:
    """The scheduler reads the problem (raises ProblemError otherwise)."""
    load_problem(problem)


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


def test_problem_site_visit_is_a_group_meeting_at_the_site_with_travel(ready):
    w = with_visit(ready)
    problem = build_problem(w.delegation)
    site = f"site-{w.estate.pk}"
    # The visitor limit counts delegates; the contract counts the host firm too.
    assert problem["locations"] == [
        {"id": site, "name": "Sneha tea estate, Sanand", "visitor_limit": 3}
    ]
    assert problem["travel"] == [{"from": "ahmedabad", "to": site, "minutes": 40}]
    visit = next(m for m in problem["meetings"] if m["id"] == f"v-{w.visit.pk}")
    assert (visit["participants"], visit["location"], visit["weight"]) == (
        [f"org-{w.kato.pk}", f"org-{w.mori.pk}", f"org-{w.sneha.pk}"],
        site,
        6,
    )
    assert "previous" not in problem


def test_problem_without_sites_has_no_visit_keys(ready):
    assert {"locations", "travel", "previous"} & set(build_problem(ready.delegation)) == set()


def test_problem_visit_without_accepted_visitors_is_left_out(ready):
    w = with_visit(ready)
    for application in (w.app_kato, w.app_mori):
        services.application_decide(actor=w.staff, application=application, status="rejected")
    assert [m["id"] for m in build_problem(w.delegation)["meetings"]] == []


def test_problem_after_publication_lists_previous_and_locked_meetings(published):
    w = published
    w.delegation.refresh_from_db()
    kato_sneha = ScheduledMeeting.objects.get(version=w.version, delegate=w.kato, host=w.sneha)
    services.scheduled_meeting_lock(
        actor=w.staff, meetings=ScheduledMeeting.objects.filter(pk=kato_sneha.pk), locked=True
    )
    problem = build_problem(w.delegation)
    rows = ScheduledMeeting.objects.filter(version=w.version)
    assert sorted((p["meeting"], p["slot"]) for p in problem["previous"]) == sorted(
        (f"m-{r.delegate_id}-{r.host_id}", r.slot) for r in rows
    )
    locked = [m["id"] for m in problem["meetings"] if m.get("locked")]
    assert locked == [f"m-{w.kato.pk}-{w.sneha.pk}"]
    assert check_problem(problem) is None


def test_problem_pin_elsewhere_wins_over_a_lock(published):
    w = published
    w.delegation.refresh_from_db()
    kato_sneha = ScheduledMeeting.objects.get(version=w.version, delegate=w.kato, host=w.sneha)
    services.scheduled_meeting_lock(
        actor=w.staff, meetings=ScheduledMeeting.objects.filter(pk=kato_sneha.pk), locked=True
    )
    request = w.delegation.meeting_requests.get(from_organisation=w.kato, to_organisation=w.sneha)
    other = "11:30" if kato_sneha.slot != "d1-1130" else "11:00"
    services.meeting_request_pin(
        actor=w.staff, request=request, day=w.day1, start=dt.time.fromisoformat(other)
    )
    meetings = {m["id"]: m for m in build_problem(w.delegation)["meetings"]}
    meeting = meetings[f"m-{w.kato.pk}-{w.sneha.pk}"]
    assert (meeting["fixed_slot"], meeting.get("locked", False)) == (
        f"d1-{other.replace(':', '')}",
        False,
    )
