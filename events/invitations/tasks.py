"""Celery tasks of invitations: sending (in batches), the sweeper, reminders.

`events.send_invitations` is enqueued after commit with a chunk of ids; it claims them with
a conditional UPDATE, so a duplicate task or a redelivered message does nothing twice.
Transient SMTP errors are not retried with a countdown: the invitation goes back to
`pending` with `next_attempt_at`, and the sweeper (every minute, from beat) re-enqueues it
when due, together with claims whose lease lapsed because a worker died.
"""

from celery import shared_task
from django.conf import settings

from events.invitations import services
from forum_site.tasks import chunked


@shared_task(name="events.send_invitations")
def send_invitations(invitation_ids: list[int]) -> dict:
    return services.invitations_send_batch(invitation_ids=invitation_ids)


@shared_task(name="events.sweep_invitations")
def sweep_invitations() -> int:
    return services.invitations_sweep()


@shared_task(name="events.send_invitation_reminders")
def send_invitation_reminders() -> int:
    due = services.invitation_reminders_due()
    for chunk in chunked(due, settings.INVITATION_SEND_BATCH):
        send_invitation_reminder_batch.delay(list(chunk))
    return len(due)


@shared_task(name="events.send_invitation_reminder_batch")
def send_invitation_reminder_batch(invitation_ids: list[int]) -> int:
    # A failed batch is not retried here: its claims are given back and the next periodic
    # run finds the invitations due again.
    return services.invitation_reminders_send(invitation_ids=invitation_ids)
