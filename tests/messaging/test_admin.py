"""The messaging admin as staff use it: read conversations, remove a message."""

import pytest
from django.test import Client

from members.messaging.models import Message
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_staff_remove_a_message_and_a_marker_stays(admin_client, asha, kenji, start):
    conversation = start(asha, kenji, body="Please call 555-0100")
    kept = start(kenji, asha, body="Kept").last_message
    response = admin_client.post(
        "/admin/messaging/message/",
        {"action": "remove", "_selected_action": [conversation.last_message_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 message(s) removed." in response.content.decode()
    removed = Message.objects.get(pk=conversation.last_message_id)
    assert (removed.body, removed.deleted_at is not None) == ("", True)
    assert Message.objects.get(pk=kept.pk).body == "Kept"


def test_every_messaging_admin_page_renders(admin_client, asha, kenji, start):
    conversation = start(asha, kenji)
    for url in [
        "/admin/messaging/conversation/",
        f"/admin/messaging/conversation/{conversation.pk}/change/",
        "/admin/messaging/message/",
        f"/admin/messaging/message/{conversation.last_message_id}/change/",
        "/admin/messaging/block/",
        "/admin/messaging/messagingpreference/",
    ]:
        assert admin_client.get(url).status_code == 200, url
