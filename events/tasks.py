from celery import shared_task

from events import services

RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(name="events.notify_registration", **RETRY)
def notify_registration(registration_id: int) -> str | None:
    """Email a person about their registration's state (confirmed, waitlisted, promoted…)."""
    return services.registration_notify(registration_id=registration_id)


@shared_task(name="events.notify_event_cancelled", **RETRY)
def notify_event_cancelled(event_id: int) -> int:
    """Email every registrant of a cancelled event; each person at most once."""
    return services.event_notify_cancelled(event_id=event_id)
