import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory, OrganisationFactory, PlatformFactory, StaffFactory, member

pytestmark = pytest.mark.django_db


def positions(event):
    return list(
        Registration.objects.filter(event=event, status="waitlisted")
        .order_by("waitlist_position")
        .values_list("user__username", "waitlist_position")
    )


def register(event, user, **kwargs):
    return services.registration_create(actor=user, event=event, **kwargs)


def test_registration_create_confirms_then_waitlists_when_full(on_commit, mailbox):
    event = EventFactory(capacity=2)
    people = [member(username=f"p{i}", email=f"p{i}@sme.example") for i in range(4)]
    with on_commit():
        results = [register(event, p) for p in people]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlist_length, event.seats_left) == (2, 2, 0)
    assert [m["Subject"] for m in mailbox.to("p0@sme.example")] == [
        f"You are registered: {event.title}"
    ]
    assert [m["Subject"] for m in mailbox.to("p3@sme.example")] == [
        f"Waitlist position 2: {event.title}"
    ]


def test_registration_cancel_promotes_first_waitlisted_and_emails_them(on_commit, mailbox):
    event = EventFactory(capacity=1, title="Pitch clinic")
    first, second, third = (member(username=f"m{i}", email=f"m{i}@sme.example") for i in range(3))
    with on_commit():
        confirmed = register(event, first)
        register(event, second)
        register(event, third)
    mailbox.clear()
    with on_commit():
        services.registration_cancel(actor=first, registration=confirmed)
    assert Registration.objects.get(event=event, user=second).status == "confirmed"
    assert positions(event) == [("m2", 1)]
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlist_length) == (1, 1)
    promoted = mailbox.to("m1@sme.example")
    assert [m["Subject"] for m in promoted] == [
        "A seat became free: you are confirmed for Pitch clinic"
    ]
    assert "a seat became free at Pitch clinic, and it is yours" in " ".join(
        mailbox.text(promoted[0]).split()
    )
    assert [p.get_content_type() for p in promoted[0].iter_attachments()] == ["text/calendar"]
    assert mailbox.to("m2@sme.example") == []


def test_registration_cancel_from_waitlist_closes_up_positions():
    event = EventFactory(capacity=1)
    people = [member(username=f"w{i}") for i in range(5)]
    regs = [register(event, p) for p in people]
    services.registration_cancel(actor=people[2], registration=regs[2])
    assert positions(event) == [("w1", 1), ("w3", 2), ("w4", 3)]
    event.refresh_from_db()
    assert event.waitlist_length == 3


def test_registration_create_twice_is_refused_and_changes_nothing():
    event = EventFactory(capacity=1)
    person = member()
    register(event, person)
    with pytest.raises(ValidationError) as exc:
        register(event, person)
    assert exc.value.messages == ["You are already registered for this event."]
    waiting = member()
    register(event, waiting)
    with pytest.raises(ValidationError) as exc:
        register(event, waiting)
    assert exc.value.messages == ["You are already on the waitlist for this event (position 1)."]
    event.refresh_from_db()
    assert (event.seats_taken, event.waitlist_length, Registration.objects.count()) == (1, 1, 2)


def test_registration_again_after_cancelling_is_allowed():
    event = EventFactory()
    person = member()
    services.registration_cancel(actor=person, registration=register(event, person))
    again = register(event, person)
    assert again.status == "confirmed"
    assert Registration.objects.filter(event=event, user=person).count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "draft"}, "This event has not been published yet; registration is not open."),
        ({"status": "cancelled"}, "This event has been cancelled."),
        ({"status": "completed"}, "This event has already taken place."),
        (
            {"registration_closes_at": dt.datetime(2020, 1, 1, 4, 30, tzinfo=dt.UTC)},
            "Registration closed on 01 Jan 2020, 10:00 (Asia/Kolkata).",
        ),
        (
            {"registration_opens_at": dt.datetime(2099, 1, 1, 0, 0, tzinfo=dt.UTC)},
            "Registration opens on 01 Jan 2099, 05:30 (Asia/Kolkata).",
        ),
    ],
)
def test_registration_create_refused_outside_status_or_window(changes, message):
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(**changes)
    event.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        register(event, member())
    assert exc.value.messages == [message]
    assert Registration.objects.count() == 0


def test_members_only_event_needs_an_approved_membership():
    platform = PlatformFactory(name="India–Japan SME Business Council")
    event = EventFactory(platform=platform, visibility="members")
    outsider = member()
    with pytest.raises(PermissionDenied) as exc:
        register(event, outsider)
    org = outsider.affiliations.get().organisation
    assert str(exc.value) == (
        f"This event is for members of India–Japan SME Business Council only, and {org} "
        f"is not an approved member."
    )
    assert register(event, member(platform=platform)).status == "confirmed"


def test_invitation_only_event_needs_the_invitation_path():
    event = EventFactory(visibility="invitation")
    with pytest.raises(PermissionDenied) as exc:
        register(event, member())
    assert str(exc.value) == "This event is by invitation only."
    assert register(event, member(), via_invitation=True).via_invitation is True
    assert register(event, member(), allow_invitation_only=True).status == "confirmed"
    # Admitted once (via_invitation), a person may register again after cancelling.
    admitted = register(event, member(), via_invitation=True)
    services.registration_cancel(actor=admitted.user, registration=admitted)
    assert register(event, admitted.user).status == "confirmed"


def test_per_organisation_limit_counts_confirmed_and_waitlisted():
    event = EventFactory(capacity=1, max_per_organisation=2)
    org = OrganisationFactory(name="Kaveri Foods")
    a, b, c = (member(organisation=org) for _ in range(3))
    register(event, a)
    register(event, b)
    with pytest.raises(ValidationError) as exc:
        register(event, c)
    assert exc.value.messages == [
        "Kaveri Foods already holds 2 of the 2 places one organisation may take at this event."
    ]


