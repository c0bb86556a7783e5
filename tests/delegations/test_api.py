"""The delegation API as members and staff use it; every route refuses another
organisation's member; list endpoints have fixed query counts."""

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from events.delegations import services
from events.delegations.models import DelegationApplication, MeetingRequest, ScheduleVersion
from tests.factories import OrganisationFactory, member
from tests.worlds import accept_and_host, with_requests

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_sme_applies_through_the_api_and_sees_only_its_applications(world):
    response = client_for(world.kenji).post(
        f"/api/v1/delegations/{world.delegation.pk}/apply/",
        {"objectives": "Tea and bamboo partners", "seeks": "distribution"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["organisation"]["name"], body["status"], body["objectives"]) == (
        "Kato Precision",
        "submitted",
        "Tea and bamboo partners",
    )
    services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Meet partners"
    )
    mine = client_for(world.kenji).get("/api/v1/delegation-applications/").json()
    assert [a["organisation"]["name"] for a in mine["results"]] == ["Kato Precision"]
    other = DelegationApplication.objects.get(organisation=world.mori)
    assert (
        client_for(world.kenji).get(f"/api/v1/delegation-applications/{other.pk}/").status_code
        == 404
    )
    assert (
        client_for(world.kenji)
        .post(f"/api/v1/delegation-applications/{other.pk}/withdraw/")
        .status_code
        == 404
    )


def test_apply_with_bad_input_is_a_400(world):
    response = client_for(world.asha).post(f"/api/v1/delegations/{world.delegation.pk}/apply/", {})
    assert response.status_code == 400
    assert response.json() == {
        "organisation": [
            "None of your organisations can travel with this delegation (it takes JP companies)."
        ]
    }


def test_draft_delegation_is_invisible_to_members(world):
    world.delegation.status = "draft"
    world.delegation.save()
    assert (
        client_for(world.kenji).get(f"/api/v1/delegations/{world.delegation.pk}/").status_code
        == 404
    )
    assert (
        client_for(world.staff).get(f"/api/v1/delegations/{world.delegation.pk}/").status_code
        == 200
    )


def test_staff_decide_and_members_cannot(world, on_commit, mailbox):
    application = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    url = f"/api/v1/delegation-applications/{application.pk}/decide/"
    assert client_for(world.kenji).post(url, {"status": "accepted"}).status_code == 403
    with on_commit():
        response = client_for(world.staff).post(url, {"status": "accepted", "note": "Welcome"})
    assert (response.status_code, response.json()["status"]) == (200, "accepted")
    assert len(mailbox.to("kenji@example.com")) == 1
    bulk = client_for(world.staff).post(
        "/api/v1/delegation-applications/decide/",
        {"applications": [application.pk], "status": "accepted"},
    )
    assert bulk.json() == {
        "done": 0,
        "errors": ["Kato Precision: The application is already accepted."],
    }


def test_meeting_requests_create_list_delete(world):
    accept_and_host(world)
    response = client_for(world.kenji).post(
        "/api/v1/delegation-requests/",
        {"delegation": world.delegation.pk, "to_organisation": world.sneha.pk, "priority": "high"},
    )
    assert response.status_code == 201
    request_id = response.json()["id"]
    # The recipient sees it; a third organisation does not.
    assert [
        r["id"]
        for r in client_for(world.asha).get("/api/v1/delegation-requests/").json()["results"]
    ] == [request_id]
    assert client_for(world.yuki).get("/api/v1/delegation-requests/").json()["results"] == []
    assert (
        client_for(world.yuki).get(f"/api/v1/delegation-requests/{request_id}/").status_code == 404
    )
    assert (
        client_for(world.yuki).delete(f"/api/v1/delegation-requests/{request_id}/").status_code
        == 404
    )
    # The recipient may not delete it; the requester may.
    assert (
        client_for(world.asha).delete(f"/api/v1/delegation-requests/{request_id}/").status_code
        == 403
    )
    assert (
        client_for(world.kenji).delete(f"/api/v1/delegation-requests/{request_id}/").status_code
        == 204
    )
    assert MeetingRequest.objects.count() == 0


def test_staff_pin_and_drop_requests(ready):
    request = MeetingRequest.objects.get(from_organisation=ready.mori)
    base = f"/api/v1/delegation-requests/{request.pk}"
    assert client_for(ready.yuki).post(f"{base}/drop/").status_code == 403
    pinned = client_for(ready.staff).post(f"{base}/pin/", {"day": ready.day1.pk, "start": "11:00"})
    assert (pinned.status_code, pinned.json()["pinned"]) == (
        200,
        {"day": ready.day1.pk, "date": "2026-02-10", "start": "11:00:00"},
    )
    bad = client_for(ready.staff).post(f"{base}/pin/", {"day": ready.day1.pk, "start": "10:45"})
    assert bad.status_code == 400
    assert client_for(ready.staff).post(f"{base}/drop/").json()["dropped"] is True


