"""Emails about registrations, in the person's language, with the event's .ics attached."""

from events.calendar import event_ics, event_url
from events.models import Registration
from forum_site.emails import send_email, stable_message_id
from forum_site.i18n import local_time


def send_registration_email(registration: Registration, kind: str) -> int:
    """kind: confirmed, waitlisted, promoted or event_cancelled."""
    user = registration.user
    if not user.email:
        return 0
    profile = getattr(user, "profile", None)
    language = getattr(profile, "language", "en") or "en"
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
            "starts": local_time(event.starts_at, event.time_zone, language),
            "event_url": event_url(event),
        },
        attachments=attachments,
        headers={"Message-ID": stable_message_id("registration", registration.pk, kind)},
    )
