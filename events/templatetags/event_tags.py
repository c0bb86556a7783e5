"""Template helpers of the events pages: an event's times in its own zone and the
reader's (`{% event_period event %}`, `{% event_time event.registration_deadline event %}`)."""

from django import template
from django.utils import timezone, translation

from events.presentation import event_time as event_time_text

register = template.Library()


@register.simple_tag
def event_period(event) -> str:
    """When the event runs, in its zone (and the reader's, when their clock differs)."""
    return event_time_text(
        event.starts_at,
        event.time_zone,
        timezone.get_current_timezone_name(),
        translation.get_language(),
        end=event.ends_at,
    )


@register.simple_tag
def event_time(value, event) -> str:
    """A moment of the event (e.g. its registration deadline), in both zones."""
    if value is None:
        return ""
    return event_time_text(
        value, event.time_zone, timezone.get_current_timezone_name(), translation.get_language()
    )
