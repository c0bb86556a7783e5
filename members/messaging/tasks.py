"""Celery tasks of messaging: email digests of messages left unread for a while.

`members.send_message_digests` runs from beat (CELERY_BEAT_SCHEDULE, every minute) and
fans out one `members.send_message_digest` per person and conversation; each is safe to
run twice (the digest pointer is claimed with a conditional UPDATE).
"""

from celery import shared_task

from forum_site.tasks import RETRY_ON_MAIL_ERRORS
from members.messaging import services as messaging_services

__all__ = ["send_message_digest", "send_message_digests"]


@shared_task(name="members.send_message_digests")
def send_message_digests() -> int:
    due = messaging_services.message_digests_due()
    for participant_id in due:
        send_message_digest.delay(participant_id)
    return len(due)


@shared_task(name="members.send_message_digest", **RETRY_ON_MAIL_ERRORS)
def send_message_digest(participant_id: int) -> bool:
    return messaging_services.message_digest_send(participant_id=participant_id)
