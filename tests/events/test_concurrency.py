"""Real concurrent transactions on PostgreSQL: seats are never overbooked."""

import threading

import pytest
from django.db import connection

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory, member

pytestmark = pytest.mark.postgres


def run_at_once(jobs):
    """Run each job in its own thread (own connection, own transaction), all released at
    the same moment; return the exceptions raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def assert_consistent(event_id, *, confirmed, waitlisted):
    event = Event.objects.get(pk=event_id)
    regs = Registration.objects.filter(event_id=event_id)
    assert regs.filter(status="confirmed").count() == confirmed
    assert regs.filter(status="waitlisted").count() == waitlisted
    assert sorted(
        regs.filter(status="waitlisted").values_list("waitlist_position", flat=True)
    ) == list(range(1, waitlisted + 1))
    assert (event.seats_taken, event.waitlist_length) == (confirmed, waitlisted)


def test_concurrent_registrations_fill_seats_exactly(require_postgres):
    event = EventFactory(capacity=5)
    people = [member(username=f"racer{i}") for i in range(30)]
    statuses = []

    def job(person):
        return lambda: statuses.append(
            services.registration_create(actor=person, event=Event.objects.get(pk=event.pk)).status
        )

    errors = run_at_once([job(p) for p in people])
    assert errors == []
    assert sorted(statuses) == ["confirmed"] * 5 + ["waitlisted"] * 25
    assert_consistent(event.pk, confirmed=5, waitlisted=25)


def test_same_person_racing_themselves_gets_one_registration(require_postgres):
    event = EventFactory(capacity=5)
    person = member()
    errors = run_at_once(
        [
            lambda: services.registration_create(actor=person, event=Event.objects.get(pk=event.pk))
            for _ in range(8)
        ]
    )
    assert [e.messages for e in errors] == [["You are already registered for this event."]] * 7
    assert_consistent(event.pk, confirmed=1, waitlisted=0)


def test_cancellations_racing_registrations_keep_seats_and_waitlist_exact(require_postgres):
    event = EventFactory(capacity=5)
    originals = [member(username=f"orig{i}") for i in range(10)]
    regs = [services.registration_create(actor=p, event=event) for p in originals]
    newcomers = [member(username=f"new{i}") for i in range(10)]
    # All five confirmed and three of the five waitlisted cancel while ten newcomers register.
    leaving = regs[:5] + regs[7:]

    def cancel(registration):
        return lambda: services.registration_cancel(
            actor=registration.user, registration=registration
        )

    def join(person):
        return lambda: services.registration_create(
            actor=person, event=Event.objects.get(pk=event.pk)
        )

    errors = run_at_once([cancel(r) for r in leaving] + [join(p) for p in newcomers])
    assert errors == []
    assert_consistent(event.pk, confirmed=5, waitlisted=7)
    # The two who stayed on the original waitlist were ahead of every newcomer.
    assert set(
        Registration.objects.filter(
            event=event, status="confirmed", user__username__startswith="orig"
        ).values_list("user__username", flat=True)
    ) == {"orig5", "orig6"}
