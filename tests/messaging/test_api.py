"""/api/v1/conversations/ and /api/v1/blocks/ as members' software uses them."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from members.messaging import services
from members.messaging.api.urls import register
from members.messaging.models import Conversation, Message, Participant
from tests.factories import EventFactory, StaffFactory, member

pytestmark = pytest.mark.django_db

API = "/api/v1/conversations/"


# --- Starting conversations and posting ---------------------------------------------------------


def test_conversation_start_creates_conversation_with_first_message(asha, kenji, client_for):
    response = client_for(asha).post(
        API,
        {
            "recipients": [kenji.pk],
            "subject": "Delegation follow-up",
            "body": "Thank you for visiting.",
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["subject"] == "Delegation follow-up"
    assert data["participants"] == [
        {"id": asha.pk, "name": "Asha Reddy"},
        {"id": kenji.pk, "name": "Kenji Sato"},
    ]
    assert data["last_message"]["preview"] == "Thank you for visiting."
    assert data["unread_count"] == 0
    assert Message.objects.filter(conversation_id=data["id"]).count() == 1
    kenji_view = client_for(kenji).get(f"{API}{data['id']}/").json()
    assert kenji_view["unread_count"] == 1


def test_post_message_and_list_messages(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    response = client_for(kenji).post(f"{API}{conversation.pk}/messages/", {"body": "Hi Asha"})
    assert response.status_code == 201
    assert response.json()["sender"] == {"id": kenji.pk, "name": "Kenji Sato"}
    assert response.json()["body"] == "Hi Asha"
    page = client_for(asha).get(f"{API}{conversation.pk}/messages/").json()
    assert [m["body"] for m in page["results"]] == ["Hello", "Hi Asha"]
    assert page["has_older"] is False
    assert page["older"] is None


def test_mass_assignment_cannot_set_sender_time_or_conversation(
    asha, kenji, outsider, start, client_for
):
    conversation = start(asha, kenji)
    other = start(outsider, kenji)
    response = client_for(asha).post(
        f"{API}{conversation.pk}/messages/",
        {
            "body": "Mine",
            "sender": kenji.pk,
            "conversation": other.pk,
            "id": 999999,
            "created_at": "2001-01-01T00:00:00Z",
            "edited_at": "2001-01-01T00:00:00Z",
            "deleted_at": "2001-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201
    message = Message.objects.get(pk=response.json()["id"])
    assert message.sender == asha
    assert message.conversation_id == conversation.pk
    assert message.created_at.year == timezone.now().year
    assert message.edited_at is None
    assert message.deleted_at is None
    assert message.pk != 999999
    edit = client_for(asha).patch(
        f"{API}{conversation.pk}/messages/{message.pk}/",
        {
            "body": "Mine, edited",
            "sender": kenji.pk,
            "created_at": "2001-01-01T00:00:00Z",
            "conversation": other.pk,
        },
    )
    assert edit.status_code == 200
    message.refresh_from_db()
    assert (message.sender, message.conversation_id, message.body) == (
        asha,
        conversation.pk,
        "Mine, edited",
    )
    assert message.created_at.year == timezone.now().year
    started = client_for(asha).post(
        API,
        {
            "recipients": [kenji.pk],
            "subject": "S",
            "body": "B",
            "created_by": kenji.pk,
            "last_message_at": "2001-01-01T00:00:00Z",
            "created_at": "2001-01-01T00:00:00Z",
        },
    )
    created = Conversation.objects.get(pk=started.json()["id"])
    assert created.created_by == asha
    assert created.created_at.year == timezone.now().year


# --- Bad input: 400 with field errors, nothing stored -------------------------------------------


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"subject": "S", "body": ""}, {"body": ["This field may not be blank."]}),
        (
            {"subject": "S", "body": "x" * 5001},
            {"body": ["Ensure this field has no more than 5000 characters."]},
        ),
        ({"subject": "", "body": "B"}, {"subject": ["This field may not be blank."]}),
        (
            {"subject": "S", "body": "B", "context_type": "party", "context_id": 1},
            {"context_type": ['"party" is not a valid choice.']},
        ),
    ],
)
def test_conversation_start_bad_input_is_400_and_stores_nothing(
    asha, kenji, payload, errors, client_for
):
    response = client_for(asha).post(API, {"recipients": [kenji.pk], **payload})
    assert response.status_code == 400
    assert response.json() == errors
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


def test_conversation_start_refuses_unknown_and_non_member_recipients(asha, client_for, org_of):
    non_member = member(username="applicant")  # organisation without an approved membership
    response = client_for(asha).post(
        API,
        {
            "recipients": [non_member.pk, 987654],
            "subject": "S",
            "body": "B",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "recipients": [
            "These people cannot be messaged (unknown, or not with an approved member "
            f"organisation): {non_member.pk}, 987654."
        ]
    }
    response = client_for(asha).post(
        API,
        {
            "organisation": org_of(non_member).pk,
            "subject": "S",
            "body": "B",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "organisation": [
            "This organisation cannot be messaged (unknown, or not an approved member)."
        ]
    }
    response = client_for(asha).post(API, {"recipients": [asha.pk], "subject": "S", "body": "B"})
    assert response.json() == {"recipients": ["Name at least one recipient or an organisation."]}
    assert Conversation.objects.count() == 0
    assert Participant.objects.count() == 0


def test_non_member_cannot_send(kenji, client_for):
    non_member = member(username="applicant")
    response = client_for(non_member).post(
        API,
        {
            "recipients": [kenji.pk],
            "subject": "S",
            "body": "B",
        },
    )
    assert response.status_code == 403
    assert response.json() == {"detail": services.NOT_ALLOWED}
    assert Conversation.objects.count() == 0


def test_staff_can_message_members(kenji, client_for):
    staff = StaffFactory()
    response = client_for(staff).post(API, {"recipients": [kenji.pk], "subject": "S", "body": "B"})
    assert response.status_code == 201


def test_post_message_bad_input(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    client = client_for(asha)
    url = f"{API}{conversation.pk}/messages/"
    assert client.post(url, {"body": "   "}).json() == {"body": ["This field may not be blank."]}
    assert client.post(url, {}).json() == {"body": ["This field is required."]}
    assert client.post(url, {"body": "x" * 5001}).status_code == 400
    assert Message.objects.count() == 1


def test_context_filter_and_validation(asha, kenji, start, client_for):
    event = EventFactory()
    about_event = start(asha, kenji, context_type="event", context_id=event.pk)
    start(asha, kenji, context_type="event", context_id=EventFactory().pk)
    start(asha, kenji)
    response = client_for(kenji).get(API, {"context_type": "event", "context_id": event.pk})
    assert [c["id"] for c in response.json()["results"]] == [about_event.pk]
    unknown = client_for(asha).post(
        API,
        {
            "recipients": [kenji.pk],
            "subject": "S",
            "body": "B",
            "context_type": "event",
            "context_id": event.pk + 1000,
        },
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"context_id": ["No event with this id."]}
    assert client_for(kenji).get(API, {"context_type": "party"}).status_code == 400
    incomplete = client_for(asha).post(
        API,
        {
            "recipients": [kenji.pk],
            "subject": "S",
            "body": "B",
            "context_type": "event",
        },
    )
    assert incomplete.json() == {
        "context_id": ["Give the id of the object the conversation is about."]
    }


def test_participant_cannot_edit_or_delete_someone_elses_message(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    url = f"{API}{conversation.pk}/messages/{conversation.last_message_id}/"
    assert client_for(kenji).patch(url, {"body": "forged"}).status_code == 403
    assert client_for(kenji).delete(url).status_code == 403
    assert Message.objects.get().body == "Hello"


# --- Read state ---------------------------------------------------------------------------------


def test_unread_counts_move_with_messages_and_reads(asha, kenji, start, client_for):
    conversation = start(asha, kenji, body="one")
    ids = [conversation.last_message_id]
    for body in ("two", "three"):
        ids.append(services.message_post(actor=asha, conversation_id=conversation.pk, body=body).pk)
    other = start(asha, kenji, body="elsewhere")
    kenji_client = client_for(kenji)
    assert kenji_client.get(f"{API}unread/").json() == {"unread": 4, "conversations": 2}
    listing = kenji_client.get(API).json()["results"]
    assert [(c["id"], c["unread_count"]) for c in listing] == [(other.pk, 1), (conversation.pk, 3)]
    read = kenji_client.post(f"{API}{conversation.pk}/read/", {"message_id": ids[1]})
    assert read.json() == {"last_read_message_id": ids[1], "unread_count": 1}
    # The pointer never moves back.
    back = kenji_client.post(f"{API}{conversation.pk}/read/", {"message_id": ids[0]})
    assert back.json() == {"last_read_message_id": ids[1], "unread_count": 1}
    assert kenji_client.post(f"{API}{conversation.pk}/read/").json() == {
        "last_read_message_id": ids[2],
        "unread_count": 0,
    }
    assert kenji_client.get(f"{API}unread/").json() == {"unread": 1, "conversations": 1}
    # Replying marks my conversation read; my own messages are never unread.
    services.message_post(actor=kenji, conversation_id=other.pk, body="reply")
    assert kenji_client.get(f"{API}unread/").json() == {"unread": 0, "conversations": 0}
    assert client_for(asha).get(f"{API}unread/").json() == {"unread": 1, "conversations": 1}


def test_mark_read_refuses_message_of_other_conversation(asha, kenji, start, client_for):
    mine = start(asha, kenji)
    other = start(kenji, asha)
    response = client_for(kenji).post(
        f"{API}{mine.pk}/read/", {"message_id": other.last_message_id}
    )
    assert response.status_code == 400
    assert response.json() == {"message_id": ["No such message in this conversation."]}


def test_deleted_messages_are_not_unread_and_leave_a_marker(asha, kenji, start, client_for):
    conversation = start(asha, kenji, body="oops")
    url = f"{API}{conversation.pk}/messages/{conversation.last_message_id}/"
    response = client_for(asha).delete(url)
    assert response.status_code == 200
    assert (response.json()["body"], response.json()["deleted"]) == ("", True)
    assert client_for(kenji).get(f"{API}{conversation.pk}/").json()["unread_count"] == 0
    listed = client_for(kenji).get(API).json()["results"][0]["last_message"]
    assert (listed["preview"], listed["deleted"]) == ("", True)
    assert client_for(asha).patch(url, {"body": "again"}).json() == {
        "body": ["This message was deleted."]
    }


def test_edit_within_window_shows_as_edited_and_not_after(asha, kenji, settings, start, client_for):
    settings.MESSAGING_EDIT_WINDOW_MINUTES = 15
    conversation = start(asha, kenji, body="Tuesday")
    url = f"{API}{conversation.pk}/messages/{conversation.last_message_id}/"
    edited = client_for(asha).patch(url, {"body": "Wednesday"}).json()
    assert (edited["body"], edited["edited"]) == ("Wednesday", True)
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=16))
    late = client_for(asha).patch(url, {"body": "Thursday"})
    assert late.status_code == 400
    assert late.json() == {"body": ["A message can be edited for 15 minutes after it was sent."]}
    assert Message.objects.get().body == "Wednesday"


# --- Cursor pagination and polling --------------------------------------------------------------


def test_message_cursors_in_both_directions_and_since(asha, kenji, start, client_for):
    conversation = start(asha, kenji, body="m0")
    for i in range(1, 7):
        services.message_post(actor=asha, conversation_id=conversation.pk, body=f"m{i}")
    client = client_for(kenji)
    url = f"{API}{conversation.pk}/messages/"
    latest = client.get(url, {"limit": 3}).json()
    assert [m["body"] for m in latest["results"]] == ["m4", "m5", "m6"]
    assert (latest["has_older"], latest["has_newer"], latest["newer"]) == (True, False, None)
    older = client.get(latest["older"]).json()
    assert [m["body"] for m in older["results"]] == ["m1", "m2", "m3"]
    oldest = client.get(older["older"]).json()
    assert [m["body"] for m in oldest["results"]] == ["m0"]
    assert oldest["has_older"] is False
    newer = client.get(oldest["newer"]).json()
    assert [m["body"] for m in newer["results"]] == ["m1", "m2", "m3"]
    assert newer["has_newer"] is True
    mark = timezone.now()
    Message.objects.filter(body="m2").update(updated_at=mark)
    Message.objects.exclude(body="m2").update(updated_at=mark - dt.timedelta(seconds=5))
    polled = client.get(url, {"since": mark.isoformat()}).json()
    assert [m["body"] for m in polled["results"]] == ["m2"]
    assert client.get(url, {"before": 3, "after": 1}).status_code == 400
    assert client.get(url, {"since": "yesterday"}).status_code == 400


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_default_and_change(asha, client_for):
    client = client_for(asha)
    assert client.get(f"{API}preferences/").json() == {"email_digest": True}
    assert client.patch(f"{API}preferences/", {"email_digest": False}).json() == {
        "email_digest": False
    }
    assert client.get(f"{API}preferences/").json() == {"email_digest": False}
    assert client.patch(f"{API}preferences/", {"email_digest": "maybe"}).status_code == 400


# --- Token authentication -----------------------------------------------------------------------


def test_token_authentication_answers_like_drf(asha, kenji, start):
    conversation = start(asha, kenji)
    token = Token.objects.create(user=kenji)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    page = client.get(f"{API}{conversation.pk}/messages/")
    assert page.status_code == 200
    assert page.json()["results"][0]["sender"] == {"id": asha.pk, "name": "Asha Reddy"}
    assert client.get(API).json()["results"][0]["id"] == conversation.pk
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    refused = client.get(f"{API}{conversation.pk}/messages/")
    assert (refused.status_code, refused.json()) == (401, {"detail": "Invalid token."})
    kenji.is_active = False
    kenji.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    inactive = client.get(f"{API}{conversation.pk}/messages/")
    assert (inactive.status_code, inactive.json()) == (401, {"detail": "User inactive or deleted."})


# --- Throttling ---------------------------------------------------------------------------------


def test_posting_is_rate_limited_with_retry_after(asha, kenji, settings, start, client_for):
    settings.MESSAGING_RATE = "3/min"
    cache.delete(f"throttle_messages_{asha.pk}")
    conversation = start(asha, kenji)
    client = client_for(asha)
    url = f"{API}{conversation.pk}/messages/"
    codes = [client.post(url, {"body": f"m{i}"}).status_code for i in range(3)]
    assert codes == [201, 201, 201]
    refused = client.post(url, {"body": "one too many"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert (
        client.post(API, {"recipients": [kenji.pk], "subject": "S", "body": "B"}).status_code == 429
    )
    # Reading is not limited.
    assert client.get(url).status_code == 200
    assert Message.objects.count() == 4
    cache.delete(f"throttle_messages_{asha.pk}")


# --- OpenAPI ------------------------------------------------------------------------------------


def test_schema_documents_every_messaging_route_with_examples():
    # Generated for the messaging routes alone, so another app's schema problem cannot
    # hide a messaging one (and the other way round).
    router = DefaultRouter()
    register(router)
    generator = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))])
    schema = generator.get_schema(request=None, public=True)
    paths = {
        p: ops
        for p, ops in schema["paths"].items()
        if p.startswith(("/api/v1/conversations", "/api/v1/blocks"))
    }
    assert sorted(paths) == [
        "/api/v1/blocks/",
        "/api/v1/blocks/{user_id}/",
        "/api/v1/conversations/",
        "/api/v1/conversations/preferences/",
        "/api/v1/conversations/unread/",
        "/api/v1/conversations/{id}/",
        "/api/v1/conversations/{id}/leave/",
        "/api/v1/conversations/{id}/messages/",
        "/api/v1/conversations/{id}/messages/{message_id}/",
        "/api/v1/conversations/{id}/mute/",
        "/api/v1/conversations/{id}/read/",
    ]
    for route, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), (method, route)
            examples = [
                content.get("examples")
                for response in operation["responses"].values()
                for content in response.get("content", {}).values()
            ] + [
                content.get("examples")
                for content in operation.get("requestBody", {}).get("content", {}).values()
            ]
            assert any(examples) or "204" in operation["responses"], (method, route)
