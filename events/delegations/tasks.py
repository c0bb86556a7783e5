"""Celery tasks of delegations: thin, idempotent, taking primary keys (names are stable)."""

from celery import shared_task

from events.delegations import services
from forum_site.tasks import RETRY_ON_MAIL_ERRORS

__all__ = ["delegation_schedule", "notify_application_decision", "notify_schedule_published"]


@shared_task(name="events.delegation_schedule")
def delegation_schedule(version_id: int) -> str | None:
    """Solve a queued schedule version (claimed queued → running; a second run is a no-op)."""
    return services.schedule_execute(version_id=version_id)


@shared_task(name="events.delegation_application_decision", **RETRY_ON_MAIL_ERRORS)
def notify_application_decision(application_id: int) -> bool:
    """Email the applicant's admins about the decision on their application, once."""
    return services.application_notify_decision(application_id=application_id)


@shared_task(name="events.delegation_schedule_published", **RETRY_ON_MAIL_ERRORS)
def notify_schedule_published(version_id: int) -> int:
    """Email participants their itinerary (first publication) or what changed (revision)."""
    return services.schedule_notify_published(version_id=version_id)
