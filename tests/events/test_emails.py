"""Registration emails and reminders read times in the reader's zone, with the event's
own local time where it differs (events/presentation.py)."""

import datetime as dt

import pytest

from events import services
from events.presentation import event_time
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db

TEN_IN_KOLKATA = dt.datetime(2030, 3, 10, 4, 30, tzinfo=dt.UTC)


def test_event_time_names_both_zones_only_when_the_clocks_differ():
    assert event_time(TEN_IN_KOLKATA, "Asia/Kolkata", "Asia/Kolkata", "en") == (
        "10 Mar 2030, 10:00 (Asia/Kolkata)"
    )
    assert event_time(TEN_IN_KOLKATA, "Asia/Kolkata", "Asia/Calcutta", "en") == (
        "10 Mar 2030, 10:00 (Asia/Kolkata)"
    )
    assert event_time(TEN_IN_KOLKATA, "Asia/Kolkata", "Asia/Tokyo", "en") == (
        "10 Mar 2030, 10:00 (Asia/Kolkata) · 13:30 in your time zone (Asia/Tokyo)"
    )
    # Another day on the reader's calendar: their date is written too.
    assert event_time(TEN_IN_KOLKATA, "Asia/Kolkata", "America/Los_Angeles", "en") == (
        "10 Mar 2030, 10:00 (Asia/Kolkata) · 09 Mar 2030, 20:30 in your time zone "
        "(America/Los_Angeles)"
    )
    assert event_time(
        TEN_IN_KOLKATA,
        "Asia/Kolkata",
        "Asia/Tokyo",
        "ja",
        end=TEN_IN_KOLKATA + dt.timedelta(hours=3),
    ) == (
        "2030年03月10日 10:00～13:00 (Asia/Kolkata) · お使いのタイムゾーンでは "
        "13:30～16:30 (Asia/Tokyo)"
    )


def test_registration_emails_use_the_readers_zone_and_language(mailbox, on_commit):
    event = EventFactory(
        title="Pitch clinic", title_ja="ピッチ・クリニック", starts_at=TEN_IN_KOLKATA, capacity=1
    )
    ravi = member(email="ravi@sme.example", profile__time_zone="Asia/Kolkata")
    yuki = member(email="yuki@sme.example", profile__language="ja", profile__time_zone="Asia/Tokyo")
    with on_commit():
        first = services.registration_create(actor=ravi, event=event)
        services.registration_create(actor=yuki, event=event)
    with on_commit():
        services.registration_cancel(actor=ravi, registration=first)
    (confirmed,) = mailbox.to("ravi@sme.example")
    assert "When: 10 Mar 2030, 10:00 (Asia/Kolkata)" in mailbox.text(confirmed).splitlines()
    waitlisted, promoted = mailbox.to("yuki@sme.example")
    assert (
        promoted["Subject"].strip() == "空席が出ました: ピッチ・クリニック のご登録が確定しました"
    )
    assert (
        "日時: 2030年03月10日 10:00 (Asia/Kolkata) · お使いのタイムゾーンでは 13:30 (Asia/Tokyo)"
        in mailbox.text(promoted).splitlines()
    )


def test_reminders_use_the_readers_zone(mailbox, settings):
    settings.EVENT_REMINDER_HOURS = 24
    event = EventFactory(
        title="Chennai forum",
        starts_at=dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=3),
    )
    tokyo = member(email="kenji@sme.example", profile__time_zone="Asia/Tokyo")
    services.registration_create(actor=tokyo, event=event)
    mailbox.clear()
    assert services.event_reminders_send(registration_ids=services.event_reminders_due()) == 1
    (message,) = mailbox.to("kenji@sme.example")
    from_tokyo = event.starts_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert message["Subject"] == (
        f"Reminder: Chennai forum, {from_tokyo:%d %b %Y, %H:%M} (Asia/Tokyo)"
    )
    assert "(Asia/Kolkata) · " in mailbox.text(message)
    assert "in your time zone (Asia/Tokyo)" in mailbox.text(message)
