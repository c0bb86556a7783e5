"""Blocks: a person refuses another's messages (/api/v1/blocks/ and their effect)."""

import pytest

from members.messaging.models import Block, Conversation, Message

pytestmark = pytest.mark.django_db

API = "/api/v1/conversations/"


def test_blocked_person_cannot_message_and_unblock_restores(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    blocks = client_for(kenji)
    response = blocks.post("/api/v1/blocks/", {"user": asha.pk})
    assert response.status_code == 201
    assert response.json()["user"] == asha.pk
    assert blocks.get("/api/v1/blocks/").json()["results"][0]["name"] == "Asha Reddy"
    refused = client_for(asha).post(f"{API}{conversation.pk}/messages/", {"body": "hello?"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "You cannot send messages to this conversation."}
    new = client_for(asha).post(API, {"recipients": [kenji.pk], "subject": "S", "body": "B"})
    assert new.status_code == 403
    assert new.json() == {"detail": "You cannot start a conversation with these recipients."}
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    # Kenji can still write; Asha can still read.
    assert (
        client_for(kenji).post(f"{API}{conversation.pk}/messages/", {"body": "k"}).status_code
        == 201
    )
    assert client_for(asha).get(f"{API}{conversation.pk}/messages/").status_code == 200
    assert blocks.delete(f"/api/v1/blocks/{asha.pk}/").status_code == 204
    assert blocks.delete(f"/api/v1/blocks/{asha.pk}/").status_code == 404
    assert (
        client_for(asha).post(f"{API}{conversation.pk}/messages/", {"body": "again"}).status_code
        == 201
    )


def test_block_blocks_organisation_conversations_too(asha, kenji, client_for, org_of):
    Block.objects.create(blocker=kenji, blocked=asha)
    response = client_for(asha).post(
        API,
        {
            "organisation": org_of(kenji).pk,
            "subject": "S",
            "body": "B",
        },
    )
    assert response.status_code == 403
    assert Conversation.objects.count() == 0


def test_block_bad_input(asha, client_for):
    client = client_for(asha)
    assert client.post("/api/v1/blocks/", {"user": asha.pk}).json() == {
        "user": ["You cannot block yourself."]
    }
    assert client.post("/api/v1/blocks/", {"user": 987654}).json() == {"user": ["No such person."]}
    assert client.post("/api/v1/blocks/", {}).status_code == 400


def test_blocks_are_private_to_the_blocker(asha, kenji, outsider, client_for):
    Block.objects.create(blocker=kenji, blocked=asha)
    assert client_for(outsider).get("/api/v1/blocks/").json()["results"] == []
    assert client_for(outsider).delete(f"/api/v1/blocks/{asha.pk}/").status_code == 404
    assert Block.objects.count() == 1
