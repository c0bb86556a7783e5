"""Celery tasks of invitations: sending (in batches), the sweeper, reminders.

`events.send_invitations` is enqueued after commit with a chunk of ids; it claims them with
a conditional UPDATE, so a duplicate task or a redelivered message does nothing twice.
Transient SMTP errors are not retried with a countdown: the invitation goes back to
`pending` with `next_attempt_at`, and the sweeper (every minute, from beat) re-enqueues it
when due, together with claims whose lease lapsed because a worker died.
"""

from celery import shared_task
from django.conf import settings

from events.invitations import services as services

__all__ = [
    "send_event_reminders",
    "send_invitation_reminders",
    "send_invitations",
    "sweep_invitations",
]


@shared_task(name="events.send_invitations")
def send_invitations(invitation_ids: list[int]) -> dict:
    return services.invitations_send_batch(invitation_ids=invitation_ids)


@shared_task(name="events.sweep_invitations")
def sweep_invitations() -> int:
    return services.invitations_sweep()


def _chunks(ids: list[int]):
    size = max(settings.INVITATION_SEND_BATCH, 1)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@shared_task(name="events.send_invitation_reminders")
def send_invitation_reminders() -> int:
    due = services.invitation_reminders_due()
    for chunk in _chunks(due):
        send_invitation_reminder_batch.delay(chunk)
    return len(due)


@shared_task(name="events.send_invitation_reminder_batch")
def send_invitation_reminder_batch(invitation_ids: list[int]) -> int:
    # A failed batch is not retried here: its claims are given back and the next periodic
    # run finds the invitations due again.
    return services.invitation_reminders_send(invitation_ids=invitation_ids)


@shared_task(name="events.send_event_reminders")
def send_event_reminders() -> int:
    due = services.event_reminders_due()
    for chunk in _chunks(due):
        send_event_reminder_batch.delay(chunk)
    return len(due)


@shared_task(name="events.send_event_reminder_batch")
def send_event_reminder_batch(registration_ids: list[int]) -> int:
    return services.event_reminders_send(registration_ids=registration_ids)
