"""Template helpers of the delegation pages: a trip's dates and cities, places left, and
the colour of a status."""

from django import template
from django.utils.formats import date_format

from members.models import Country

register = template.Library()

STATUS_BADGES = {
    # applications
    "submitted": "text-bg-secondary",
    "shortlisted": "text-bg-info",
    "accepted": "text-bg-success",
    "waitlisted": "text-bg-warning",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-light border",
    # delegations
    "open": "text-bg-success",
    "closed": "text-bg-secondary",
    "scheduling": "text-bg-info",
    "scheduled": "text-bg-primary",
    "in_progress": "text-bg-primary",
    "completed": "text-bg-light border",
    "cancelled": "text-bg-danger",
    # request answers
    "declined": "text-bg-light border",
}


@register.filter
def badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def cities(delegation) -> str:
    """ "Ahmedabad, Guwahati": the cities of the trip in visiting order, once each."""
    return ", ".join(dict.fromkeys(d.city for d in delegation.days.all()))


@register.filter
def trip_dates(delegation) -> str:
    """ "10 Feb 2026 – 12 Feb 2026" (or one date) in the reader's date format."""
    days = list(delegation.days.all())
    if not days:
        return ""
    first = date_format(days[0].date, "DATE_FORMAT")
    last = date_format(days[-1].date, "DATE_FORMAT")
    return first if first == last else f"{first} – {last}"


@register.filter
def places_left(delegation) -> int:
    return max(delegation.places - delegation.accepted_count, 0)


@register.filter
def country_name(code: str) -> str:
    """ "Japan" or "India" in the reader's language."""
    return str(Country(code).label) if code in Country.values else code
