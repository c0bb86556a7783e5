import datetime as dt
import json
import re

import pytest
from django.test import Client

from events import services
from events.models import Event, Registration
from members.models import Sector
from tests.factories import EventFactory, OrganisationFactory, PlatformFactory, member
from tests.pages import logged_in, text

pytestmark = pytest.mark.django_db


def test_event_list_page_shows_upcoming_public_events():
    EventFactory(title="Osaka clean energy forum", capacity=3)
    EventFactory(title="Secret draft", status="draft")
    response = Client().get("/events/")
    assert response.status_code == 200
    body = text(response)
    assert "Osaka clean energy forum" in body
    assert "3 seats left" in body
    assert "Secret draft" not in body


def test_event_list_page_in_japanese_uses_japanese_titles():
    EventFactory(title="Council meeting", title_ja="評議会会合")
    response = Client().get("/events/", headers={"accept-language": "ja"})
    assert "評議会会合" in text(response)


def test_event_detail_register_and_cancel_buttons():
    event = EventFactory(capacity=1, title="Pitch clinic")
    person = member()
    client = logged_in(person)
    assert "Register" in text(client.get(f"/events/{event.pk}/"))
    response = client.post(f"/events/{event.pk}/", {"action": "register"}, follow=True)
    assert "You are confirmed." in text(response)
    assert "Your registration: confirmed" in text(response)
    other = logged_in(member())
    response = other.post(f"/events/{event.pk}/", {"action": "register"}, follow=True)
    assert "You are number 1 on the waitlist" in text(response)
    assert "Your registration: waitlisted — waitlist position 1" in text(response)
    response = client.post(f"/events/{event.pk}/", {"action": "cancel"}, follow=True)
    assert "Your registration is cancelled." in text(response)
    assert Registration.objects.get(event=event, status="confirmed").user != person


def test_event_detail_errors_are_shown_not_raised():
    platform = PlatformFactory(name="Business Council")
    event = EventFactory(platform=platform, visibility="members")
    response = logged_in(member(platform=platform)).post(
        f"/events/{event.pk}/", {"action": "register"}, follow=True
    )
    assert "You are confirmed." in text(response)
    Event.objects.filter(pk=event.pk).update(status="cancelled")
    response = logged_in(member(platform=platform)).post(
        f"/events/{event.pk}/", {"action": "register"}, follow=True
    )
    assert "This event has been cancelled." in text(response)


def test_event_detail_anonymous_gets_login_link():
    event = EventFactory()
    body = Client().get(f"/events/{event.pk}/").content.decode()
    assert f'href="/accounts/login/?next=/events/{event.pk}/"' in body
    assert Client().get("/accounts/login/").status_code == 200


# --- The list ----------------------------------------------------------------------------


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def listed(response) -> list[str]:
    return [event.title for event in response.context["events"]]


def test_event_list_groups_by_month_of_the_readers_calendar():
    EventFactory(title="December forum", starts_at=at("2030-12-05T04:30"))
    # 20:00 UTC on 31 December is already 1 January in India (and in Japan).
    EventFactory(title="New Year pitch", starts_at=at("2030-12-31T20:00"), city="Osaka")
    response = Client().get("/events/")
    assert [
        (month["label"], [row["event"].title for row in month["rows"]])
        for month in response.context["months"]
    ] == [("December 2030", ["December forum"]), ("January 2031", ["New Year pitch"])]
    body = text(response)
    assert "5 Thu December forum" in body
    assert "05 Dec 2030 10:00 (Asia/Kolkata) · Ahmedabad" in body
    assert "1 Wed New Year pitch" in body
    assert "01 Jan 2031 01:30 (Asia/Kolkata) · Osaka" in body
    japanese = text(Client().get("/events/", headers={"accept-language": "ja"}))
    assert "2030年12月" in japanese and "2031年1月" in japanese
    assert "1 （水） New Year pitch" in japanese
    assert "2031年01月01日 05:00 (Asia/Tokyo) · Osaka" in japanese


FILTERS = [
    {"platform": "startup-hub"},
    {"kind": "webinar"},
    {"city": "osaka"},
    {"country": "JP"},
    {"sector": "robotics"},
    {"has_free_seats": "true"},
    {"search": "pitch"},
    {"search": "ピッチ"},
    {"starts_after": "2030-05-02", "starts_before": "2030-05-31"},
]


@pytest.mark.parametrize("query", FILTERS)
def test_event_list_filters_are_the_apis(query):
    hub = PlatformFactory(slug="startup-hub")
    full = EventFactory(
        title="Full pitch",
        title_ja="満席のピッチ",
        platform=hub,
        capacity=1,
        city="Osaka",
        country="JP",
        kind="pitch_session",
        starts_at=at("2030-05-01T01:00"),
    )
    full.sectors.add(*Sector.objects.filter(slug="robotics"))
    services.registration_create(actor=member(), event=full)
    EventFactory(
        title="Open webinar", kind="webinar", capacity=None, starts_at=at("2030-05-20T09:00")
    )
    EventFactory(title="Forum in Pune", city="Pune", starts_at=at("2030-06-01T04:30"))
    api = [e["title"] for e in Client().get("/api/v1/events/", query).json()["results"]]
    page = Client().get("/events/", query)
    assert page.status_code == 200
    assert listed(page) == api
    assert 0 < len(api) < 3


