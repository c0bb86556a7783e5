"""Emails about registrations, in the person's language, with the event's .ics attached."""

from django.conf import settings

from events.calendar import event_ics
from events.models import Registration
from events.services import local_time
from forum_site.emails import send_email, stable_message_id


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
            "starts": local_time(event, event.starts_at),
            "event_url": f"{settings.SITE_URL}/events/{event.pk}/",
        },
        attachments=attachments,
        headers={"Message-ID": stable_message_id("registration", registration.pk, kind)},
    )
