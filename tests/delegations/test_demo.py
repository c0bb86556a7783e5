"""The delegation demo as a new user finds it: a published schedule with itineraries, and
an open delegation to apply to."""

import icalendar
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from events.delegations import demo as demo_delegations
from events.delegations.models import (
    Delegation,
    DelegationApplication,
    ScheduledMeeting,
    SiteVisit,
)
from events.scheduling import check
from members import demo as members_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently_with_a_published_schedule():
    members_demo.load()
    first = demo_delegations.load()
    assert demo_delegations.load() == first
    assert first["delegations"] == 2
    gujarat = Delegation.objects.get(slug="japan-sme-mission-gujarat-assam-2026")
    assert gujarat.status == "scheduled"
    version = gujarat.published_version
    # Solved within the 5 s demo limit: proven optimal on an idle machine, at least feasible.
    assert (version.status, version.publishable) == ("done", True)
    assert ScheduledMeeting.objects.filter(version=version).count() == first["scheduled meetings"]
    assert first["scheduled meetings"] > 10
    states = set(
        DelegationApplication.objects.filter(delegation=gujarat).values_list("status", flat=True)
    )
    assert states == {"accepted", "shortlisted", "submitted", "waitlisted", "rejected", "withdrawn"}
    assert gujarat.accepted_count == 10
    osaka = Delegation.objects.get(slug="india-semiconductor-mission-osaka-nagoya-2026")
    assert (osaka.status, osaka.published_version) == ("open", None)


def test_demo_kenji_downloads_the_itinerary():
    members_demo.load()
    demo_delegations.load()
    gujarat = Delegation.objects.get(slug="japan-sme-mission-gujarat-assam-2026")
    client = APIClient()
    client.force_login(get_user_model().objects.get(username="kenji"))
    response = client.get(f"/api/v1/delegations/{gujarat.pk}/itinerary.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert "Meeting: Sneha Farms Pvt. Ltd." in summaries
    assert "JETROアーメダバード ブリーフィング" in summaries  # kenji reads Japanese


def test_demo_has_site_visits_with_travel_times_in_the_schedule():
    members_demo.load()
    demo_delegations.load()
    gujarat = Delegation.objects.get(slug="japan-sme-mission-gujarat-assam-2026")
    visits = list(SiteVisit.objects.filter(delegation=gujarat).select_related("site"))
    assert [v.delegates.count() for v in visits] == [3, 2]
    assert [v.site.travel_minutes for v in visits] == [50, 45]
    assert [v.site.visitor_limit for v in visits] == [6, 4]
    assert visits[0].site.name.endswith("factory, Sanand")
    assert visits[1].site.name.endswith("tea estate near Guwahati")
    assert visits[0].delegates.filter(slug="mitsui-co").exists()
    problem = gujarat.published_version.problem
    assert sorted(loc["visitor_limit"] for loc in problem["locations"]) == [5, 7]
    assert {(t["to"], t["minutes"]) for t in problem["travel"]} == {
        (f"site-{visits[0].site_id}", 50),
        (f"site-{visits[1].site_id}", 45),
    }
    assert check(problem, gujarat.published_version.solution) == []
    # Both visits fit the 5 s demo run: one row per visitor, at the site, without a table.
    rows = ScheduledMeeting.objects.filter(version=gujarat.published_version, visit__isnull=False)
    assert sorted({(r.visit_id, r.table, r.venue) for r in rows}) == sorted(
        (v.pk, None, v.site.name) for v in visits
    )