def test_registration_needs_an_organisation_choice_when_several():
    person = member()
    second = OrganisationFactory()
    person.affiliations.create(organisation=second, role="representative")
    with pytest.raises(ValidationError) as exc:
        register(EventFactory(), person)
    assert exc.value.message_dict == {
        "organisation": [
            "You represent several organisations; choose the one you are registering for."
        ]
    }
    assert register(EventFactory(), person, organisation=second).organisation == second
    with pytest.raises(PermissionDenied):
        register(EventFactory(), person, organisation=OrganisationFactory())


def test_registration_cancel_only_own_unless_staff():
    event = EventFactory()
    owner, other = member(), member()
    registration = register(event, owner)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(actor=other, registration=registration)
    services.registration_cancel(actor=StaffFactory(), registration=registration)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=owner, registration=registration)
    assert exc.value.messages == ["This registration is already cancelled."]


def test_event_update_raising_capacity_promotes_in_order(on_commit, mailbox):
    event = EventFactory(capacity=1)
    people = [member(username=f"c{i}", email=f"c{i}@sme.example") for i in range(4)]
    for p in people:
        register(event, p)
    mailbox.clear()
    with on_commit():
        services.event_update(actor=StaffFactory(), event=event, capacity=3)
    assert list(
        Registration.objects.filter(event=event, status="confirmed")
        .order_by("user__username")
        .values_list("user__username", flat=True)
    ) == ["c0", "c1", "c2"]
    assert positions(event) == [("c3", 1)]
    assert (event.seats_taken, event.waitlist_length) == (3, 1)
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "c1@sme.example",
        "c2@sme.example",
    ]


def test_event_update_refuses_capacity_below_confirmed():
    event = EventFactory(capacity=3)
    for _ in range(2):
        register(event, member())
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=StaffFactory(), event=event, capacity=1)
    assert exc.value.message_dict == {
        "capacity": [
            "2 people are already confirmed, so the capacity cannot be lower than that. "
            "Cancel registrations first."
        ]
    }
    event.refresh_from_db()
    assert event.capacity == 3


def test_event_update_bumps_sequence_for_time_and_venue_only():
    event = EventFactory()
    staff = StaffFactory()
    services.event_update(actor=staff, event=event, title="New title")
    assert Event.objects.get(pk=event.pk).sequence == 0
    services.event_update(
        actor=staff, event=event, starts_at=event.starts_at + dt.timedelta(hours=1)
    )
    services.event_update(actor=staff, event=event, venue="Mahatma Mandir")
    assert Event.objects.get(pk=event.pk).sequence == 2
    with pytest.raises(PermissionDenied):
        services.event_update(actor=member(), event=event, venue="X")


def test_event_cancel_notifies_every_registrant_once(on_commit, mailbox):
    event = EventFactory(capacity=1, title="Clean energy forum")
    a = member(email="a@sme.example")
    b = member(email="b@sme.example", profile__language="ja")
    register(event, a)
    register(event, b)
    mailbox.clear()
    with on_commit():
        services.event_cancel(actor=StaffFactory(), event=event)
    assert sorted(m["Subject"] for m in mailbox.messages) == [
        "Cancelled: Clean energy forum",
        "開催中止: Clean energy forum",
    ]
    assert services.event_notify_cancelled(event_id=event.pk) == 0
    assert len(mailbox.messages) == 2
    with pytest.raises(ValidationError):
        register(Event.objects.get(pk=event.pk), member())


def test_event_status_transitions_are_checked():
    event = EventFactory(status="draft")
    staff = StaffFactory()
    services.event_publish(actor=staff, event=event)
    services.event_update(actor=staff, event=event, status="completed")
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=staff, event=event, status="draft")
    assert exc.value.message_dict == {"status": ["A completed event cannot become draft."]}


def test_registration_check_in_marks_attendance_and_refuses_waitlisted():
    event = EventFactory(capacity=1)
    confirmed = register(event, member())
    waiting = register(event, member())
    staff = StaffFactory()
    with pytest.raises(PermissionDenied):
        services.registration_check_in(actor=member(), registration=confirmed)
    done = services.registration_check_in(actor=staff, registration=confirmed)
    assert done.status == "attended"
    assert done.checked_in_at is not None
    with pytest.raises(ValidationError) as exc:
        services.registration_check_in(actor=staff, registration=waiting)
    assert exc.value.messages == [
        "Only confirmed registrations can be checked in; this one is waitlisted."
    ]
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_database_refuses_overbooking():
    event = EventFactory(capacity=1)
    register(event, member())
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=event.pk).update(seats_taken=2)


def test_database_refuses_duplicate_active_registration():
    event = EventFactory()
    registration = register(event, member())
    with pytest.raises(IntegrityError):
        Registration.objects.create(
            event=event,
            user=registration.user,
            organisation=registration.organisation,
            status="confirmed",
        )


def test_notify_registration_is_idempotent(mailbox):
    event = EventFactory()
    registration = register(event, member(email="once@sme.example"))
    mailbox.clear()
    assert services.registration_notify(registration_id=registration.pk) == "confirmed"
    assert services.registration_notify(registration_id=registration.pk) is None
    assert services.registration_notify(registration_id=999999) is None
    assert len(mailbox.to("once@sme.example")) == 1


def test_event_recount_repairs_counters():
    event = EventFactory(capacity=5)
    register(event, member())
    Event.objects.filter(pk=event.pk).update(seats_taken=0, waitlist_length=4)
    event = services.event_recount(event_id=event.pk)
    assert (event.seats_taken, event.waitlist_length) == (1, 0)
    assert timezone.now() > event.created_at
