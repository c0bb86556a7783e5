"""The sending state machine over real SMTP: retries, failures, claims, the sweeper
(services/sending.py, forum_site/smtp.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from events.invitations import services
from events.invitations.models import Invitation
from forum_site.emails import stable_message_id
from tests.factories import EventFactory
from tests.invitations.helpers import invite, states
from tests.services import SmtpSink, free_port

pytestmark = pytest.mark.django_db


class PickySink(SmtpSink):
    """A real SMTP server that refuses some recipients: busy* with 451, gone* with 550."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("busy") and self.busy:
            return "451 4.2.1 Mailbox busy, try again later"
        if address.startswith("gone"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    busy = True


@pytest.fixture
def picky(settings):
    sink = PickySink().start()
    settings.EMAIL_PORT = sink.port
    yield sink
    sink.stop()


def test_send_transient_error_retries_with_backoff_and_permanent_fails_at_once(
    on_commit, staff, picky, settings
):
    event = EventFactory()
    before = timezone.now()
    invite(on_commit, staff, event, emails_text="busy@x.example\ngone@x.example\nok@x.example")
    assert states(event) == [
        ("busy@x.example", "pending"),
        ("gone@x.example", "failed"),
        ("ok@x.example", "sent"),
    ]
    busy = Invitation.objects.get(email="busy@x.example")
    gone = Invitation.objects.get(email="gone@x.example")
    assert (busy.attempts, busy.last_error) == (
        1,
        "busy@x.example: 451 4.2.1 Mailbox busy, try again later",
    )
    assert (
        before + dt.timedelta(seconds=59)
        < busy.next_attempt_at
        < timezone.now() + dt.timedelta(seconds=61)
    )
    assert (gone.attempts, gone.last_error) == (1, "gone@x.example: 550 5.1.1 No such user here")
    assert [m["X-Envelope-To"] for m in picky.messages] == ["ok@x.example"]

    # Not yet due: the sweeper leaves it; once due, it is sent.
    assert services.invitations_sweep() == 0
    Invitation.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    picky.busy = False
    assert services.invitations_sweep() == 1
    busy.refresh_from_db()
    assert (busy.status, busy.attempts, busy.last_error) == ("sent", 2, "")
    assert [m["X-Envelope-To"] for m in picky.messages] == ["ok@x.example", "busy@x.example"]


def test_send_connection_refused_keeps_everything_pending_then_gives_up(
    on_commit, staff, settings, mailbox
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.INVITATION_RETRY_BASE_SECONDS = 0
    settings.INVITATION_MAX_ATTEMPTS = 2
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="a@x.example\nb@x.example")
    rows = list(
        Invitation.objects.order_by("email").values_list("status", "attempts", "last_error")
    )
    assert [r[:2] for r in rows] == [("pending", 1), ("pending", 1)]
    assert rows[0][2].startswith("ConnectionRefusedError")
    services.invitations_sweep()
    assert list(Invitation.objects.values_list("status", flat=True)) == ["failed", "failed"]
    assert Invitation.objects.first().last_error.endswith("(gave up after 2 attempts)")
    # Staff resend once the server is back.
    settings.EMAIL_PORT = mailbox.port
    with on_commit():
        for invitation in Invitation.objects.all():
            services.invitation_resend(actor=staff, invitation=invitation)
    assert states(event) == [("a@x.example", "sent"), ("b@x.example", "sent")]
    assert mailbox.messages[0]["Message-ID"] == stable_message_id(
        "invitation", Invitation.objects.get(email=mailbox.messages[0]["X-Envelope-To"]).pk, 1
    )


def test_claim_is_exclusive_and_a_lapsed_lease_is_taken_over(staff, mailbox):
    event = EventFactory()
    result = services.invitations_create(actor=staff, event=event, emails_text="a@x.example")
    invitation = result.created[0]
    # Another worker holds a live claim: nothing is sent twice.
    Invitation.objects.filter(pk=invitation.pk).update(
        status="sending",
        lease_owner="other-worker",
        lease_expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert services.invitations_send_batch(invitation_ids=[invitation.pk]) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
    }
    assert services.invitations_sweep() == 0
    assert mailbox.messages == []
    # That worker died: once its lease lapses the sweeper takes the invitation back.
    Invitation.objects.filter(pk=invitation.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.invitations_sweep() == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.lease_owner, invitation.attempts) == ("sent", "", 1)
    assert len(mailbox.messages) == 1
    # A duplicate task for a sent invitation does nothing.
    assert services.invitations_send_batch(invitation_ids=[invitation.pk])["sent"] == 0
    assert len(mailbox.messages) == 1


def test_sweeper_reenqueues_pending_invitations_whose_task_was_lost(staff, mailbox, settings):
    event = EventFactory()
    # Created without running the on-commit enqueue: as if the broker lost the task.
    services.invitations_create(actor=staff, event=event, emails_text="a@x.example")
    assert services.invitations_sweep() == 0  # within the grace period
    Invitation.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=61))
    assert services.invitations_sweep() == 1
    assert states(event) == [("a@x.example", "sent")]
