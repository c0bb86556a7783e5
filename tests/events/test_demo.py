"""The demo as a new user tries it: fill an event, get waitlisted, get promoted by email."""

import pytest
from django.contrib.auth import get_user_model

from events import demo, services
from events.models import Event, Registration
from members import demo as members_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently_with_a_full_event_and_a_waitlist():
    members_demo.load()
    first = demo.load()
    assert demo.load() == first == {"events": 12, "registrations": 19}
    launch = Event.objects.get(slug="sme-forum-launch-2025")
    assert (launch.status, launch.starts_at.date().isoformat()) == ("completed", "2025-11-21")
    clinic = Event.objects.get(slug="startup-hub-pitch-clinic")
    assert (clinic.capacity, clinic.seats_taken, clinic.waitlist_length) == (3, 3, 1)
    yuki = get_user_model().objects.get(username="yuki")
    registration = services.registration_create(actor=yuki, event=clinic)
    assert (registration.status, registration.waitlist_position) == ("waitlisted", 2)


def test_demo_member_is_promoted_and_emailed_when_the_first_cancels(mailbox, on_commit):
    members_demo.load()
    demo.load()
    users = get_user_model().objects.in_bulk(["ravi", "yuki"], field_name="username")
    roundtable = Event.objects.get(slug="forum-tea-horticulture-roundtable")
    with on_commit():
        ravi = services.registration_create(actor=users["ravi"], event=roundtable)
        yuki = services.registration_create(actor=users["yuki"], event=roundtable)
    assert (ravi.status, yuki.status, yuki.waitlist_position) == ("confirmed", "waitlisted", 1)
    mailbox.clear()
    with on_commit():
        services.registration_cancel(actor=users["ravi"], registration=ravi)
    assert Registration.objects.get(pk=yuki.pk).status == "confirmed"
    [mail] = mailbox.to("yuki@demo-sme.example")
    # Yuki reads Japanese. (Python folds a long encoded Subject after "Subject:", which the
    # parser returns as a leading space; mail programs do not show it.)
    assert (
        mail["Subject"].strip()
        == "空席が出ました: ラウンドテーブル：茶・園芸のバリューチェーン のご登録が確定しました"
    )
