"""Emails about registrations, in the person's language, with the event's .ics attached.

Times are written in the reader's time zone (their profile's) with the zone named, and in
the event's own zone where that differs (events.presentation.event_time)."""

from events.calendar import event_ics, event_url
from events.models import Event, Registration
from events.presentation import event_time
from forum_site.emails import build_email, send_email, stable_message_id
from forum_site.i18n import local_time, localized, person_language, person_time_zone


def when_for_reader(event: Event, user) -> str:
    """When `event` starts, as `user` reads it (their language and zone)."""
    reader_zone = person_time_zone(user, default=event.time_zone)
    return event_time(event.starts_at, event.time_zone, reader_zone, person_language(user))


def _context(registration: Registration) -> dict:
    """What every registration email says: who, which event, when (for the reader), where
    to read more."""
    user, event = registration.user, registration.event
    return {
        "registration": registration,
        "event": event,
        "person": user.get_full_name() or user.get_username(),
        "starts": when_for_reader(event, user),
        "event_url": event_url(event),
    }


def send_registration_email(registration: Registration, kind: str) -> int:
    """kind: confirmed, waitlisted, promoted or event_cancelled."""
    user = registration.user
    if not user.email:
        return 0
    event = registration.event
    attachments = []
    if kind in {"confirmed", "promoted", "event_cancelled"}:
        attachments.append(("event.ics", event_ics(event), "text/calendar"))
    return send_email(
        template=f"events/email/{kind}",
        to=[user.email],
        language=person_language(user),
        context=_context(registration),
        attachments=attachments,
        headers={"Message-ID": stable_message_id("registration", registration.pk, kind)},
    )


def build_reminder_email(registration: Registration):
    """The day-before reminder of a confirmed registration (sent by
    events/services/reminders.py on its own connection)."""
    user, event = registration.user, registration.event
    language = person_language(user)
    return build_email(
        template="events/email/registration_reminder",
        to=[user.email],
        language=language,
        context={
            **_context(registration),
            "title": localized(event, "title", language),
            "starts_short": local_time(
                event.starts_at, person_time_zone(user, default=event.time_zone), language
            ),
            "location": event.location_text(),
        },
        attachments=[("event.ics", event_ics(event), "text/calendar")],
        headers={"Message-ID": stable_message_id("event-reminder", registration.pk)},
    )
