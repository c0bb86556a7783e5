"""Redis (the broker) killed while invitations are being sent, and started again: the
worker reconnects by itself, and every invitation is sent exactly once in the end.

The test runs a redis-server of its own on a free port (never the shared one), with an
append-only file as a production broker should have, so queued tasks survive the restart;
what does not (a task published while Redis was away) the sweepers re-enqueue."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events import services as services_events
from events.invitations import services
from events.invitations.models import Invitation
from events.models import Registration
from forum_site.celery import app as celery_app
from forum_site.emails import stable_message_id
from tests.factories import EventFactory, StaffFactory, member
from tests.faults.helpers import FaultySmtp, message_id_counts, sweep_until_settled, unsettled

COUNT = 300


@pytest.fixture
def slow_smtp():
    server = FaultySmtp(delay=0.02).start()  # sending takes long enough to be interrupted
    yield server
    server.stop()


@pytest.mark.worker
@pytest.mark.postgres
def test_invitations_all_sent_once_across_a_redis_restart(
    own_redis, start_worker, slow_smtp, settings
):
    settings.INVITATION_SWEEP_GRACE_SECONDS = 2
    worker = start_worker(
        broker=own_redis.url,
        email_url=f"smtp://127.0.0.1:{slow_smtp.port}",
        env={"INVITATION_SEND_BATCH": "10", "INVITATION_LEASE_SECONDS": "6"},
    )
    emails = "\n".join(f"ok-{n:03d}@broker.example" for n in range(COUNT))
    result = services.invitations_create(
        actor=StaffFactory(), event=EventFactory(), emails_text=emails
    )
    assert len(result.created) == COUNT

    deadline = time.monotonic() + 60
    while len(slow_smtp.messages) < COUNT // 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    own_redis.kill()
    at_kill = len(slow_smtp.messages)
    assert COUNT // 4 <= at_kill < COUNT
    # While Redis is away inviting still works: the enqueue gives up after a brief retry
    # and leaves the invitation to the sweeper. The worker keeps trying to reconnect.
    late = services.invitations_create(
        actor=StaffFactory(), event=EventFactory(), emails_text="ok-late@broker.example"
    )
    assert [i.status for i in late.created] == ["pending"]
    time.sleep(2)
    assert worker.proc.poll() is None, "the worker gave up on the broker"
    own_redis.start()

    sweep_until_settled(timeout=90, done=lambda: not unsettled())

    assert worker.proc.poll() is None
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
    assert Invitation.objects.count() == COUNT + 1
    received = message_id_counts(slow_smtp.messages)
    assert received == {
        stable_message_id("invitation", pk, 0): 1
        for pk in Invitation.objects.values_list("pk", flat=True)
    }
    assert "Connection to broker lost" in worker.log_path.read_text()


def test_registering_while_the_broker_is_away_still_registers(own_redis, db, on_commit):
    """The registration commits; its email cannot be enqueued (logged), and the client
    gets its 201, not a 500."""
    celery_app.conf.task_always_eager = False  # publish to the (dead) broker for real
    own_redis.kill()
    event = EventFactory(capacity=1)
    client = APIClient()
    client.force_authenticate(member())
    with on_commit():
        response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "confirmed")
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1


@pytest.mark.worker
@pytest.mark.postgres
def test_the_email_of_a_registration_made_while_the_broker_was_away_comes_later_once(
    own_redis, start_worker, settings
):
    """Redis is down when the registration commits, so its email is not enqueued; once
    Redis is back, the sweeper enqueues it and a real worker sends it, exactly once."""
    settings.REGISTRATION_SWEEP_GRACE_SECONDS = 0
    smtp = FaultySmtp().start()
    try:
        own_redis.kill()
        event = EventFactory(capacity=5)
        client = APIClient()
        client.force_authenticate(member(email="ok-late@broker.example"))
        response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
        assert response.status_code == 201
        registration = Registration.objects.get(event=event)
        assert registration.notified_state == ""  # nothing could be enqueued
        own_redis.start()
        start_worker(broker=own_redis.url, email_url=f"smtp://127.0.0.1:{smtp.port}")

        assert services_events.registration_notify_sweep() == 1
        deadline = time.monotonic() + 30
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert services_events.registration_notify_sweep() == 0  # claimed or sent: not again
        time.sleep(1)
        assert message_id_counts(smtp.messages) == {
            stable_message_id("registration", registration.pk, "confirmed"): 1
        }
        registration.refresh_from_db()
        assert registration.notified_state == "confirmed"
    finally:
        smtp.stop()


def test_a_sweep_while_the_broker_is_away_leaves_the_emails_to_the_next_run(own_redis, db):
    celery_app.conf.task_always_eager = False  # publish to the (dead) broker for real
    own_redis.kill()
    registrations = [
        services_events.registration_create(actor=member(), event=EventFactory()) for _ in range(3)
    ]  # no commit hooks run here: their emails were never enqueued
    later = timezone.now() + dt.timedelta(minutes=3)
    assert services_events.registration_notify_sweep(now=later) == 0
    # Nothing is marked as swept, so the next run (Redis back) takes all three at once.
    assert [
        r.notify_swept_at for r in Registration.objects.filter(pk__in=[r.pk for r in registrations])
    ] == [None] * 3
