"""The demo conversation (`make demo`): loaded once however often, and Kenji's digest."""

import pytest
from django.core.management import call_command

from members import demo
from members.messaging import demo as demo_messaging
from members.messaging.models import Conversation

pytestmark = pytest.mark.django_db


def test_demo_messaging_is_idempotent_and_digest_goes_to_kenji(mailbox):
    demo.load()
    first = demo_messaging.load()
    second = demo_messaging.load()
    assert first == second == {"conversations": 1, "messages": 4}
    conversation = Conversation.objects.get(subject=demo_messaging.SUBJECT)
    assert conversation.last_message.sender.username == "asha"
    call_command("send_message_digests")
    [mail] = mailbox.messages
    assert mail["X-Envelope-To"] == "kenji@mitsui.example"
