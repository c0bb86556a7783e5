"""The inbox pages: list, thread (older messages, reply), compose, edit, delete, mute,
leave, block; the same access rule as the API (404 for a non-participant)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.messaging import services
from members.messaging.models import Block, Conversation, Message, Participant
from tests.factories import OrganisationFactory, member
from tests.pages import logged_in, text

pytestmark = pytest.mark.django_db

INBOX = "/messages/"


def thread_url(conversation) -> str:
    return f"/messages/{conversation.pk}/"


# --- The list ------------------------------------------------------------------------------


def test_inbox_lists_conversations_with_unread_counts(asha, kenji, start):
    conversation = start(asha, kenji, subject="Plant visit", body="Could you come on 12 March?")
    services.message_post(actor=asha, conversation_id=conversation.pk, body="Or the 14th")
    response = logged_in(kenji).get(INBOX)
    assert response.status_code == 200
    page = text(response)
    assert "Plant visit" in page
    assert "With: Asha Reddy" in page
    assert "Asha Reddy: Or the 14th" in page
    assert "2 unread messages" in page
    assert f'href="{thread_url(conversation)}"' in response.content.decode()


def test_inbox_in_japanese(asha, kenji, start):
    start(asha, kenji, subject="工場見学")
    kenji.profile.language = "ja"
    kenji.profile.save()
    page = text(logged_in(kenji).get(INBOX))
    assert "メッセージ 1 件の未読メッセージ" in page  # the header's badge
    assert "相手: Asha Reddy" in page
    assert "ダイジェストをオフにする" in page


def test_inbox_is_for_logged_in_people():
    response = logged_in(member()).get(INBOX)
    assert response.status_code == 200
    from django.test import Client

    assert Client().get(INBOX).status_code == 302


@pytest.mark.parametrize("count", [1, 12])
def test_inbox_query_count_is_constant(asha, kenji, start, count, django_assert_num_queries):
    others = [member(platform=asha_platform(asha)) for _ in range(3)]
    for i in range(count):
        conversation = start(others[i % 3], kenji, *others[: 1 + i % 3], body=f"c{i}")
        services.message_post(actor=kenji, conversation_id=conversation.pk, body="reply")
    client = logged_in(kenji)
    # session, user, the list, its people, the digest preference, the header's unread badge
    with django_assert_num_queries(6):
        response = client.get(INBOX)
    assert len(response.context["conversations"]) == count


def asha_platform(user):
    return user.affiliations.get().organisation.memberships.get().platform


def test_digest_preference_can_be_turned_off_and_on(kenji):
    client = logged_in(kenji)
    assert client.post("/messages/preferences/", {"email_digest": "off"}).status_code == 302
    assert kenji.messaging_preference.email_digest is False
    client.post("/messages/preferences/", {"email_digest": "on"})
    kenji.messaging_preference.refresh_from_db()
    assert kenji.messaging_preference.email_digest is True
    assert client.post("/messages/preferences/", {"email_digest": "x"}).status_code == 400


# --- The thread ----------------------------------------------------------------------------


def test_thread_shows_messages_and_marks_them_read(asha, kenji, start):
    conversation = start(asha, kenji, subject="Cold chain", body="First <b>draft</b>")
    response = logged_in(kenji).get(thread_url(conversation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "First &lt;b&gt;draft&lt;/b&gt;" in html
    assert 'id="poller"' in html
    participant = Participant.objects.get(conversation=conversation, user=kenji)
    assert participant.last_read_message_id == conversation.last_message_id


def test_thread_lists_everyone_the_organisation_brings_in_not_only_who_wrote(
    asha, kenji, platform, start
):
    mitsui = kenji.affiliations.get().organisation
    yuki = member(organisation=mitsui, username="yuki", first_name="Yuki", last_name="Ito")
    conversation = start(asha, organisation_id=mitsui.pk, subject="Plant visit")
    html = logged_in(asha).get(thread_url(conversation)).content.decode()
    people = html[html.index('id="people"') :]
    people = people[: people.index("</ul>")]
    # Neither of Mitsui's representatives has written yet: both are listed, Asha is not.
    assert "Kenji Sato" in people and "Yuki Ito" in people
    assert "Asha Reddy" not in people
    assert f"/block/{yuki.pk}/" in people


def test_thread_is_404_for_a_non_participant(asha, kenji, outsider, start):
    conversation = start(asha, kenji)
    message = conversation.last_message
    client = logged_in(outsider)
    base = thread_url(conversation)
    for url in (
        base,
        f"{base}?before={message.pk}",
        f"{base}poll/?after=0&since=",
        f"{base}messages/{message.pk}/edit/",
        f"{base}messages/{message.pk}/delete/",
        f"{base}leave/",
        f"{base}block/{asha.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (base, f"{base}mute/", f"{base}leave/", f"{base}block/{asha.pk}/"):
        assert client.post(url, {"body": "hi", "muted": "1"}).status_code == 404, url
    assert Message.objects.count() == 1
    assert not Block.objects.exists()
    assert logged_in(outsider).get("/messages/999999/").status_code == 404


def test_reply_is_posted_and_redirects_to_it(asha, kenji, start):
    conversation = start(asha, kenji)
    response = logged_in(kenji).post(thread_url(conversation), {"body": "12 March works."})
    reply = Message.objects.latest("id")
    assert reply.body == "12 March works."
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(conversation)}#message-{reply.pk}"


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 5001])
def test_bad_reply_is_a_field_error_and_saves_nothing(asha, kenji, start, body):
    conversation = start(asha, kenji)
    response = logged_in(kenji).post(thread_url(conversation), {"body": body})
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Message.objects.count() == 1


def test_blocked_reply_is_refused_above_the_form(asha, kenji, start):
    conversation = start(asha, kenji)
    services.block_create(actor=asha, user_id=kenji.pk)
    response = logged_in(kenji).post(thread_url(conversation), {"body": "Hello?"})
    assert "You cannot send messages to this conversation." in text(response)
    assert Message.objects.count() == 1


def test_older_messages_are_paged_in(asha, kenji, start):
    conversation = start(asha, kenji, body="m0")
    for i in range(1, 35):
        services.message_post(actor=asha, conversation_id=conversation.pk, body=f"m{i}")
    client = logged_in(kenji)
    page = client.get(thread_url(conversation))
    items = page.context["items"]
    assert [i["body"] for i in items] == [f"m{i}" for i in range(5, 35)]
    assert "Load older messages" in text(page)
    older = client.get(
        f"{thread_url(conversation)}?before={items[0]['id']}", HTTP_HX_REQUEST="true"
    )
    assert older.status_code == 200
    html = older.content.decode()
    assert html.count("<article") == 5
    assert "m0" in html and "m4" in html and "m5" not in html
    assert "Load older messages" not in html
    # Without htmx, the same link is a page of its own.
    plain = client.get(f"{thread_url(conversation)}?before={items[0]['id']}")
    assert [i["body"] for i in plain.context["items"]] == [f"m{i}" for i in range(5)]


@pytest.mark.parametrize("count", [1, 30])
def test_thread_query_count_is_constant(asha, kenji, start, count, django_assert_num_queries):
    conversation = start(asha, kenji)
    for i in range(count - 1):
        services.message_post(actor=kenji, conversation_id=conversation.pk, body=f"m{i}")
    services.conversation_mark_read(actor=kenji, conversation_id=conversation.pk)
    client = logged_in(kenji)
    # session, user, the conversation, its poll state, the messages, the people, my blocks,
    # the header's unread badge (read already: nothing to mark)
    with django_assert_num_queries(8):
        response = client.get(thread_url(conversation))
    assert len(response.context["items"]) == count


def test_older_page_is_one_query(asha, kenji, start, django_assert_num_queries):
    conversation = start(asha, kenji)
    for i in range(40):
        services.message_post(actor=kenji, conversation_id=conversation.pk, body=f"m{i}")
    client = logged_in(kenji)
    with django_assert_num_queries(3):  # session, user, the page (with the access rule)
        client.get(
            f"{thread_url(conversation)}?before={conversation.pk + 10**6}", HTTP_HX_REQUEST="true"
        )


# --- Polling -------------------------------------------------------------------------------


def poll_params(response) -> str:
    poll = response.context["poll"]
    return f"{poll['url']}?after={poll['after']}&since={poll['since']}".replace("+", "%2B")


def test_poll_is_304_when_nothing_changed(asha, kenji, start):
    conversation = start(asha, kenji)
    client = logged_in(kenji)
    url = poll_params(client.get(thread_url(conversation)))
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 304
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"]


def test_poll_brings_new_and_changed_messages(asha, kenji, start):
    conversation = start(asha, kenji, body="first")
    first = conversation.last_message
    client = logged_in(kenji)
    url = poll_params(client.get(thread_url(conversation)))
    reply = services.message_post(actor=asha, conversation_id=conversation.pk, body="a reply")
    services.message_edit(
        actor=asha, conversation_id=conversation.pk, message_id=first.pk, body="first, fixed"
    )
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#messages"' in html
    assert f'id="message-{reply.pk}"' in html
    assert f'id="message-{first.pk}" hx-swap-oob="true"' in html
    assert "first, fixed" in html
    assert f"after={reply.pk}&amp;" in html  # the poller goes on from the reply
    # Seen in the open thread: read.
    assert (
        Participant.objects.get(conversation=conversation, user=kenji).last_read_message_id
        == reply.pk
    )
    # The next poll from there: nothing new.
    poller = response.context["poll"]
    again = client.get(
        f"{poller['url']}?after={poller['after']}&since={poller['since']}".replace("+", "%2B")
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "params",
    ["after=x&since=", "since=", "after=1&since=yesterday", "after=1&since=2026-13-01T00:00:00"],
)
def test_poll_with_bad_cursors_is_400(asha, kenji, start, params):
    conversation = start(asha, kenji)
    response = logged_in(kenji).get(f"{thread_url(conversation)}poll/?{params}")
    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 30])
def test_poll_is_one_query_whatever_the_rows(asha, kenji, start, count):
    conversation = start(asha, kenji)
    for i in range(count - 1):
        services.message_post(actor=asha, conversation_id=conversation.pk, body=f"m{i}")
    client = logged_in(kenji)
    url = poll_params(client.get(thread_url(conversation)))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 304
    mine = [q["sql"] for q in queries if "messaging_" in q["sql"]]
    assert len(queries) == 3  # session, user, and the poll
    assert len(mine) == 1
    # The latest change comes from the (conversation_id, updated_at) index.
    assert (
        'FROM "messaging_message" U0 WHERE U0."conversation_id" = ("messaging_conversation"."id") ORDER BY 1 DESC LIMIT 1'
        in mine[0]
    )


@pytest.mark.parametrize("count", [1, 20])
def test_poll_with_news_query_count_is_constant(
    asha, kenji, start, count, django_assert_num_queries
):
    conversation = start(asha, kenji)
    client = logged_in(kenji)
    url = poll_params(client.get(thread_url(conversation)))
    for i in range(count):
        services.message_post(actor=asha, conversation_id=conversation.pk, body=f"m{i}")
    # session, user, poll state, new messages, changed messages, mark read (6)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["new"]) == count


def test_poll_reads_a_time_without_zone_as_utc(asha, kenji, start):
    conversation = start(asha, kenji)
    state = Message.objects.get()
    since = state.updated_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    response = logged_in(kenji).get(
        f"{thread_url(conversation)}poll/?after={state.pk}&since={since}"
    )
    assert response.status_code == 304


# --- Compose -------------------------------------------------------------------------------


def test_compose_to_an_organisation(asha, kenji, org_of):
    mitsui = org_of(kenji)
    client = logged_in(asha)
    page = client.get(f"/messages/compose/?organisation={mitsui.pk}")
    assert page.status_code == 200
    assert f"New message to {mitsui.name}" in text(page)
    response = client.post(
        f"/messages/compose/?organisation={mitsui.pk}",
        {"subject": "Co-development", "body": "Shall we meet in Osaka?"},
    )
    conversation = Conversation.objects.get()
    assert response["Location"] == thread_url(conversation)
    assert conversation.organisation == mitsui
    assert conversation.last_message.body == "Shall we meet in Osaka?"


def test_compose_to_a_person(asha, kenji):
    response = logged_in(asha).post(
        f"/messages/compose/?user={kenji.pk}", {"subject": "Hello", "body": "Hi Kenji"}
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert set(conversation.participants.values_list("user_id", flat=True)) == {asha.pk, kenji.pk}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"subject": "", "body": "text"}, "subject"),
        ({"subject": "x" * 201, "body": "text"}, "subject"),
        ({"subject": "S", "body": ""}, "body"),
        ({"subject": "S", "body": "  "}, "body"),
        ({"subject": "S", "body": "x" * 5001}, "body"),
    ],
)
def test_compose_bad_input_is_a_field_error_and_saves_nothing(asha, kenji, data, field):
    response = logged_in(asha).post(f"/messages/compose/?user={kenji.pk}", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_compose_to_an_organisation_that_is_not_a_member_is_refused(asha):
    stranger = OrganisationFactory()
    response = logged_in(asha).post(
        f"/messages/compose/?organisation={stranger.pk}", {"subject": "S", "body": "B"}
    )
    assert "This organisation cannot be messaged" in text(response)
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("query", ["?organisation=abc", "?organisation=999999", "?user=999999"])
def test_compose_to_nobody_is_404(asha, query):
    assert logged_in(asha).get(f"/messages/compose/{query}").status_code == 404


def test_compose_to_a_non_member_person_is_404(asha):
    assert logged_in(asha).get(f"/messages/compose/?user={member().pk}").status_code == 404


def test_compose_without_recipient_points_to_the_directory(asha):
    response = logged_in(asha).get("/messages/compose/")
    assert response.status_code == 200
    assert 'href="/directory/"' in response.content.decode()


def test_compose_by_a_non_member_says_why(kenji):
    response = logged_in(member()).post(
        f"/messages/compose/?user={kenji.pk}", {"subject": "S", "body": "B"}
    )
    assert "Only people of approved member organisations" in text(response)
    assert not Conversation.objects.exists()


def test_compose_when_blocked_is_refused(asha, kenji):
    services.block_create(actor=kenji, user_id=asha.pk)
    response = logged_in(asha).post(
        f"/messages/compose/?user={kenji.pk}", {"subject": "S", "body": "B"}
    )
    assert "You cannot start a conversation with these recipients." in text(response)
    assert not Conversation.objects.exists()


def test_compose_is_rate_limited(asha, kenji, settings):
    settings.MESSAGING_RATE = "1/min"
    client = logged_in(asha)
    url = f"/messages/compose/?user={kenji.pk}"
    assert client.post(url, {"subject": "S", "body": "B"}).status_code == 302
    response = client.post(url, {"subject": "S2", "body": "B2"})
    assert "You are sending messages too fast" in text(response)
    assert Conversation.objects.count() == 1


# --- Edit and delete -----------------------------------------------------------------------


def test_edit_my_message(asha, kenji, start):
    conversation = start(asha, kenji, body="Typo")
    message = conversation.last_message
    url = f"{thread_url(conversation)}messages/{message.pk}/edit/"
    client = logged_in(asha)
    assert "Typo" in client.get(url).content.decode()
    response = client.post(url, {"body": "Fixed"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.body, message.edited_at is not None) == ("Fixed", True)
    assert "edited" in text(client.get(thread_url(conversation)))


@pytest.mark.parametrize("body", ["", " ", "x" * 5001])
def test_bad_edit_is_a_field_error_and_saves_nothing(asha, kenji, start, body):
    conversation = start(asha, kenji, body="Original")
    message = conversation.last_message
    response = logged_in(asha).post(
        f"{thread_url(conversation)}messages/{message.pk}/edit/", {"body": body}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("Original", None)


def test_edit_after_the_window_is_a_field_error(asha, kenji, start):
    conversation = start(asha, kenji, body="Original")
    message = conversation.last_message
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=16))
    client = logged_in(asha)
    assert "Edit" not in text(client.get(thread_url(conversation))).replace("edited", "")
    response = client.post(
        f"{thread_url(conversation)}messages/{message.pk}/edit/", {"body": "New"}
    )
    assert response.context["form"].errors["body"] == [
        "A message can be edited for 15 minutes after it was sent."
    ]
    message.refresh_from_db()
    assert message.body == "Original"


def test_someone_elses_message_cannot_be_edited_or_deleted(asha, kenji, start):
    conversation = start(asha, kenji, body="Asha's")
    message = conversation.last_message
    client = logged_in(kenji)
    base = f"{thread_url(conversation)}messages/{message.pk}"
    assert client.get(f"{base}/edit/").status_code == 404
    assert client.post(f"{base}/edit/", {"body": "Mine now"}).status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("Asha's", None)


def test_delete_asks_then_leaves_a_marker(asha, kenji, start):
    conversation = start(asha, kenji, body="Oops")
    message = conversation.last_message
    url = f"{thread_url(conversation)}messages/{message.pk}/delete/"
    client = logged_in(asha)
    confirm = client.get(url)
    assert "Delete this message?" in text(confirm)
    assert Message.objects.get().deleted_at is None
    client.post(url)
    message.refresh_from_db()
    assert (message.body, message.deleted_at is not None) == ("", True)
    assert "Message deleted" in text(client.get(thread_url(conversation)))


# --- Mute, leave, block --------------------------------------------------------------------


def test_mute_and_unmute(asha, kenji, start):
    conversation = start(asha, kenji)
    client = logged_in(kenji)
    client.post(f"{thread_url(conversation)}mute/", {"muted": "1"})
    assert Participant.objects.get(conversation=conversation, user=kenji).muted is True
    assert "Unmute" in text(client.get(thread_url(conversation)))
    client.post(f"{thread_url(conversation)}mute/", {"muted": "0"})
    assert Participant.objects.get(conversation=conversation, user=kenji).muted is False


def test_leave_asks_then_the_conversation_is_gone(asha, kenji, start):
    conversation = start(asha, kenji, subject="Goodbye")
    client = logged_in(kenji)
    assert "Leave this conversation?" in text(client.get(f"{thread_url(conversation)}leave/"))
    response = client.post(f"{thread_url(conversation)}leave/")
    assert response["Location"] == INBOX
    assert client.get(INBOX).context["conversations"] == []
    assert client.get(thread_url(conversation)).status_code == 404


def test_block_asks_then_unblock(asha, kenji, start):
    conversation = start(asha, kenji)
    client = logged_in(kenji)
    url = f"{thread_url(conversation)}block/{asha.pk}/"
    assert "Block Asha Reddy?" in text(client.get(url))
    assert not Block.objects.exists()
    client.post(url)
    assert Block.objects.filter(blocker=kenji, blocked=asha).exists()
    assert "blocked" in text(client.get(thread_url(conversation)))
    assert "Asha Reddy" in text(client.get("/messages/blocked/"))
    response = client.post(f"/messages/blocked/{asha.pk}/unblock/?conversation={conversation.pk}")
    assert response["Location"] == thread_url(conversation)
    assert not Block.objects.exists()


def test_block_only_people_of_the_conversation(asha, kenji, outsider, start):
    conversation = start(asha, kenji)
    client = logged_in(kenji)
    assert client.get(f"{thread_url(conversation)}block/{outsider.pk}/").status_code == 404
    assert client.post(f"{thread_url(conversation)}block/{kenji.pk}/").status_code == 404
    assert not Block.objects.exists()


# --- The header badge ----------------------------------------------------------------------


def test_unread_badge_in_the_header_of_every_page(asha, kenji, start):
    start(asha, kenji)
    start(asha, kenji)
    html = logged_in(kenji).get("/directory/").content.decode()
    assert 'id="unread-badge">2<span class="visually-hidden"> unread messages</span>' in html


def test_no_badge_without_unread_messages_nor_for_anonymous_visitors(
    kenji, django_assert_num_queries
):
    assert 'id="unread-badge"' not in logged_in(kenji).get("/directory/").content.decode()
    from django.test import Client

    html = Client().get("/directory/").content.decode()
    assert 'id="messages-link"' not in html


def test_badge_costs_nothing_when_not_rendered(kenji, rf):
    from django.template import Context, Template

    from members.messaging.context_processors import unread

    request = rf.get("/")
    request.user = kenji
    context = unread(request)
    with CaptureQueriesContext(connection) as queries:
        Template("{{ x }}").render(Context(context))
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        Template("{{ messaging_unread.unread }}").render(Context(context))
    assert len(queries) == 1


UNREAD = "/messages/unread/"


def test_badge_endpoint_answers_204_while_the_count_shown_is_right(asha, kenji, start):
    client = logged_in(kenji)
    assert client.get(UNREAD, {"n": "0"}).status_code == 204
    start(asha, kenji)
    response = client.get(UNREAD, {"n": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<li class="nav-item" id="messages-nav"')
    assert 'data-unread="1"' in html
    assert 'id="unread-badge">1<span class="visually-hidden"> unread messages</span>' in html
    assert client.get(UNREAD, {"n": "1"}).status_code == 204
    assert "no-cache" in response["Cache-Control"]


def test_badge_endpoint_is_for_logged_in_people_and_ignores_odd_input(asha, kenji, start):
    from django.test import Client

    assert Client().get(UNREAD).status_code == 403
    start(asha, kenji)
    client = logged_in(kenji)
    for odd in ("", "abc", "1.5", "9" * 30, "-1"):
        assert client.get(UNREAD, {"n": odd}).status_code == 200  # not the count: markup
    assert client.post(UNREAD).status_code == 405


@pytest.mark.parametrize("count", [1, 8])
def test_badge_endpoint_query_count_is_constant(
    asha, kenji, start, count, django_assert_num_queries
):
    for _ in range(count):
        start(asha, kenji)
    client = logged_in(kenji)
    with django_assert_num_queries(3):  # session, user, the unread count
        assert client.get(UNREAD, {"n": str(count)}).status_code == 204