def test_staff_run_the_scheduler_and_read_the_status(ready, on_commit):
    url = f"/api/v1/delegations/{ready.delegation.pk}/schedules/"
    assert client_for(ready.kenji).post(url, {"time_limit": 5}).status_code == 403
    with on_commit():
        response = client_for(ready.staff).post(url, {"time_limit": 5})
    assert (response.status_code, response.json()["status"]) == (202, "queued")
    detail = client_for(ready.staff).get(f"{url}1/").json()
    assert (detail["status"], detail["solver_status"], len(detail["meetings"])) == (
        "done",
        "optimal",
        3,
    )
    assert client_for(ready.kenji).get(f"{url}1/").status_code == 403
    published = client_for(ready.staff).post(f"{url}1/publish/")
    assert published.status_code == 200
    assert published.json()["published_at"] is not None


def test_itinerary_json_and_ics(published):
    response = client_for(published.kenji).get(
        f"/api/v1/delegations/{published.delegation.pk}/itinerary/"
    )
    body = response.json()
    assert (body["organisation"]["name"], body["role"], body["version"]) == (
        "Kato Precision",
        "delegate",
        1,
    )
    assert [i["kind"] for i in body["items"]].count("meeting") == 2
    assert [i["title"] for i in body["items"] if i["kind"] == "activity"] == [
        "Briefing at JETRO Ahmedabad"
    ]
    site = "http://127.0.0.1:8000"
    assert body["ics_url"] == (
        f"{site}/api/v1/delegations/{published.delegation.pk}/itinerary.ics"
        f"?organisation={published.kato.pk}"
    )
    assert body["feed_url"].startswith(f"{site}/calendar/")
    assert body["feed_url"].endswith("/delegations.ics")
    ics = client_for(published.kenji).get(
        f"/api/v1/delegations/{published.delegation.pk}/itinerary.ics"
    )
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(ics.content)
    assert len(list(calendar.walk("VEVENT"))) == 3
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]
    # The personal feed carries the itinerary too.
    feed = client_for(published.kenji).get(body["feed_url"].replace("http://127.0.0.1:8000", ""))
    assert feed.status_code == 200
    assert len(list(icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))) == 3


def test_itinerary_of_another_organisation_is_a_404(published):
    url = f"/api/v1/delegations/{published.delegation.pk}/itinerary/"
    assert client_for(published.outsider).get(url).status_code == 404
    assert (
        client_for(published.yuki).get(f"{url}?organisation={published.kato.pk}").status_code == 404
    )
    # A host sees its own itinerary, with the delegates it meets.
    host = client_for(published.asha).get(url).json()
    assert (host["role"], sorted(i["title"] for i in host["items"])) == (
        "host",
        ["Kato Precision", "Mori Foods"],
    )


def test_hosts_are_visible_to_participants_only(ready):
    url = f"/api/v1/delegations/{ready.delegation.pk}/hosts/"
    names = [h["organisation"]["name"] for h in client_for(ready.kenji).get(url).json()["results"]]
    assert names == ["Assam Bamboo Works", "Sneha Tea Estates"]
    assert client_for(ready.outsider).get(url).status_code == 404
    assert client_for(ready.kenji).post(url, {"organisation": ready.sneha.pk}).status_code == 403
    added = client_for(ready.staff).post(
        url, {"organisation": OrganisationFactory(name="Guwahati Tea Co", country="IN").pk}
    )
    assert added.status_code == 201


def test_every_object_route_refuses_another_organisations_member(published):
    """A member of an organisation that takes no part gets a 404 (or 403 for staff
    routes) on every object route of the delegation."""
    stranger = member(organisation=OrganisationFactory(name="Stranger", country="JP"))
    c = client_for(stranger)
    d = published.delegation.pk
    application = DelegationApplication.objects.get(organisation=published.kato)
    request = MeetingRequest.objects.filter(from_organisation=published.kato).first()
    routes = [
        ("get", f"/api/v1/delegation-applications/{application.pk}/", 404),
        ("post", f"/api/v1/delegation-applications/{application.pk}/withdraw/", 404),
        ("post", f"/api/v1/delegation-applications/{application.pk}/decide/", 403),
        ("get", f"/api/v1/delegation-requests/{request.pk}/", 404),
        ("delete", f"/api/v1/delegation-requests/{request.pk}/", 404),
        ("post", f"/api/v1/delegation-requests/{request.pk}/pin/", 403),
        ("post", f"/api/v1/delegation-requests/{request.pk}/drop/", 403),
        ("post", f"/api/v1/delegation-requests/{request.pk}/restore/", 403),
        ("get", f"/api/v1/delegations/{d}/itinerary/", 404),
        ("get", f"/api/v1/delegations/{d}/itinerary.ics", 404),
        ("get", f"/api/v1/delegations/{d}/hosts/", 404),
        ("get", f"/api/v1/delegations/{d}/hosts/{published.host_sneha.pk}/", 404),
        ("delete", f"/api/v1/delegations/{d}/hosts/{published.host_sneha.pk}/", 403),
        ("get", f"/api/v1/delegations/{d}/schedules/", 403),
        ("post", f"/api/v1/delegations/{d}/schedules/", 403),
        ("get", f"/api/v1/delegations/{d}/schedules/1/", 403),
        ("post", f"/api/v1/delegations/{d}/schedules/1/publish/", 403),
    ]
    got = [(m, u, getattr(c, m)(u).status_code) for m, u, _ in routes]
    assert got == routes
    assert c.get("/api/v1/delegation-applications/").json()["results"] == []
    assert c.get("/api/v1/delegation-requests/").json()["results"] == []


