"""The reminder a confirmed registrant gets EVENT_REMINDER_HOURS before the event."""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.calendar import event_ics, event_url
from events.emails import when_for_reader
from events.models import EventStatus, Registration, RegistrationReminder, RegistrationStatus
from forum_site.emails import build_email, stable_message_id
from forum_site.i18n import local_time, localized, person_language, person_time_zone


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
            event = registration.event
            language = person_language(user)
            try:
                message = build_email(
                    template="events/email/registration_reminder",
                    to=[user.email],
                    language=language,
                    context={
                        "registration": registration,
                        "event": event,
                        "person": user.get_full_name() or user.get_username(),
                        "title": localized(event, "title", language),
                        "starts": when_for_reader(event, user),
                        "starts_short": local_time(
                            event.starts_at,
                            person_time_zone(user, default=event.time_zone),
                            language,
                        ),
                        "location": event.location_text(),
                        "event_url": event_url(event),
                    },
                    attachments=[("event.ics", event_ics(event), "text/calendar")],
                    headers={"Message-ID": stable_message_id("event-reminder", registration.pk)},
                )
                message.connection = connection
                connection.send_messages([message])
            except Exception:
                reminder.delete()
                raise
            sent += 1
    finally:
        connection.close()
    return sent
