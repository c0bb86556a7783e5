"""Celery tasks of messaging: email digests of messages left unread for a while.

`members.send_message_digests` runs from beat (CELERY_BEAT_SCHEDULE, every minute) and
fans out one `members.send_message_digest` per person and conversation; each is safe to
run twice (the digest pointer is claimed with a conditional UPDATE).
"""

from celery import shared_task

from members.messaging import services as messaging_services

__all__ = ["send_message_digest", "send_message_digests"]


@shared_task(name="members.send_message_digests")
def send_message_digests() -> int:
    due = messaging_services.message_digests_due()
    for participant_id in due:
        send_message_digest.delay(participant_id)
    return len(due)


@shared_task(
    name="members.send_message_digest",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_message_digest(participant_id: int) -> bool:
    return messaging_services.message_digest_send(participant_id=participant_id)
