"""The registration email sweeper (services.registration_notify_sweep): what the commit
could not enqueue, or a send that kept failing, is emailed later, once, and only while it
still matters. Emails go over SMTP to the suite's real sink."""

import datetime as dt
import io
import logging
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone

from events import services
from forum_site.celery import app as celery_app
from forum_site.emails import stable_message_id
from tests.factories import EventFactory, member
from tests.faults.helpers import FaultySmtp

pytestmark = pytest.mark.django_db


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def unsent_registration(email="late@sme.example", **event):
    """A registration whose email was never enqueued: without the on_commit fixture the
    commit hooks do not run here, as if the broker had been away."""
    registration = services.registration_create(
        actor=member(email=email), event=EventFactory(**event)
    )
    registration.refresh_from_db()
    assert registration.notified_state == ""
    return registration


def test_sweep_sends_the_email_the_commit_could_not_enqueue_once(mailbox):
    registration = unsent_registration()
    assert services.registration_notify_sweep(now=later(3)) == 1
    sent = mailbox.to("late@sme.example")
    assert len(sent) == 1
    assert sent[0]["Message-ID"] == stable_message_id("registration", registration.pk, "confirmed")
    assert services.registration_notify_sweep(now=later(30)) == 0
    assert len(mailbox.to("late@sme.example")) == 1
    registration.refresh_from_db()
    assert registration.notified_state == "confirmed"


def test_sweep_sends_the_promotion_of_a_waitlisted_person(mailbox, on_commit):
    event = EventFactory(capacity=1)
    with on_commit():
        holder = services.registration_create(actor=member(), event=event)
        waiting = services.registration_create(actor=member(email="next@sme.example"), event=event)
    assert [m["Subject"] for m in mailbox.to("next@sme.example")]  # the waitlist email
    mailbox.clear()
    # The seat holder cancels; the promotion's email is lost with the broker.
    services.registration_cancel(actor=holder.user, registration=holder)
    assert services.registration_notify_sweep(now=later(3)) == 1
    (promoted,) = mailbox.to("next@sme.example")
    assert promoted["Message-ID"] == stable_message_id("registration", waiting.pk, "promoted")


def test_sweep_leaves_alone_what_is_recent_old_past_cancelled_or_has_no_address(mailbox):
    unsent_registration("recent@sme.example")
    assert services.registration_notify_sweep(now=timezone.now()) == 0  # within the grace
    assert services.registration_notify_sweep(now=later(49 * 60)) == 0  # past the window
    started = unsent_registration("started@sme.example")
    type(started.event).objects.filter(pk=started.event_id).update(
        starts_at=timezone.now() + dt.timedelta(minutes=1)
    )
    cancelled = unsent_registration("cancelled@sme.example")
    type(cancelled.event).objects.filter(pk=cancelled.event_id).update(status="cancelled")
    nobody = services.registration_create(actor=member(email=""), event=EventFactory())
    swept = services.registration_notify_sweep(now=later(3))
    assert swept == 1  # only `recent`, now past its grace
    assert len(mailbox.to("recent@sme.example")) == 1
    assert not mailbox.to("started@sme.example") and not mailbox.to("cancelled@sme.example")
    nobody.refresh_from_db()
    assert nobody.notified_state == ""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


@pytest.fixture
def failures_stay_in_the_task():
    """In-process tasks end like a worker's: a failure stays in the task's result instead
    of rising into the caller (here, the sweep)."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def test_a_mail_server_that_stays_down_is_tried_once_a_quarter_hour(
    mailbox, settings, failures_stay_in_the_task
):
    registration = unsent_registration("patient@sme.example")
    settings.EMAIL_PORT = _closed_port()
    assert services.registration_notify_sweep(now=later(3)) == 1  # tried, and failed
    registration.refresh_from_db()
    assert registration.notified_state == ""  # the claim was given back
    assert services.registration_notify_sweep(now=later(10)) == 0  # not again so soon
    settings.EMAIL_PORT = mailbox.port
    assert services.registration_notify_sweep(now=later(19)) == 1
    assert len(mailbox.to("patient@sme.example")) == 1


def test_a_refused_address_is_not_retried(settings, caplog):
    server = FaultySmtp().start()
    try:
        settings.EMAIL_PORT = server.port
        registration = unsent_registration("bad-address@sme.example")
        with caplog.at_level(logging.WARNING, logger="events.services.registrations"):
            assert services.registration_notify(registration_id=registration.pk) is None
        assert "550 5.1.1" in caplog.text
        registration.refresh_from_db()
        assert registration.notified_state == "confirmed"
        assert services.registration_notify_sweep(now=later(30)) == 0
        assert server.messages == []
    finally:
        server.stop()


def test_send_reminders_command_sweeps_registration_emails_too(mailbox, settings):
    settings.REGISTRATION_SWEEP_GRACE_SECONDS = 0
    unsent_registration("command@sme.example")
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "1 registration email(s) re-enqueued" in out.getvalue()
    assert len(mailbox.to("command@sme.example")) == 1
