"""/api/v1/conversations/ and /api/v1/blocks/ as members' software uses them."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from members.messaging import services as services
from members.messaging.models import Block, Conversation, Message, Participant
from members.models import Affiliation
from tests.factories import EventFactory, PlatformFactory, StaffFactory, member

pytestmark = pytest.mark.django_db

API = "/api/v1/conversations/"


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.MESSAGING_RATE = "100000/min"
    # The factories set passwords; the default hasher costs ~0.5 s per person here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform():
    return PlatformFactory(slug="sme-forum")


@pytest.fixture
def asha(platform):
    return member(
        platform=platform,
        username="asha",
        first_name="Asha",
        last_name="Reddy",
        email="asha@sneha.example",
    )


@pytest.fixture
def kenji(platform):
    return member(
        platform=platform,
        username="kenji",
        first_name="Kenji",
        last_name="Sato",
        email="kenji@mitsui.example",
    )


@pytest.fixture
def outsider(platform):
    """A member of another (approved) organisation who takes part in nothing."""
    return member(platform=platform, username="outsider", email="out@elsewhere.example")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start(actor, *recipients, subject="Follow-up", body="Hello", **kwargs) -> Conversation:
    return services.conversation_start(
        actor=actor,
        subject=subject,
        body=body,
        recipient_ids=[r.pk for r in recipients],
        **kwargs,
    )


def org_of(user):
    return Affiliation.objects.get(user=user).organisation


# --- Starting conversations and posting ------------------------------------------------------


def test_conversation_start_creates_conversation_with_first_message(asha, kenji):
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


def test_post_message_and_list_messages(asha, kenji):
    conversation = start(asha, kenji)
    response = client_for(kenji).post(f"{API}{conversation.pk}/messages/", {"body": "Hi Asha"})
    assert response.status_code == 201
    assert response.json()["sender"] == {"id": kenji.pk, "name": "Kenji Sato"}
    assert response.json()["body"] == "Hi Asha"
    page = client_for(asha).get(f"{API}{conversation.pk}/messages/").json()
    assert [m["body"] for m in page["results"]] == ["Hello", "Hi Asha"]
    assert page["has_older"] is False
    assert page["older"] is None


def test_mass_assignment_cannot_set_sender_time_or_conversation(asha, kenji, outsider):
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


# --- Bad input: 400 with field errors, nothing stored ---------------------------------------


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
def test_conversation_start_bad_input_is_400_and_stores_nothing(asha, kenji, payload, errors):
    response = client_for(asha).post(API, {"recipients": [kenji.pk], **payload})
    assert response.status_code == 400
    assert response.json() == errors
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


def test_conversation_start_refuses_unknown_and_non_member_recipients(asha):
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


def test_non_member_cannot_send(kenji):
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


def test_staff_can_message_members(kenji):
    staff = StaffFactory()
    response = client_for(staff).post(API, {"recipients": [kenji.pk], "subject": "S", "body": "B"})
    assert response.status_code == 201


def test_post_message_bad_input(asha, kenji):
    conversation = start(asha, kenji)
    client = client_for(asha)
    url = f"{API}{conversation.pk}/messages/"
    assert client.post(url, {"body": "   "}).json() == {"body": ["This field may not be blank."]}
    assert client.post(url, {}).json() == {"body": ["This field is required."]}
    assert client.post(url, {"body": "x" * 5001}).status_code == 400
    assert Message.objects.count() == 1


def test_context_filter_and_validation(asha, kenji):
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


# --- Authorization: walk every route as a member of another organisation ---------------------


def routes(conversation_id: int, message_id: int) -> list[tuple[str, str, dict | None]]:
    base = f"{API}{conversation_id}/"
    return [
        ("get", base, None),
        ("get", f"{base}messages/", None),
        ("post", f"{base}messages/", {"body": "let me in"}),
        ("get", f"{base}messages/{message_id}/", None),
        ("patch", f"{base}messages/{message_id}/", {"body": "changed"}),
        ("delete", f"{base}messages/{message_id}/", None),
        ("post", f"{base}read/", {}),
        ("post", f"{base}mute/", {"muted": True}),
        ("post", f"{base}leave/", None),
    ]


def test_every_conversation_route_is_404_for_a_non_participant(asha, kenji, outsider):
    conversation = start(asha, kenji, body="private")
    message = conversation.last_message
    client = client_for(outsider)
    for method, url, payload in routes(conversation.pk, message.pk):
        response = getattr(client, method)(url, payload)
        assert (method, url, response.status_code) == (method, url, 404)
    # The same answer as for a conversation that does not exist.
    for method, url, payload in routes(conversation.pk + 1000, message.pk + 1000):
        assert getattr(client, method)(url, payload).status_code == 404
    assert client.get(API).json()["results"] == []
    assert client.get(f"{API}unread/").json() == {"unread": 0, "conversations": 0}
    assert Message.objects.count() == 1
    message.refresh_from_db()
    assert message.body == "private"
    assert Participant.objects.filter(user=outsider).count() == 0


def test_every_conversation_route_works_for_a_participant(asha, kenji):
    conversation = start(asha, kenji)
    message = conversation.last_message
    client = client_for(asha)
    expected = [200, 200, 201, 200, 200, 200, 200, 200, 204]
    got = [
        getattr(client, method)(url, payload).status_code
        for method, url, payload in routes(conversation.pk, message.pk)
    ]
    assert got == expected


def test_message_of_another_conversation_is_404(asha, kenji, outsider):
    mine = start(asha, kenji)
    theirs = start(outsider, kenji)
    response = client_for(asha).get(f"{API}{mine.pk}/messages/{theirs.last_message_id}/")
    assert response.status_code == 404


def test_participant_cannot_edit_or_delete_someone_elses_message(asha, kenji):
    conversation = start(asha, kenji)
    url = f"{API}{conversation.pk}/messages/{conversation.last_message_id}/"
    assert client_for(kenji).patch(url, {"body": "forged"}).status_code == 403
    assert client_for(kenji).delete(url).status_code == 403
    assert Message.objects.get().body == "Hello"


def test_left_participant_gets_404(asha, kenji):
    conversation = start(asha, kenji)
    assert client_for(kenji).post(f"{API}{conversation.pk}/leave/").status_code == 204
    assert client_for(kenji).get(f"{API}{conversation.pk}/").status_code == 404
    assert client_for(kenji).get(API).json()["results"] == []
    assert client_for(asha).get(f"{API}{conversation.pk}/").json()["participants"] == [
        {"id": asha.pk, "name": "Asha Reddy"}
    ]


# --- Organisation conversations ------------------------------------------------------------


def test_organisation_conversation_reaches_current_representatives(asha, kenji, platform):
    mitsui = org_of(kenji)
    conversation = start(asha, organisation_id=mitsui.pk, subject="To Mitsui")
    assert client_for(kenji).get(f"{API}{conversation.pk}/").json()["unread_count"] == 1
    # Someone Mitsui adds later takes part too, with the history.
    newcomer = member(
        organisation=mitsui, role=Affiliation.Role.REPRESENTATIVE, username="newcomer"
    )
    page = client_for(newcomer).get(f"{API}{conversation.pk}/messages/").json()
    assert [m["body"] for m in page["results"]] == ["Hello"]
    reply = client_for(newcomer).post(f"{API}{conversation.pk}/messages/", {"body": "Noted"})
    assert reply.status_code == 201
    # Someone who no longer represents Mitsui does not.
    Affiliation.objects.filter(user=newcomer).update(is_active=False)
    assert client_for(newcomer).get(f"{API}{conversation.pk}/").status_code == 404
    assert client_for(asha).get(f"{API}{conversation.pk}/").json()["unread_count"] == 1


def test_organisation_member_can_leave_and_mute_organisation_conversation(asha, kenji):
    conversation = start(asha, organisation_id=org_of(kenji).pk)
    client = client_for(kenji)
    assert client.post(f"{API}{conversation.pk}/mute/", {"muted": True}).json() == {"muted": True}
    assert client.get(f"{API}unread/").json() == {"unread": 0, "conversations": 0}
    assert client.post(f"{API}{conversation.pk}/leave/").status_code == 204
    assert client.get(f"{API}{conversation.pk}/").status_code == 404


# --- Read state ----------------------------------------------------------------------------


def test_unread_counts_move_with_messages_and_reads(asha, kenji):
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


def test_mark_read_refuses_message_of_other_conversation(asha, kenji):
    mine = start(asha, kenji)
    other = start(kenji, asha)
    response = client_for(kenji).post(
        f"{API}{mine.pk}/read/", {"message_id": other.last_message_id}
    )
    assert response.status_code == 400
    assert response.json() == {"message_id": ["No such message in this conversation."]}


def test_deleted_messages_are_not_unread_and_leave_a_marker(asha, kenji):
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


def test_edit_within_window_shows_as_edited_and_not_after(asha, kenji, settings):
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


# --- Cursor pagination and polling -----------------------------------------------------------


def test_message_cursors_in_both_directions_and_since(asha, kenji):
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


# --- Blocks --------------------------------------------------------------------------------


def test_blocked_person_cannot_message_and_unblock_restores(asha, kenji):
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


def test_block_blocks_organisation_conversations_too(asha, kenji):
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


def test_block_bad_input(asha):
    client = client_for(asha)
    assert client.post("/api/v1/blocks/", {"user": asha.pk}).json() == {
        "user": ["You cannot block yourself."]
    }
    assert client.post("/api/v1/blocks/", {"user": 987654}).json() == {"user": ["No such person."]}
    assert client.post("/api/v1/blocks/", {}).status_code == 400


def test_blocks_are_private_to_the_blocker(asha, kenji, outsider):
    Block.objects.create(blocker=kenji, blocked=asha)
    assert client_for(outsider).get("/api/v1/blocks/").json()["results"] == []
    assert client_for(outsider).delete(f"/api/v1/blocks/{asha.pk}/").status_code == 404
    assert Block.objects.count() == 1


# --- Preferences ---------------------------------------------------------------------------


def test_preferences_default_and_change(asha):
    client = client_for(asha)
    assert client.get(f"{API}preferences/").json() == {"email_digest": True}
    assert client.patch(f"{API}preferences/", {"email_digest": False}).json() == {
        "email_digest": False
    }
    assert client.get(f"{API}preferences/").json() == {"email_digest": False}
    assert client.patch(f"{API}preferences/", {"email_digest": "maybe"}).status_code == 400


# --- Query counts: constant whatever the number of rows -------------------------------------


def _many_conversations(me, count):
    people = [member(platform=PlatformFactory(slug="sme-forum")) for _ in range(3)]
    for i in range(count):
        conversation = start(people[i % 3], me, *people[: 1 + i % 3], body=f"c{i}")
        services.message_post(actor=me, conversation_id=conversation.pk, body="reply")
    start(people[0], organisation_id=org_of(me).pk, body="to my organisation")


@pytest.mark.parametrize("count", [1, 12])
def test_conversation_list_query_count_is_constant(kenji, django_assert_num_queries, count):
    _many_conversations(kenji, count)
    client = client_for(kenji)
    with django_assert_num_queries(2):
        response = client.get(API)
    assert len(response.json()["results"]) == count + 1


@pytest.mark.parametrize("count", [1, 30])
def test_message_list_query_count_is_constant(asha, kenji, django_assert_num_queries, count):
    conversation = start(asha, kenji)
    for i in range(count - 1):
        services.message_post(actor=kenji, conversation_id=conversation.pk, body=f"m{i}")
    client = client_for(asha)
    with django_assert_num_queries(1):  # the access rule is part of the page's query
        response = client.get(f"{API}{conversation.pk}/messages/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 8])
def test_unread_total_query_count_is_constant(kenji, django_assert_num_queries, count):
    _many_conversations(kenji, count)
    client = client_for(kenji)
    with django_assert_num_queries(1):
        response = client.get(f"{API}unread/")
    assert response.json()["conversations"] == 1


@pytest.mark.parametrize("count", [1, 6])
def test_block_list_query_count_is_constant(asha, django_assert_num_queries, count):
    for _ in range(count):
        Block.objects.create(blocker=asha, blocked=member())
    client = client_for(asha)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/blocks/")
    assert response.json()["count"] == count


def test_message_page_applies_the_same_access_rule_as_everything_else(asha, kenji, platform):
    # The message page writes the access rule in SQL of its own; it must agree with
    # `conversation_ids_visible` for every kind of person.
    from members.messaging.selectors import conversation_ids_visible

    mitsui = org_of(kenji)
    direct = start(asha, kenji)
    to_mitsui = start(asha, organisation_id=mitsui.pk)
    colleague = member(organisation=mitsui, role=Affiliation.Role.REPRESENTATIVE)
    former = member(organisation=mitsui, role=Affiliation.Role.REPRESENTATIVE)
    Affiliation.objects.filter(user=former).update(is_active=False)
    leaver = member(organisation=mitsui, role=Affiliation.Role.REPRESENTATIVE)
    services.conversation_leave(actor=leaver, conversation_id=to_mitsui.pk)
    services.conversation_leave(actor=kenji, conversation_id=direct.pk)
    outsider = member(platform=platform)
    seen = {}
    for person in (asha, kenji, colleague, former, leaver, outsider):
        visible = set(
            Conversation.objects.filter(id__in=conversation_ids_visible(person)).values_list(
                "pk", flat=True
            )
        )
        for conversation in (direct, to_mitsui):
            url = f"{API}{conversation.pk}/messages/"
            code = client_for(person).get(url).status_code
            polled = client_for(person).get(url, {"since": timezone.now().isoformat()})
            assert (code, polled.status_code) == (
                (200, 200) if conversation.pk in visible else (404, 404)
            )
            seen[person.username, conversation.pk] = code
    assert list(seen.values()) == [200, 200, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404]


def test_token_authentication_answers_like_drf(asha, kenji):
    from rest_framework.authtoken.models import Token

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


# --- Throttling ------------------------------------------------------------------------------


def test_posting_is_rate_limited_with_retry_after(asha, kenji, settings):
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


# --- OpenAPI ---------------------------------------------------------------------------------


def test_schema_documents_every_messaging_route_with_examples():
    # Generated for the messaging routes alone, so another app's schema problem cannot
    # hide a messaging one (and the other way round).
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from members.messaging.api import views as messaging_views

    router = DefaultRouter()
    router.register("conversations", messaging_views.ConversationViewSet, basename="conversation")
    router.register("blocks", messaging_views.BlockViewSet, basename="block")
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
