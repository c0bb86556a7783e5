"""My events: cancelling with a confirmation step, my registrations, my calendar feed."""

import pytest
from django.test import Client

from events import services
from events.models import CalendarFeedToken, Registration
from tests.factories import EventFactory, member
from tests.pages import logged_in, text

pytestmark = pytest.mark.django_db


def test_cancelling_asks_first_then_frees_the_seat(on_commit, mailbox):
    event = EventFactory(title="Pitch clinic", capacity=1)
    first = member()
    second = member(email="second@sme.example")
    with on_commit():
        mine = services.registration_create(actor=first, event=event)
        services.registration_create(actor=second, event=event)
    client = logged_in(first)
    detail = client.get(f"/events/{event.pk}/").content.decode()
    assert f'href="/events/{event.pk}/cancel/">Cancel my registration…</a>' in detail
    assert 'value="cancel"' not in detail  # no one-click cancel button
    confirm = client.get(f"/events/{event.pk}/cancel/")
    assert "If you cancel, your seat goes to the first person on the waitlist." in text(confirm)
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"
    mailbox.clear()
    with on_commit():
        response = client.post(f"/events/{event.pk}/cancel/", follow=True)
    assert response.redirect_chain == [(f"/events/{event.pk}/", 302)]
    assert "Your registration is cancelled." in text(response)
    assert Registration.objects.get(pk=mine.pk).status == "cancelled"
    assert Registration.objects.get(user=second).status == "confirmed"
    assert [m["Subject"] for m in mailbox.to("second@sme.example")] == [
        "A seat became free: you are confirmed for Pitch clinic"
    ]


def test_cancel_page_goes_back_where_it_came_from_but_only_on_this_site():
    event = EventFactory()
    person = member()
    services.registration_create(actor=person, event=event)
    client = logged_in(person)
    page = client.get(f"/events/{event.pk}/cancel/", {"next": "https://evil.example/"})
    assert page.context["back"] == f"/events/{event.pk}/"
    response = client.post(f"/events/{event.pk}/cancel/", {"next": "/account/events/"})
    assert response["Location"] == "/account/events/"
    again = client.get(f"/events/{event.pk}/cancel/", follow=True)
    assert again.redirect_chain == [(f"/events/{event.pk}/", 302)]
    assert "You are not registered for this event." in text(again)
    response = client.post(f"/events/{event.pk}/cancel/", follow=True)
    assert "You are not registered for this event." in text(response)


def test_cancel_page_needs_login_and_a_visible_event():
    event = EventFactory()
    response = Client().get(f"/events/{event.pk}/cancel/")
    assert response["Location"] == f"/accounts/login/?next=/events/{event.pk}/cancel/"
    hidden = EventFactory(visibility="invitation")
    assert logged_in(member()).get(f"/events/{hidden.pk}/cancel/").status_code == 404


@pytest.mark.parametrize("rows", [1, 15])
def test_cancel_page_query_count_is_constant(rows, django_assert_num_queries):
    event = EventFactory(capacity=1)
    person = member()
    services.registration_create(actor=person, event=event)
    for _ in range(rows):
        services.registration_create(actor=member(), event=event)
    client = logged_in(person)
    # session, user, unread badge, event, sectors, organisers, my registration
    with django_assert_num_queries(7):
        response = client.get(f"/events/{event.pk}/cancel/")
    assert response.status_code == 200


def test_my_registrations_lists_states_and_cancel_links():
    person = member()
    soon = EventFactory(title="Soon", capacity=1)
    services.registration_create(actor=member(), event=soon)
    services.registration_create(actor=person, event=soon)
    later = EventFactory(title="Later")
    services.registration_create(actor=person, event=later)
    dropped = EventFactory(title="Dropped")
    services.registration_cancel(
        actor=person, registration=services.registration_create(actor=person, event=dropped)
    )
    response = logged_in(person).get("/account/events/")
    assert [r.event.title for r in response.context["upcoming"]] == ["Soon", "Later"]
    assert [r.event.title for r in response.context["history"]] == ["Dropped"]
    body = text(response)
    assert "Soon" in body and "Waitlisted waitlist position 1" in body
    assert f'href="/events/{soon.pk}/cancel/?next=/account/events/"' in response.content.decode()


def test_my_registrations_offers_the_calendar_feed_and_replaces_it():
    person = member()
    event = EventFactory(title="Chennai forum")
    services.registration_create(actor=person, event=event)
    client = logged_in(person)
    feed = client.get("/account/events/").context["feed"]
    token = CalendarFeedToken.objects.get(user=person).token
    assert feed == {
        "url": f"http://127.0.0.1:8000/calendar/{token}.ics",
        "webcal": f"webcal://127.0.0.1:8000/calendar/{token}.ics",
        "google": "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F127.0.0.1%3A8000"
        f"%2Fcalendar%2F{token}.ics",
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2F127.0.0.1"
        f"%3A8000%2Fcalendar%2F{token}.ics&name=My%20SME%20Platform%20events",
        "office": "https://outlook.office.com/calendar/0/addfromweb?url=http%3A%2F%2F127.0.0.1"
        f"%3A8000%2Fcalendar%2F{token}.ics&name=My%20SME%20Platform%20events",
    }
    assert b"SUMMARY:Chennai forum" in Client().get(f"/calendar/{token}.ics").content
    assert client.get("/account/events/feed/replace/").status_code == 405
    response = client.post("/account/events/feed/replace/", follow=True)
    assert "Your calendar feed has a new address" in text(response)
    new = CalendarFeedToken.objects.get(user=person).token
    assert new != token
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
    assert Client().get(f"/calendar/{new}.ics").status_code == 200


def test_my_registrations_needs_login():
    assert Client().get("/account/events/")["Location"] == "/accounts/login/?next=/account/events/"
    assert Client().post("/account/events/feed/replace/").status_code == 302
    assert not CalendarFeedToken.objects.exists()


def test_my_registrations_in_japanese():
    person = member(profile__language="ja", profile__time_zone="Asia/Tokyo")
    services.registration_create(actor=person, event=EventFactory(title_ja="評議会会合"))
    body = text(logged_in(person).get("/account/events/"))
    assert "マイイベント" in body and "評議会会合" in body and "確定" in body
    assert "Google カレンダーに追加" in body


@pytest.mark.parametrize("rows", [1, 15])
def test_my_registrations_query_count_is_constant(rows, django_assert_num_queries):
    person = member()
    for n in range(rows):
        registration = services.registration_create(actor=person, event=EventFactory())
        if n % 2:
            services.registration_cancel(actor=person, registration=registration)
    client = logged_in(person)
    client.get("/account/events/")  # the feed token is made on the first visit
    # session, user, unread badge, feed token, upcoming, past and cancelled
    with django_assert_num_queries(6):
        response = client.get("/account/events/")
    assert len(response.context["upcoming"]) + len(response.context["history"]) == rows