def test_event_list_bad_filter_value_is_a_field_error():
    EventFactory(title="Forum in Pune")
    response = Client().get("/events/", {"starts_after": "tomorrow", "kind": "party"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "starts_after": ["Enter a valid date."],
        "kind": ["Select a valid choice. party is not one of the available choices."],
    }
    body = response.content.decode()
    assert 'aria-describedby="id_starts_after_errors"' in body
    assert 'aria-invalid="true"' in body
    assert listed(response) == []
    assert "Correct the filters to see events." in text(response)
    # The same value in the API is a 400 too (one filter class).
    assert Client().get("/api/v1/events/", {"starts_after": "tomorrow"}).status_code == 400


def test_event_list_shows_members_only_events_to_outsiders_with_a_way_to_join():
    council = PlatformFactory(name="Business Council", slug="business-council")
    EventFactory(title="Council meeting", platform=council, visibility="members")
    EventFactory(title="Secret draft", status="draft")
    EventFactory(title="Invited roundtable", visibility="invitation")
    anonymous = Client().get("/events/")
    assert listed(anonymous) == ["Council meeting"]
    assert "Members of Business Council only — join (Council meeting)" in text(anonymous)
    assert 'href="/accounts/signup/">join' in anonymous.content.decode()
    outsider = logged_in(member()).get("/events/")
    assert 'href="/#join">join' in outsider.content.decode()
    insider = logged_in(member(platform=council)).get("/events/")
    assert "Members of Business Council only" not in text(insider)
    assert "Members only" in text(insider)


def test_event_list_pages_keep_the_filters():
    for n in range(23):
        EventFactory(
            title=f"Forum {n:02}",
            city="Pune",
            starts_at=at("2030-01-01T04:30") + dt.timedelta(days=n),
        )
    EventFactory(title="Elsewhere", city="Kobe")
    first = Client().get("/events/", {"city": "pune"})
    assert len(listed(first)) == 20
    assert 'href="?city=pune&amp;page=2"' in first.content.decode()
    second = Client().get("/events/", {"city": "pune", "page": 2})
    assert listed(second) == ["Forum 20", "Forum 21", "Forum 22"]
    assert "23 events · page 2 of 2" in text(second)


@pytest.mark.parametrize("rows", [1, 20])
def test_event_list_query_count_is_constant(rows, django_assert_num_queries):
    platform = PlatformFactory()
    for _ in range(rows):
        EventFactory(platform=platform, visibility="members").sectors.add(1, 2)
    client = logged_in(member(platform=platform))
    # session, user, unread badge, my platforms, platform and sector choices, count, page
    with django_assert_num_queries(8):
        response = client.get("/events/", {"search": "Event", "has_free_seats": "true"})
    assert len(listed(response)) == rows


# --- An event ----------------------------------------------------------------------------


def test_event_detail_shows_times_in_the_events_zone_and_the_readers():
    event = EventFactory(
        title="Chennai forum", starts_at=at("2030-03-10T04:30"), time_zone="Asia/Kolkata"
    )
    english = text(Client().get(f"/events/{event.pk}/"))
    assert "When 10 Mar 2030, 10:00–13:00 (Asia/Kolkata) Where" in english
    japanese = text(Client().get(f"/events/{event.pk}/", headers={"accept-language": "ja"}))
    assert (
        "日時 2030年03月10日 10:00～13:00 (Asia/Kolkata) · お使いのタイムゾーンでは "
        "13:30～16:30 (Asia/Tokyo) 会場"
    ) in japanese
    tokyo = member(profile__time_zone="Asia/Tokyo")
    assert "· 13:30–16:30 in your time zone (Asia/Tokyo)" in text(
        logged_in(tokyo).get(f"/events/{event.pk}/")
    )


def test_event_detail_describes_the_event_for_search_engines_and_link_previews():
    event = EventFactory(
        title="Osaka clean energy forum",
        title_ja="大阪クリーンエネルギー・フォーラム",
        description="Hydrogen & <storage>",
        starts_at=at("2030-03-10T01:00"),
        time_zone="Asia/Tokyo",
        venue="Grand Front",
        city="Osaka",
        country="JP",
        capacity=50,
    )
    body = Client().get(f"/events/{event.pk}/").content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert "<storage>" not in script
    data = json.loads(script)
    assert {k: data[k] for k in ("@type", "name", "startDate", "endDate", "eventStatus")} == {
        "@type": "Event",
        "name": "Osaka clean energy forum",
        "startDate": "2030-03-10T10:00:00+09:00",
        "endDate": "2030-03-10T13:00:00+09:00",
        "eventStatus": "https://schema.org/EventScheduled",
    }
    assert data["description"] == "Hydrogen & <storage>"
    assert data["location"] == {
        "@type": "Place",
        "name": "Grand Front",
        "address": {"@type": "PostalAddress", "addressCountry": "JP", "addressLocality": "Osaka"},
    }
    assert (data["maximumAttendeeCapacity"], data["remainingAttendeeCapacity"]) == (50, 50)
    assert '<meta property="og:title" content="Osaka clean energy forum">' in body
    assert f'<meta property="og:url" content="http://127.0.0.1:8000/events/{event.pk}/">' in body
    japanese = Client().get(f"/events/{event.pk}/", headers={"accept-language": "ja"})
    assert '<meta property="og:title" content="大阪クリーンエネルギー・フォーラム">' in (
        japanese.content.decode()
    )


def test_event_detail_members_only_says_who_may_register_and_how_to_join():
    council = PlatformFactory(name="Business Council")
    event = EventFactory(title="Council meeting", platform=council, visibility="members")
    anonymous = Client().get(f"/events/{event.pk}/")
    assert "Members of Business Council only — log in or join to register." in text(anonymous)
    outsider = text(logged_in(member()).get(f"/events/{event.pk}/"))
    assert (
        "Members of Business Council only: none of your organisations is an approved member "
        "yet. How to join"
    ) in outsider
    assert "Register" not in outsider.split("Registration", 2)[-1]
    insider = logged_in(member(platform=council)).get(f"/events/{event.pk}/")
    assert "How to join" not in text(insider)
    assert '<button class="btn btn-primary" type="submit">Register</button>' in (
        insider.content.decode()
    )


def test_event_detail_organisation_chooser_and_its_field_errors():
    council = PlatformFactory(name="Business Council")
    event = EventFactory(platform=council, visibility="members", capacity=5)
    person = member(platform=council, organisation=OrganisationFactory(name="Kato Precision"))
    person.affiliations.create(organisation=OrganisationFactory(name="Mori Foods"), role="admin")
    client = logged_in(person)
    # Only the member organisation may register: no choice to make, it is used.
    assert "Registering for" not in text(client.get(f"/events/{event.pk}/"))
    client.post(f"/events/{event.pk}/", {"action": "register"})
    assert Registration.objects.get().organisation.name == "Kato Precision"
    Registration.objects.all().delete()
    Event.objects.filter(pk=event.pk).update(visibility="public", seats_taken=0)
    body = client.get(f"/events/{event.pk}/").content.decode()
    assert '<option value="" selected>Choose an organisation</option>' in body
    response = client.post(f"/events/{event.pk}/", {"action": "register"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"organisation": ["This field is required."]}
    assert 'aria-describedby="id_organisation_errors"' in response.content.decode()
    stranger = OrganisationFactory()
    response = client.post(
        f"/events/{event.pk}/", {"action": "register", "organisation": stranger.pk}
    )
    assert response.context["form"].errors["organisation"][0].startswith("Select a valid choice.")
    assert not Registration.objects.exists()
    mori = person.affiliations.get(organisation__name="Mori Foods").organisation
    response = client.post(
        f"/events/{event.pk}/", {"action": "register", "organisation": mori.pk}, follow=True
    )
    assert "You are confirmed." in text(response)
    assert "For Mori Foods." in text(response)


def test_event_detail_invitation_only_says_so():
    event = EventFactory(visibility="invitation")
    guest = member()
    services.registration_create(actor=guest, event=event, via_invitation=True)
    assert "This event is by invitation only." in text(logged_in(guest).get(f"/events/{event.pk}/"))
    assert Client().get(f"/events/{event.pk}/").status_code == 404


def test_event_detail_in_japanese():
    event = EventFactory(title="Pitch clinic", title_ja="ピッチ・クリニック", capacity=1)
    services.registration_create(actor=member(), event=event)
    person = member(profile__language="ja")
    response = logged_in(person).post(f"/events/{event.pk}/", {"action": "register"}, follow=True)
    body = text(response)
    assert "満席のため、キャンセル待ち 1 番目で登録しました。" in body
    assert "登録状況: キャンセル待ち — キャンセル待ち 1 番目" in body
    assert "ピッチ・クリニック" in body


@pytest.mark.parametrize("rows", [1, 6])
def test_event_detail_query_count_is_constant(rows, django_assert_num_queries):
    platform = PlatformFactory()
    event = EventFactory(platform=platform, visibility="members")
    event.sectors.add(*Sector.objects.all()[:rows])
    person = member(platform=platform)
    for _ in range(rows):
        organisation = OrganisationFactory()
        event.organiser_organisations.add(organisation)
        person.affiliations.create(organisation=organisation, role="admin")
        services.registration_create(actor=member(platform=platform), event=event)
    client = logged_in(person)
    # session, user, unread badge, event, sectors, organisers, my registration, my organisations, which
    # of them may register
    with django_assert_num_queries(9):
        response = client.get(f"/events/{event.pk}/")
    assert len(response.context["event"].sectors.all()) == rows
