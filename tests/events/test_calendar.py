import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.test import Client

from events import services
from events.calendar import build_calendar, build_vevent, event_ics, uid_for
from tests.factories import EventFactory, PlatformFactory, StaffFactory, member

pytestmark = pytest.mark.django_db


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_event_ics_parses_back_with_tzid_start_uid_and_sequence():
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    event = EventFactory(
        title="Council meeting",
        time_zone="Asia/Tokyo",
        venue="JETRO",
        city="Tokyo",
        starts_at=dt.datetime(2026, 12, 24, 14, 0, tzinfo=tokyo),
        ends_at=dt.datetime(2026, 12, 24, 17, 0, tzinfo=tokyo),
    )
    calendar = parse(event_ics(event))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert vevent.decoded("DTSTART") == dt.datetime(2026, 12, 24, 14, 0, tzinfo=tokyo)
    assert vevent.decoded("DTSTART").utcoffset() == dt.timedelta(hours=9)
    assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert vevent["SEQUENCE"] == 0
    assert str(vevent["LOCATION"]) == "JETRO, Tokyo"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]

    services.event_update(
        actor=StaffFactory(), event=event, starts_at=event.starts_at + dt.timedelta(hours=1)
    )
    (updated,) = parse(event_ics(event)).walk("VEVENT")
    assert str(updated["UID"]) == str(vevent["UID"])
    assert updated["SEQUENCE"] == 1
    assert updated.decoded("DTSTART") == dt.datetime(2026, 12, 24, 15, 0, tzinfo=tokyo)

    services.event_cancel(actor=StaffFactory(), event=event)
    (cancelled,) = parse(event_ics(event)).walk("VEVENT")
    assert (str(cancelled["STATUS"]), cancelled["SEQUENCE"]) == ("CANCELLED", 2)


def test_build_calendar_from_plain_values_has_one_vtimezone_per_zone():
    start = dt.datetime(2027, 1, 10, 4, 30, tzinfo=dt.UTC)
    vevents = [
        build_vevent(
            uid=uid_for("visit", n),
            summary=f"Visit {n}",
            start=start,
            end=start + dt.timedelta(hours=2),
            time_zone=tz,
        )
        for n, tz in enumerate(["Asia/Kolkata", "Asia/Kolkata", "Asia/Tokyo"])
    ]
    calendar = parse(build_calendar(vevents, name="Delegation").to_ical())
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "Asia/Kolkata",
        "Asia/Tokyo",
    ]
    assert [e.decoded("DTSTART").isoformat() for e in calendar.walk("VEVENT")] == [
        "2027-01-10T10:00:00+05:30",
        "2027-01-10T10:00:00+05:30",
        "2027-01-10T13:30:00+09:00",
    ]
    assert str(calendar["X-WR-CALNAME"]) == "Delegation"


def test_personal_feed_lists_confirmed_registrations_only():
    person = member()
    confirmed = EventFactory(title="Confirmed one", capacity=5)
    full = EventFactory(title="Full one", capacity=1)
    left = EventFactory(title="Cancelled registration")
    services.registration_create(actor=member(), event=full)
    services.registration_create(actor=person, event=confirmed)
    services.registration_create(actor=person, event=full)
    services.registration_cancel(
        actor=person, registration=services.registration_create(actor=person, event=left)
    )
    token = services.calendar_feed_token_get(user=person)
    response = Client().get(f"/calendar/{token.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(e["SUMMARY"]) for e in parse(response.content).walk("VEVENT")] == ["Confirmed one"]
    rotated = services.calendar_feed_token_rotate(user=person)
    assert Client().get(f"/calendar/{token.token}.ics").status_code == 404
    assert Client().get(f"/calendar/{rotated.token}.ics").status_code == 200


def test_platform_feed_lists_public_events_only():
    platform = PlatformFactory(slug="startup-hub", name="Startup Hub")
    EventFactory(platform=platform, title="Public pitch")
    EventFactory(platform=platform, title="Members pitch", visibility="members")
    EventFactory(platform=platform, title="Draft pitch", status="draft")
    EventFactory(title="Other platform")
    response = Client().get("/calendar/platform/startup-hub.ics")
    calendar = parse(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Public pitch"]
    assert str(calendar["X-WR-CALNAME"]) == "Startup Hub"
    assert Client().get("/calendar/platform/nope.ics").status_code == 404


def test_public_event_ics_page_needs_no_login_but_hides_private_events():
    public = EventFactory(slug="public-forum")
    members_only = EventFactory(visibility="members")
    invitation_only = EventFactory(visibility="invitation")
    draft = EventFactory(status="draft")
    response = Client().get(f"/events/{public.pk}.ics")
    assert response.status_code == 200
    assert [str(e["UID"]) for e in parse(response.content).walk("VEVENT")] == [
        f"event-{public.pk}@127.0.0.1"
    ]
    # Members-only events are readable by everyone (only registering needs a membership).
    assert Client().get(f"/events/{members_only.pk}.ics").status_code == 200
    assert Client().get(f"/events/{invitation_only.pk}.ics").status_code == 404
    assert Client().get(f"/events/{draft.pk}.ics").status_code == 404
