"""Emails about registrations, in the person's language, with the event's .ics attached.

Times are written in the reader's time zone (their profile's) with the zone named, and in
the event's own zone where that differs (events.presentation.event_time)."""

from events.calendar import event_ics, event_url
from events.models import Event, Registration
from events.presentation import event_time
from forum_site.emails import send_email, stable_message_id
from forum_site.i18n import person_language, person_time_zone


def when_for_reader(event: Event, user) -> str:
    """When `event` starts, as `user` reads it (their language and zone)."""
    reader_zone = person_time_zone(user, default=event.time_zone)
    return event_time(event.starts_at, event.time_zone, reader_zone, person_language(user))


def send_registration_email(registration: Registration, kind: str) -> int:
    """kind: confirmed, waitlisted, promoted or event_cancelled."""
    user = registration.user
    if not user.email:
        return 0
    language = person_language(user)
    event = registration.event
    attachments = []
    if kind in {"confirmed", "promoted", "event_cancelled"}:
        attachments.append(("event.ics", event_ics(event), "text/calendar"))
    return send_email(
        template=f"events/email/{kind}",
        to=[user.email],
        language=language,
        context={
            "registration": registration,
            "event": event,
            "person": user.get_full_name() or user.get_username(),
            "starts": when_for_reader(event, user),
            "event_url": event_url(event),
        },
        attachments=attachments,
        headers={"Message-ID": stable_message_id("registration", registration.pk, kind)},
    )