def _more_world(w, n: int):
    """n more accepted Japanese delegates, each asking Sneha for a meeting."""
    for i in range(n):
        org = OrganisationFactory(name=f"Extra {i}", country="JP")
        user = member(organisation=org, platform=w.platform)
        app = services.application_submit(
            actor=user, delegation=w.delegation, objectives="Meet partners"
        )
        services.application_decide(actor=w.staff, application=app, status="accepted")
        services.meeting_request_create(
            actor=user, delegation=w.delegation, to_organisation=w.sneha
        )


@pytest.mark.parametrize("extra", [0, 4])
def test_list_query_counts_do_not_grow(world, django_assert_num_queries, extra):
    world.delegation.places = 10
    world.delegation.save()
    accept_and_host(world)
    with_requests(world)
    _more_world(world, extra)
    staff = client_for(world.staff)
    staff.get("/api/v1/")
    counts = {}
    for url in [
        "/api/v1/delegations/",
        "/api/v1/delegation-applications/",
        "/api/v1/delegation-requests/",
        f"/api/v1/delegations/{world.delegation.pk}/hosts/",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        counts[url.split("/")[-2]] = len(queries)
    assert counts == {
        "delegations": 7,
        # + the offered and sought capabilities (lists since the portal's part 2)
        "delegation-applications": 8,
        "delegation-requests": 4,
        "hosts": 9,
    }


def test_schedule_list_query_count(ready, on_commit, django_assert_num_queries):
    staff = client_for(ready.staff)
    staff.get("/api/v1/")
    for n in (1, 3):
        while ScheduleVersion.objects.count() < n:
            services.schedule_run(actor=ready.staff, delegation=ready.delegation, time_limit=1)
        with django_assert_num_queries(5):
            response = staff.get(f"/api/v1/delegations/{ready.delegation.pk}/schedules/")
        assert len(response.json()["results"]) == n


def test_apply_takes_capability_slugs_and_requires_objectives(world):
    url = f"/api/v1/delegations/{world.delegation.pk}/apply/"
    empty = client_for(world.yuki).post(url, {})
    assert (empty.status_code, empty.json()) == (
        400,
        {"objectives": ["Say what your organisation wants to achieve on this trip."]},
    )
    unknown = client_for(world.yuki).post(
        url, {"objectives": "Partners", "offers": ["time-travel"]}
    )
    assert (unknown.status_code, unknown.json()) == (
        400,
        {"offers": ["Object with slug=time-travel does not exist."]},
    )
    assert DelegationApplication.objects.count() == 0
    created = client_for(world.yuki).post(
        url,
        {"objectives": "Partners", "offers": ["licensing"], "seeks": ["distribution", "sourcing"]},
    )
    body = created.json()
    assert (created.status_code, body["offers"], sorted(body["seeks"])) == (
        201,
        ["licensing"],
        ["distribution", "sourcing"],
    )
    assert (body["offers_text"], body["seeks_text"]) == ("", "")


def test_requests_are_answered_through_the_api_and_show_mutual(ready):
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    url = f"/api/v1/delegation-requests/{mori.pk}/answer/"
    assert client_for(ready.yuki).post(url, {"answer": "accepted"}).status_code == 403
    assert client_for(ready.outsider).post(url, {"answer": "accepted"}).status_code == 404
    assert client_for(ready.asha).post(url, {"answer": "later"}).status_code == 400
    answered = client_for(ready.asha).post(url, {"answer": "declined"})
    assert (answered.status_code, answered.json()["answer"]) == (200, "declined")
    mine = client_for(ready.kenji).get("/api/v1/delegation-requests/").json()["results"]
    assert sorted((r["to_organisation"]["name"], r["mutual"]) for r in mine) == [
        ("Assam Bamboo Works", False),
        ("Kato Precision", True),
        ("Sneha Tea Estates", True),
    ]


def test_requests_are_read_only_through_the_api_after_the_deadline(ready):
    ready.delegation.requests_close_at = ready.delegation.created_at
    ready.delegation.save(update_fields=["requests_close_at"])
    created = client_for(ready.yuki).post(
        "/api/v1/delegation-requests/",
        {"delegation": ready.delegation.pk, "to_organisation": ready.bamboo.pk},
    )
    assert (created.status_code, created.json()) == (
        400,
        {"delegation": ["The deadline for meeting requests has passed."]},
    )
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    assert (
        client_for(ready.yuki).delete(f"/api/v1/delegation-requests/{mori.pk}/").status_code == 400
    )
    assert MeetingRequest.objects.filter(delegation=ready.delegation).count() == 4
