"""The delegation demo as a new user finds it: a published schedule with itineraries, and
an open delegation to apply to."""

import icalendar
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from events.delegations import demo as demo_delegations
from events.delegations.models import Delegation, DelegationApplication, ScheduledMeeting
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
