"""iCalendar (RFC 5545) output: one event, a person's feed, a platform's public feed.

`build_vevent` and `build_calendar` work on plain values so that delegations and
invitations can reuse them for their own calendar entries.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from forum_site.links import absolute_url

PRODID = "-//Japan-India SME Platform//Events//EN"


def uid_for(kind: str, pk: int | str) -> str:
    """A UID that never changes for the same object: `event-42@sme-forum.example`."""
    domain = urlsplit(settings.SITE_URL).hostname or "sme-forum.example"
    return f"{kind}-{pk}@{domain}"


def build_vevent(
    *,
    uid: str,
    summary: str,
    start: dt.datetime,
    end: dt.datetime,
    time_zone: str,
    sequence: int = 0,
    description: str = "",
    location: str = "",
    url: str = "",
    status: str = "CONFIRMED",
    stamp: dt.datetime | None = None,
    categories: Iterable[str] = (),
) -> icalendar.Event:
    """A VEVENT whose DTSTART/DTEND carry the TZID of `time_zone` (e.g. Asia/Tokyo)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    vevent = icalendar.Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    vevent.add("dtstart", start.astimezone(tz))
    vevent.add("dtend", end.astimezone(tz))
    vevent.add("summary", summary)
    vevent.add("sequence", sequence)
    vevent.add("status", status)
    if description:
        vevent.add("description", description)
    if location:
        vevent.add("location", location)
    if url:
        vevent.add("url", url)
    categories = list(categories)
    if categories:
        vevent.add("categories", categories)
    return vevent


def build_calendar(
    vevents: Iterable[icalendar.Event], *, name: str = "", method: str = ""
) -> icalendar.Calendar:
    """A VCALENDAR holding `vevents` and a VTIMEZONE for every time zone they use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar


# --- Events ------------------------------------------------------------------------------


def event_url(event) -> str:
    return absolute_url("events:detail", event.pk)


def feed_url(token) -> str:
    """The secret URL of a person's calendar feed of their confirmed events."""
    return absolute_url("events:user-feed", token.token)


def event_vevent(event) -> icalendar.Event:
    status = {"cancelled": "CANCELLED", "draft": "TENTATIVE"}.get(event.status, "CONFIRMED")
    description = event.description
    if event.shown_online_url:
        description = f"{description}\n\nOnline: {event.shown_online_url}".strip()
    return build_vevent(
        uid=uid_for("event", event.pk),
        summary=event.title,
        start=event.starts_at,
        end=event.ends_at,
        time_zone=event.time_zone,
        sequence=event.sequence,
        description=description,
        location=event.location_text(),
        url=event_url(event),
        status=status,
        stamp=event.updated_at,
    )


def event_ics(event) -> bytes:
    return build_calendar([event_vevent(event)]).to_ical()


def events_ics(events: Iterable, *, name: str) -> bytes:
    return build_calendar([event_vevent(e) for e in events], name=name).to_ical()
