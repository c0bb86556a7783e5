import re

import pytest
from django.test import Client

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory, PlatformFactory, StaffFactory, member

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


def test_admin_actions_publish_cancel_and_export(mailbox, on_commit):
    staff = StaffFactory(is_superuser=True)
    client = logged_in(staff)
    draft = EventFactory(status="draft", title="Draft forum")
    live = EventFactory(title="Live forum", capacity=1)
    services.registration_create(actor=member(email="a@sme.example"), event=live)
    services.registration_create(actor=member(email="b@sme.example"), event=live)
    mailbox.clear()
    client.post("/admin/events/event/", {"action": "publish", "_selected_action": [draft.pk]})
    assert Event.objects.get(pk=draft.pk).status == "published"
    response = client.post(
        "/admin/events/event/", {"action": "export_attendees", "_selected_action": [live.pk]}
    )
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Live forum,")
    with on_commit():
        client.post(
            "/admin/events/event/", {"action": "cancel_events", "_selected_action": [live.pk]}
        )
    assert Event.objects.get(pk=live.pk).status == "cancelled"
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "a@sme.example",
        "b@sme.example",
    ]
    assert client.get(f"/admin/events/event/{live.pk}/change/").status_code == 200
    assert client.get("/admin/events/registration/").status_code == 200


def test_admin_change_capacity_promotes_and_refuses_below_taken(on_commit):
    staff = StaffFactory(is_superuser=True)
    client = logged_in(staff)
    event = EventFactory(capacity=1)
    for _ in range(3):
        services.registration_create(actor=member(), event=event)
    form = client.get(f"/admin/events/event/{event.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
            "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
            "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
            "platform": event.platform_id,
            "capacity": 0,
            "registrations-TOTAL_FORMS": 3,
            "registrations-INITIAL_FORMS": 3,
            "registrations-MIN_NUM_FORMS": 0,
            "registrations-MAX_NUM_FORMS": 1000,
        }
    )
    for n, pk in enumerate(
        Registration.objects.filter(event=event)
        .order_by("status", "waitlist_position", "created_at")
        .values_list("pk", flat=True)
    ):
        data[f"registrations-{n}-id"] = pk
        data[f"registrations-{n}-event"] = event.pk
    data.pop("registration_opens_at", None)
    data.pop("registration_closes_at", None)
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 200
    assert "1 people are already confirmed" in text(response)
    data["capacity"] = 2
    with on_commit():
        response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken, event.waitlist_length) == (2, 2, 1)


def test_admin_check_in_marks_confirmed_and_reports_refusals():
    client = logged_in(StaffFactory(is_superuser=True))
    event = EventFactory(capacity=1)
    confirmed = services.registration_create(actor=member(), event=event)
    waitlisted = services.registration_create(actor=member(), event=event)
    response = client.post(
        "/admin/events/registration/",
        {"action": "check_in", "_selected_action": [confirmed.pk, waitlisted.pk]},
        follow=True,
    )
    notes = [str(m) for m in response.context["messages"]]
    assert notes[-1] == "1 registration(s) checked in."
    assert len(notes) == 2 and notes[0].startswith(f"{waitlisted}: ")
    assert Registration.objects.get(pk=confirmed.pk).status == "attended"
    assert Registration.objects.get(pk=waitlisted.pk).status == "waitlisted"
