import re

import pytest
from django.test import Client

from events.models import Event, Registration
from tests.factories import EventFactory, PlatformFactory, member

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


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
