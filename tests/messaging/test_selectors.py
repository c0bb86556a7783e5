"""Who sees what (the access rule of members/messaging/selectors.py, on every route), and
reads whose number of queries does not grow with the rows."""

import pytest
from django.utils import timezone

from members.messaging import services
from members.messaging.models import Block, Conversation, Message, Participant
from members.messaging.selectors import conversation_ids_visible
from members.models import Affiliation
from tests.factories import PlatformFactory, member

pytestmark = pytest.mark.django_db

API = "/api/v1/conversations/"


# --- Authorization: walk every route as a member of another organisation ------------------------


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


def test_every_conversation_route_is_404_for_a_non_participant(
    asha, kenji, outsider, start, client_for
):
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


def test_every_conversation_route_works_for_a_participant(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    message = conversation.last_message
    client = client_for(asha)
    expected = [200, 200, 201, 200, 200, 200, 200, 200, 204]
    got = [
        getattr(client, method)(url, payload).status_code
        for method, url, payload in routes(conversation.pk, message.pk)
    ]
    assert got == expected


def test_message_of_another_conversation_is_404(asha, kenji, outsider, start, client_for):
    mine = start(asha, kenji)
    theirs = start(outsider, kenji)
    response = client_for(asha).get(f"{API}{mine.pk}/messages/{theirs.last_message_id}/")
    assert response.status_code == 404


def test_left_participant_gets_404(asha, kenji, start, client_for):
    conversation = start(asha, kenji)
    assert client_for(kenji).post(f"{API}{conversation.pk}/leave/").status_code == 204
    assert client_for(kenji).get(f"{API}{conversation.pk}/").status_code == 404
    assert client_for(kenji).get(API).json()["results"] == []
    assert client_for(asha).get(f"{API}{conversation.pk}/").json()["participants"] == [
        {"id": asha.pk, "name": "Asha Reddy"}
    ]


# --- Organisation conversations -----------------------------------------------------------------


def test_organisation_conversation_reaches_current_representatives(
    asha, kenji, platform, start, client_for, org_of
):
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


def test_organisation_member_can_leave_and_mute_organisation_conversation(
    asha, kenji, start, client_for, org_of
):
    conversation = start(asha, organisation_id=org_of(kenji).pk)
    client = client_for(kenji)
    assert client.post(f"{API}{conversation.pk}/mute/", {"muted": True}).json() == {"muted": True}
    assert client.get(f"{API}unread/").json() == {"unread": 0, "conversations": 0}
    assert client.post(f"{API}{conversation.pk}/leave/").status_code == 204
    assert client.get(f"{API}{conversation.pk}/").status_code == 404


# --- The message page follows the rule ----------------------------------------------------------


def test_message_page_follows_conversation_ids_visible_in_every_case(
    asha, kenji, platform, start, client_for, org_of
):
    # The page's query (compiled once per shape of the request) filters by
    # `conversation_ids_visible`, the one rule: every kind of person gets the page exactly
    # when the rule lets them see the conversation, 404 otherwise, with every cursor.
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
            cursors = [{"after": 0}, {"before": conversation.last_message_id + 1}, {"limit": 1}]
            expected = 200 if conversation.pk in visible else 404
            for cursor in cursors:
                assert client_for(person).get(url, cursor).status_code == expected, cursor
            seen[person.username, conversation.pk] = code
    # asha: both; kenji: left the direct one, Mitsui's through his organisation; the
    # colleague: Mitsui's; the former representative, the leaver and the outsider: neither.
    assert list(seen.values()) == [200, 200, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404]


# --- Query counts: constant whatever the number of rows -----------------------------------------


@pytest.fixture
def many_conversations(start, org_of):
    """`many_conversations(me, count)`: `count` conversations with others, replied to, and
    one addressed to my organisation."""

    def many_conversations(me, count):
        people = [member(platform=PlatformFactory(slug="sme-forum")) for _ in range(3)]
        for i in range(count):
            conversation = start(people[i % 3], me, *people[: 1 + i % 3], body=f"c{i}")
            services.message_post(actor=me, conversation_id=conversation.pk, body="reply")
        start(people[0], organisation_id=org_of(me).pk, body="to my organisation")

    return many_conversations


@pytest.mark.parametrize("count", [1, 12])
def test_conversation_list_query_count_is_constant(
    kenji, django_assert_num_queries, count, client_for, many_conversations
):
    many_conversations(kenji, count)
    client = client_for(kenji)
    with django_assert_num_queries(2):
        response = client.get(API)
    assert len(response.json()["results"]) == count + 1


@pytest.mark.parametrize("count", [1, 30])
def test_message_list_query_count_is_constant(
    asha, kenji, django_assert_num_queries, count, start, client_for
):
    conversation = start(asha, kenji)
    for i in range(count - 1):
        services.message_post(actor=kenji, conversation_id=conversation.pk, body=f"m{i}")
    client = client_for(asha)
    with django_assert_num_queries(1):  # the access rule is part of the page's query
        response = client.get(f"{API}{conversation.pk}/messages/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 8])
def test_unread_total_query_count_is_constant(
    kenji, django_assert_num_queries, count, client_for, many_conversations
):
    many_conversations(kenji, count)
    client = client_for(kenji)
    with django_assert_num_queries(1):
        response = client.get(f"{API}unread/")
    assert response.json()["conversations"] == 1


@pytest.mark.parametrize("count", [1, 6])
def test_block_list_query_count_is_constant(asha, django_assert_num_queries, count, client_for):
    for _ in range(count):
        Block.objects.create(blocker=asha, blocked=member())
    client = client_for(asha)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/blocks/")
    assert response.json()["count"] == count
