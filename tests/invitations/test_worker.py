"""Invitations through a real Celery worker on Redis, to a real SMTP server.

The reliability test kills the worker (kill -9 of its process group) in the middle of
sending 2,000 invitations, starts a new one, and checks that every invitation is sent,
that the SMTP server got every one, and that duplicates are no more than the messages in
flight at the kill.
"""

import time

import pytest
from django.db import transaction
from django.db.models import Count

from events.invitations import services
from events.invitations.models import Invitation
from forum_site.celery import app as celery_app
from forum_site.emails import stable_message_id
from tests.factories import EventFactory, StaffFactory
from tests.services import CeleryWorker, database_url, redis_available, redis_url, unavailable

pytestmark = pytest.mark.worker


def test_real_worker_sends_committed_invitations_and_nothing_rolled_back(celery_worker, mailbox):
    event = EventFactory()
    staff = StaffFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invitations_create(actor=staff, event=event, emails_text="ghost@x.example")
        raise RuntimeError("rolled back after inviting")
    services.invitations_create(
        actor=staff, event=event, emails_text="a@x.example\nb@x.example\nc@x.example"
    )
    mailbox.wait_for(3)
    services.invitations_sweep()
    time.sleep(1.5)  # room for anything that should not come
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "a@x.example",
        "b@x.example",
        "c@x.example",
    ]
    assert sorted(Invitation.objects.values_list("email", "status")) == [
        ("a@x.example", "sent"),
        ("b@x.example", "sent"),
        ("c@x.example", "sent"),
    ]


@pytest.fixture
def start_worker(transactional_db, smtp_sink):
    """Start real workers with a short lease; each is stopped (or was killed) at the end."""
    broker = redis_url()
    if not broker or not redis_available(broker):
        unavailable("a real Celery worker needs Redis (set CELERY_BROKER_URL)")
    db_url = database_url()
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
        # Messages a killed worker held unacknowledged would come back after the
        # visibility timeout, in some later test: drop them.
        conn.default_channel.client.delete("unacked", "unacked_index")
    workers: list[CeleryWorker] = []

    def start(concurrency: int) -> CeleryWorker:
        worker = CeleryWorker(
            database_url=db_url,
            broker_url=broker,
            email_url=f"smtp://127.0.0.1:{smtp_sink.port}",
            concurrency=concurrency,
            extra_env={"INVITATION_LEASE_SECONDS": "4", "INVITATION_SEND_BATCH": "20"},
        ).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


@pytest.mark.slow
def test_invitations_all_sent_once_despite_a_worker_killed_mid_batch(
    start_worker, mailbox, settings
):
    settings.INVITATION_SWEEP_GRACE_SECONDS = 2
    count, concurrency = 2000, 4
    event = EventFactory()
    emails = "\n".join(f"p{i:04d}@load.example" for i in range(count))
    result = services.invitations_create(actor=StaffFactory(), event=event, emails_text=emails)
    assert len(result.created) == count

    first = start_worker(concurrency)
    deadline = time.monotonic() + 120
    while len(mailbox.messages) < count // 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.kill()
    at_kill = len(mailbox.messages)
    assert count // 4 <= at_kill < count

    start_worker(concurrency)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not Invitation.objects.exclude(status="sent").exists():
            break
        services.invitations_sweep()  # beat would run it every minute
        time.sleep(1)

    assert dict(Invitation.objects.values_list("status").annotate(n=Count("pk"))) == {"sent": count}
    time.sleep(0.5)
    received = [m["Message-ID"] for m in mailbox.messages]
    expected = {
        stable_message_id("invitation", pk, 0)
        for pk in Invitation.objects.values_list("pk", flat=True)
    }
    assert set(received) == expected
    duplicates = len(received) - len(set(received))
    # At most the messages in flight at the kill: one per worker process (prefetch 1).
    assert duplicates <= concurrency * settings.CELERY_WORKER_PREFETCH_MULTIPLIER, (
        f"{duplicates} duplicates, killed after {at_kill} messages"
    )
