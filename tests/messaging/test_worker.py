"""Message digests through a real Celery worker on Redis (the beat task's path)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from members.messaging import services as services
from members.messaging.models import Message, Participant
from members.messaging.tasks import send_message_digests
from tests.factories import PlatformFactory, member

pytestmark = [pytest.mark.worker]


def test_digest_task_runs_on_a_real_worker_and_sends_once(celery_worker, mailbox):
    platform = PlatformFactory(slug="sme-forum")
    asha = member(platform=platform, email="asha@sneha.example")
    kenji = member(platform=platform, email="kenji@mitsui.example")
    conversation = services.conversation_start(
        actor=asha,
        subject="Cold chain",
        body="Shall we meet on Tuesday?",
        recipient_ids=[kenji.pk],
    )
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=30))
    send_message_digests.delay()
    send_message_digests.delay()  # beat firing twice: still one email
    messages = mailbox.wait_for(1, timeout=60)
    time.sleep(2)  # give a duplicate the chance to arrive
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["kenji@mitsui.example"]
    assert "Shall we meet on Tuesday?" in mailbox.text(messages[0])
    participant = Participant.objects.get(conversation=conversation, user=kenji)
    assert participant.last_digested_message_id == conversation.last_message_id
