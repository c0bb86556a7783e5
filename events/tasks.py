"""Celery tasks of events: registration emails and the day-before reminders."""

from celery import shared_task
from django.conf import settings

from events import services
from forum_site.tasks import RETRY_ON_MAIL_ERRORS, chunked


@shared_task(name="events.notify_registration", **RETRY_ON_MAIL_ERRORS)
def notify_registration(registration_id: int) -> str | None:
    """Email a person about their registration's state (confirmed, waitlisted, promoted…)."""
    return services.registration_notify(registration_id=registration_id)


@shared_task(name="events.sweep_registration_emails")
def sweep_registration_emails() -> int:
    """Beat, every minute: enqueue registration emails that were never enqueued or sent."""
    return services.registration_notify_sweep()


@shared_task(name="events.notify_event_cancelled", **RETRY_ON_MAIL_ERRORS)
def notify_event_cancelled(event_id: int) -> int:
    """Email every registrant of a cancelled event; each person at most once."""
    return services.event_notify_cancelled(event_id=event_id)


@shared_task(name="events.send_event_reminders")
def send_event_reminders() -> int:
    """Beat: enqueue the reminders that are due, in batches."""
    due = services.event_reminders_due()
    for chunk in chunked(due, settings.INVITATION_SEND_BATCH):
        send_event_reminder_batch.delay(list(chunk))
    return len(due)


@shared_task(name="events.send_event_reminder_batch")
def send_event_reminder_batch(registration_ids: list[int]) -> int:
    # Not retried: a failed batch gives its claims back and the next run finds them due.
    return services.event_reminders_send(registration_ids=registration_ids)
