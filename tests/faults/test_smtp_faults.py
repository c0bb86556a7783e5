"""Invitations through a real Celery worker to an SMTP server that answers 4xx, 5xx and
drops connections before its reply: every transient failure ends delivered, every
permanent one ends failed with the server's reason, and nothing reaches the server twice
(docs/invitations.md: the only duplicates are sends in flight when a worker dies, and no
worker dies here)."""

import pytest

from events.invitations import services
from events.invitations.models import Invitation
from forum_site.emails import stable_message_id
from tests.factories import EventFactory, StaffFactory
from tests.faults.helpers import FaultySmtp, message_id_counts, sweep_until_settled, unsettled

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

KINDS = {"ok": 10, "soft": 5, "busy": 5, "drop": 5, "bad": 3, "reject": 3}
# Attempts each kind takes: every 4xx or dropped connection is one more.
ATTEMPTS = {"ok": 1, "soft": 3, "busy": 2, "drop": 3, "bad": 1, "reject": 1}


@pytest.fixture
def faulty_smtp():
    server = FaultySmtp().start()
    yield server
    server.stop()


def test_invitations_survive_a_faulty_mail_server(start_worker, faulty_smtp, settings):
    settings.INVITATION_SWEEP_GRACE_SECONDS = 2
    start_worker(
        email_url=f"smtp://127.0.0.1:{faulty_smtp.port}",
        env={
            "INVITATION_RETRY_BASE_SECONDS": "1",
            "INVITATION_SEND_BATCH": "4",
            "INVITATION_LEASE_SECONDS": "10",
        },
    )
    emails = [f"{kind}-{n}@faults.example" for kind, count in KINDS.items() for n in range(count)]
    # Shuffled by kind so that failures sit in the middle of batches.
    emails.sort(key=lambda e: (e.split("-")[1], e))
    result = services.invitations_create(
        actor=StaffFactory(), event=EventFactory(), emails_text="\n".join(emails)
    )
    assert len(result.created) == len(emails)

    sweep_until_settled(timeout=90, done=lambda: not unsettled())

    rows = {i.email: i for i in Invitation.objects.all()}
    assert {e: (rows[e].status, rows[e].attempts) for e in emails} == {
        e: ("failed" if e.split("-")[0] in {"bad", "reject"} else "sent", ATTEMPTS[e.split("-")[0]])
        for e in emails
    }
    assert {e: rows[e].last_error for e in emails if rows[e].status == "failed"} == {
        **{
            f"bad-{n}@faults.example": f"bad-{n}@faults.example: {FaultySmtp.NO_USER}"
            for n in range(3)
        },
        **{f"reject-{n}@faults.example": FaultySmtp.SPAM for n in range(3)},
    }
    sent_ids = {i.pk for i in rows.values() if i.status == "sent"}
    received = message_id_counts(faulty_smtp.messages)
    assert received == {stable_message_id("invitation", pk, 0): 1 for pk in sent_ids}
    assert sorted(m["X-Envelope-To"] for m in faulty_smtp.messages) == sorted(
        e for e in emails if e.split("-")[0] not in {"bad", "reject"}
    )
