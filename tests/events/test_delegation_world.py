"""A small delegation world shared by the delegation tests, and tests of the problem
built from it (events/delegation_problem.py)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from events.delegations import services as services
from events.delegations.models import DelegationBreak, GroupActivity
from events.delegations.problem import DelegationProblemError, build_problem
from tests.factories import (
    DelegationDayFactory,
    DelegationFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    member,
)


def person(name: str, org_name: str, country: str, platform, language: str = "en"):
    """An organisation admin whose organisation is an approved member of `platform`."""
    organisation = OrganisationFactory(name=org_name, country=country)
    user = member(
        organisation=organisation,
        platform=platform if country == "JP" else None,
        username=name,
        email=f"{name}@example.com",
        profile__language=language,
    )
    return user, organisation


def build_world(*, places: int = 3, tables: int = 2) -> SimpleNamespace:
    """Japan → India, two days (Ahmedabad, Guwahati), grid 09:00–12:00 in 30-minute slots
    minus a 10:30 coffee break (5 slots a day); a briefing for the delegates 09:00–09:30
    on day 1. Two Japanese applicants (not yet decided), two Indian hosts (one per city)."""
    platform = PlatformFactory(slug="sme-forum", name="Japan–India SME Forum")
    delegation = DelegationFactory(
        platform=platform, places=places, title="Gujarat & Assam delegation"
    )
    day1 = DelegationDayFactory(
        delegation=delegation, date=dt.date(2026, 2, 10), city="Ahmedabad", tables=tables
    )
    day2 = DelegationDayFactory(
        delegation=delegation,
        date=dt.date(2026, 2, 11),
        city="Guwahati",
        venue="Assam Startup Hub",
        tables=tables,
    )
    DelegationBreak.objects.create(
        delegation=delegation, title="Coffee", start=dt.time(10, 30), end=dt.time(11, 0)
    )
    GroupActivity.objects.create(
        delegation=delegation,
        day=day1,
        start=dt.time(9, 0),
        end=dt.time(9, 30),
        title="Briefing at JETRO Ahmedabad",
    )
    kenji, kato = person("kenji", "Kato Precision", "JP", platform, "ja")
    yuki, mori = person("yuki", "Mori Foods", "JP", platform)
    asha, sneha = person("asha", "Sneha Tea Estates", "IN", platform)
    ravi, bamboo = person("ravi", "Assam Bamboo Works", "IN", platform)
    outsider, other = person("olga", "Other Org", "JP", platform)
    staff = StaffFactory(username="secretariat", email="secretariat@example.com")
    return SimpleNamespace(**locals())


def accept_and_host(w) -> SimpleNamespace:
    """Both Japanese firms applied and accepted; Sneha hosts in Ahmedabad (day 1),
    Assam Bamboo in Guwahati (day 2)."""
    w.app_kato = services.application_submit(
        actor=w.kenji, delegation=w.delegation, objectives="Find a tea partner"
    )
    w.app_mori = services.application_submit(actor=w.yuki, delegation=w.delegation)
    for app in (w.app_kato, w.app_mori):
        services.application_decide(actor=w.staff, application=app, status="accepted")
    w.host_sneha = services.host_add(
        actor=w.staff,
        delegation=w.delegation,
        organisation=w.sneha,
        days=[w.day1],
        representatives=[w.asha],
    )
    w.host_bamboo = services.host_add(
        actor=w.staff, delegation=w.delegation, organisation=w.bamboo, days=[w.day2]
    )
    return w


def with_requests(w) -> SimpleNamespace:
    """Kato ↔ Sneha mutual (must-meet + normal), Kato → Bamboo high, Mori → Sneha normal."""
    services.meeting_request_create(
        actor=w.kenji, delegation=w.delegation, to_organisation=w.sneha, priority="must_meet"
    )
    services.meeting_request_create(actor=w.asha, delegation=w.delegation, to_organisation=w.kato)
    services.meeting_request_create(
        actor=w.kenji, delegation=w.delegation, to_organisation=w.bamboo, priority="high"
    )
    services.meeting_request_create(actor=w.yuki, delegation=w.delegation, to_organisation=w.sneha)
    return w


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def ready(world):
    return with_requests(accept_and_host(world))


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
