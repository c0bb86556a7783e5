"""Messaging services: digests (once, in the reader's language and time), moderation,
concurrency."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from forum_site.i18n import local_time
from members.messaging import selectors, services
from members.messaging.models import Conversation, Message, Participant
from members.messaging.tasks import send_message_digests
from members.models import Affiliation, Profile
from tests.factories import StaffFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenji(kenji):
    """Kenji reads Japanese, in Tokyo time."""
    Profile.objects.filter(user=kenji).update(language="ja", time_zone="Asia/Tokyo")
    return kenji


def age(minutes: int) -> None:
    """Make every message `minutes` old."""
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_digest_sent_once_in_recipient_language(asha, kenji, mailbox):
    conversation = services.conversation_start(
        actor=asha, subject="Cold chain", body="First <draft> & notes", recipient_ids=[kenji.pk]
    )
    services.message_post(actor=asha, conversation_id=conversation.pk, body="Second")
    age(11)
    assert services.message_digests_send() == 1
    assert services.message_digests_send() == 0
    send_message_digests.delay()  # the beat task, run eagerly: still nothing new
    assert len(mailbox.messages) == 1
    [mail] = mailbox.to("kenji@mitsui.example")
    # (Python's parser keeps the space of the folded encoded-word header.)
    assert mail["Subject"].strip() == "「Cold chain」に未読メッセージが2件あります"
    text = mailbox.text(mail)
    assert "Asha Reddy（" in text
    # When each message was sent, in Kenji's time zone and language.
    first = Message.objects.earliest("id")
    assert f"Asha Reddy（{local_time(first.created_at, 'Asia/Tokyo', 'ja')}）" in text
    assert "(Asia/Tokyo)" in text
    assert "First <draft> & notes" in text
    # The thread page, where Kenji reads and replies; digests are turned off in the inbox.
    assert f"閲覧・返信: {settings.SITE_URL}/messages/{conversation.pk}/\r\n" in text
    assert f"{settings.SITE_URL}/messages/\r\n" in text
    assert "/api/" not in text
    assert mailbox.to("asha@sneha.example") == []


def test_digest_waits_for_the_delay_and_skips_read_messages(asha, kenji, mailbox):
    conversation = services.conversation_start(
        actor=asha, subject="S", body="fresh", recipient_ids=[kenji.pk]
    )
    assert services.message_digests_send() == 0
    age(11)
    services.conversation_mark_read(actor=kenji, conversation_id=conversation.pk)
    assert services.message_digests_send() == 0
    assert mailbox.messages == []


def test_digest_respects_mute_and_preference(asha, kenji, mailbox):
    muted = services.conversation_start(
        actor=asha, subject="Muted", body="m", recipient_ids=[kenji.pk]
    )
    services.conversation_mute(actor=kenji, conversation_id=muted.pk, muted=True)
    services.conversation_start(actor=kenji, subject="To Asha", body="k", recipient_ids=[asha.pk])
    services.preference_update(actor=asha, email_digest=False)
    age(30)
    assert services.message_digests_send() == 0
    assert mailbox.messages == []


def test_second_digest_contains_only_newer_messages(asha, kenji, mailbox):
    conversation = services.conversation_start(
        actor=kenji, subject="Plant visit", body="Old news", recipient_ids=[asha.pk]
    )
    age(20)
    assert services.message_digests_send() == 1
    services.message_post(actor=kenji, conversation_id=conversation.pk, body="New news")
    assert services.message_digests_send() == 0  # not unread for 10 minutes yet
    Message.objects.filter(body="New news").update(
        created_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert services.message_digests_send() == 1
    first, second = mailbox.to("asha@sneha.example")
    assert first["Subject"] == "1 unread message in “Plant visit”"
    assert second["Subject"] == "1 unread message in “Plant visit”"
    assert "Old news" not in mailbox.text(second)
    assert "New news" in mailbox.text(second)


def test_digest_reaches_organisation_members_including_later_ones(asha, kenji, mailbox):
    mitsui = Affiliation.objects.get(user=kenji).organisation
    conversation = services.conversation_start(
        actor=asha, subject="To Mitsui", body="Hello Mitsui", organisation_id=mitsui.pk
    )
    newcomer = member(
        organisation=mitsui,
        role=Affiliation.Role.REPRESENTATIVE,
        username="newcomer",
        email="new@mitsui.example",
    )
    gone = member(organisation=mitsui, username="gone", email="gone@mitsui.example")
    Affiliation.objects.filter(user=gone).update(is_active=False)
    age(11)
    assert services.message_digests_send() == 2
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "kenji@mitsui.example",
        "new@mitsui.example",
    ]
    # A state row does not grant access: once the newcomer leaves Mitsui, nothing more.
    assert Participant.objects.filter(user=newcomer, is_direct=False).count() == 1
    Affiliation.objects.filter(user=newcomer).update(is_active=False)
    assert not Conversation.objects.filter(id__in=selectors.conversation_ids_visible(newcomer))
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    services.message_post(actor=asha, conversation_id=conversation.pk, body="More")
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert services.message_digests_send() == 1
    assert mailbox.messages[-1]["X-Envelope-To"] == "kenji@mitsui.example"


def test_digest_claim_is_given_back_when_sending_fails(asha, kenji, settings):
    conversation = services.conversation_start(
        actor=asha, subject="S", body="B", recipient_ids=[kenji.pk]
    )
    age(11)
    settings.EMAIL_PORT = 1  # nothing listens there
    [participant_id] = services.message_digests_due()
    with pytest.raises(OSError):
        services.message_digest_send(participant_id=participant_id)
    assert Participant.objects.get(pk=participant_id).last_digested_message_id == 0
    assert conversation.pk


def test_send_message_digests_command(asha, kenji, mailbox, capsys):
    services.conversation_start(actor=asha, subject="S", body="B", recipient_ids=[kenji.pk])
    age(11)
    call_command("send_message_digests")
    call_command("send_message_digests")
    assert capsys.readouterr().out == "1 message digest(s) sent.\n0 message digest(s) sent.\n"
    assert len(mailbox.messages) == 1


def test_only_staff_remove_other_peoples_messages(asha, kenji, start):
    message = start(asha, kenji, body="Off-topic").last_message
    with pytest.raises(PermissionDenied, match="Only staff can remove other people's messages."):
        services.message_moderate_delete(actor=kenji, message=message)
    services.message_moderate_delete(actor=StaffFactory(), message=message)
    message.refresh_from_db()
    assert (message.body, message.deleted_at is not None) == ("", True)


def test_concurrent_posts_keep_last_message_and_counts(require_postgres, asha, kenji):
    conversation = services.conversation_start(
        actor=asha, subject="S", body="B", recipient_ids=[kenji.pk]
    )
    errors = []

    def post(user, n):
        try:
            for i in range(n):
                services.message_post(actor=user, conversation_id=conversation.pk, body=f"{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(u, 10)) for u in (asha, kenji) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conversation.refresh_from_db()
    assert Message.objects.filter(conversation=conversation).count() == 81
    assert conversation.last_message_id == Message.objects.latest("id").pk
