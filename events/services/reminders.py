"""The reminder a confirmed registrant gets EVENT_REMINDER_HOURS before the event."""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.emails import build_reminder_email
from events.models import EventStatus, Registration, RegistrationReminder, RegistrationStatus


def event_reminders_due(now: dt.datetime | None = None) -> list[int]:
    """Confirmed registrations for published events starting within EVENT_REMINDER_HOURS
    that have not been reminded."""
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + dt.timedelta(hours=settings.EVENT_REMINDER_HOURS),
            reminder__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def event_reminders_send(*, registration_ids: Sequence[int]) -> int:
    """Remind each confirmed registrant once: inserting the RegistrationReminder row is the
    claim (unique per registration), removed again if the email could not be sent."""
    registrations = list(
        Registration.objects.filter(
            pk__in=list(registration_ids), status=RegistrationStatus.CONFIRMED
        )
        .select_related("event", "event__platform", "user", "user__profile", "organisation")
        .order_by("pk")
    )
    connection = get_connection()
    sent = 0
    try:
        for registration in registrations:
            user = registration.user
            if not user.email:
                continue
            try:
                with transaction.atomic():
                    reminder = RegistrationReminder.objects.create(registration=registration)
            except IntegrityError:
                continue  # reminded already (another run got here first)
            try:
                message = build_reminder_email(registration)
                message.connection = connection
                connection.send_messages([message])
            except Exception:
                reminder.delete()
                raise
            sent += 1
    finally:
        connection.close()
    return sent
