"""Demo messaging: Asha (Sneha Farms) and Kenji (Mitsui) follow up their meeting.

Deterministic and idempotent: the conversation is recognised by its subject and
participants, so loading twice changes nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.messaging.models import Conversation, Message, Participant

SUBJECT = "Follow-up: poultry cold-chain co-development"
MESSAGES = [
    (
        "kenji",
        180,
        "Asha-san, thank you for the visit to your Telangana processing plant. "
        "Our food business team would like to continue the cold-chain discussion.",
    ),
    (
        "asha",
        170,
        "Thank you, Kenji-san. We can share our throughput data and the list of "
        "equipment we would like to upgrade before the next council meeting.",
    ),
    ("kenji", 150, "Excellent. Could we schedule a call next Tuesday, 10:00 IST / 13:30 JST?"),
    ("asha", 25, "Tuesday works. I will send the data pack and invite our plant head, Ravi."),
]


@transaction.atomic
def load() -> dict[str, int]:
    User = get_user_model()
    people = {u.username: u for u in User.objects.filter(username__in=["asha", "kenji"])}
    if len(people) < 2:
        return {"conversations": 0, "messages": 0}
    asha, kenji = people["asha"], people["kenji"]
    existing = Conversation.objects.filter(
        subject=SUBJECT, created_by=kenji, participants__user=asha
    ).first()
    if existing is None:
        now = timezone.now()
        start = now - dt.timedelta(minutes=MESSAGES[0][1])
        conversation = Conversation.objects.create(
            subject=SUBJECT, created_by=kenji, created_at=start, last_message_at=start
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user=kenji, joined_at=start),
                Participant(conversation=conversation, user=asha, joined_at=start),
            ]
        )
        created = []
        for username, minutes_ago, body in MESSAGES:
            at = now - dt.timedelta(minutes=minutes_ago)
            created.append(
                Message.objects.create(
                    conversation=conversation,
                    sender=people[username],
                    body=body,
                    created_at=at,
                    updated_at=at,
                )
            )
        last = created[-1]
        conversation.last_message, conversation.last_message_at = last, last.created_at
        conversation.save(update_fields=["last_message", "last_message_at"])
        # Kenji has read everything but Asha's last message, which stays unread for a
        # while: `manage.py send_message_digests` emails him a digest.
        Participant.objects.filter(conversation=conversation, user=kenji).update(
            last_read_message_id=created[-2].pk
        )
        Participant.objects.filter(conversation=conversation, user=asha).update(
            last_read_message_id=last.pk
        )
    return {
        "conversations": Conversation.objects.filter(participants__user=asha).count(),
        "messages": Message.objects.filter(conversation__participants__user=asha).count(),
    }
