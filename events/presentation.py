"""How an event reads on the pages and in the emails: its times in the event's own zone
and the reader's, its schema.org description, and the links that subscribe a calendar app
to a feed.

Times: "12 Dec 2026, 10:00 (Asia/Kolkata) · 13:30 in your time zone (Asia/Tokyo)"; when
the reader's clock shows the same time as the event's, only the first part.
"""

import datetime as dt
import json
import zoneinfo
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.calendar import event_url
from events.models import Event, EventStatus
from forum_site.i18n import DEFAULT_LANGUAGE, local_time, localized


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def same_clock(value: dt.datetime, zone_a: str, zone_b: str) -> bool:
    """Whether readers in the two zones see the same wall-clock time at `value`."""
    return (
        value.astimezone(_zone(zone_a)).utcoffset() == value.astimezone(_zone(zone_b)).utcoffset()
    )


def _day(value: dt.datetime, zone: str) -> dt.date:
    return value.astimezone(_zone(zone)).date()


def _span(start: dt.datetime, end: dt.datetime | None, zone: str, language: str, *, date: bool):
    """'12 Dec 2026, 10:00–13:00' in `zone` (the date only with `date`; the end's date only
    when it falls on another day)."""
    first = local_time(
        start,
        zone,
        language,
        format_name="DATETIME_FORMAT" if date else "TIME_FORMAT",
        name_zone=False,
    )
    if end is None:
        return first
    same_day = _day(start, zone) == _day(end, zone)
    last = local_time(
        end,
        zone,
        language,
        format_name="TIME_FORMAT" if same_day else "DATETIME_FORMAT",
        name_zone=False,
    )
    return pgettext("time range", "%(start)s–%(end)s") % {"start": first, "end": last}


def event_time(
    start: dt.datetime,
    event_zone: str,
    reader_zone: str,
    language: str | None = None,
    *,
    end: dt.datetime | None = None,
) -> str:
    """A time (or, with `end`, a period) in the event's zone, and in the reader's when
    their clock differs; each zone named."""
    language = language or translation.get_language() or DEFAULT_LANGUAGE
    with translation.override(language):
        text = f"{_span(start, end, event_zone, language, date=True)} ({event_zone})"
        if same_clock(start, event_zone, reader_zone):
            return text
        other_day = _day(start, event_zone) != _day(start, reader_zone)
        yours = _span(start, end, reader_zone, language, date=other_day)
        return _("%(event_time)s · %(your_time)s in your time zone (%(zone)s)") % {
            "event_time": text,
            "your_time": yours,
            "zone": reader_zone,
        }


# --- schema.org -------------------------------------------------------------------------


def _json_for_script(data: dict) -> SafeString:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    escapes = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    return mark_safe(text.translate(escapes))  # noqa: S308 (escaped just above)


def _location(event: Event) -> list[dict]:
    places = []
    if event.venue or event.address or event.city:
        address = {"@type": "PostalAddress", "addressCountry": event.country}
        if event.address:
            address["streetAddress"] = event.address
        if event.city:
            address["addressLocality"] = event.city
        places.append({"@type": "Place", "name": event.venue or event.city, "address": address})
    if event.shown_online_url:
        places.append({"@type": "VirtualLocation", "url": event.shown_online_url})
    return places


def event_json_ld(event: Event, language: str) -> SafeString:
    """The event as schema.org `Event` data for search engines (a JSON-LD script)."""
    places = _location(event)
    online = any(p["@type"] == "VirtualLocation" for p in places)
    offline = len(places) > online
    mode = "Mixed" if online and offline else "Online" if online else "Offline"
    zone = _zone(event.time_zone)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": localized(event, "title", language),
        "description": localized(event, "description", language),
        "startDate": event.starts_at.astimezone(zone).isoformat(),
        "endDate": event.ends_at.astimezone(zone).isoformat(),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if event.status == EventStatus.CANCELLED else "EventScheduled"),
        "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
        "location": places[0] if len(places) == 1 else places,
        "organizer": {
            "@type": "Organization",
            "name": localized(event.platform, "name", language),
            "url": settings.SITE_URL,
        },
        "url": event_url(event),
        "inLanguage": language,
    }
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left
    return _json_for_script(data)


# --- calendar subscriptions -------------------------------------------------------------


def subscribe_links(feed: str, name: str) -> dict[str, str]:
    """Links that subscribe calendar apps to the feed at `feed` (an http(s) URL): webcal://
    (Apple Calendar, Outlook desktop, most apps), Google Calendar, Outlook.com and
    Outlook for work or school accounts."""
    parts = urlsplit(feed)
    webcal = urlunsplit(("webcal", *parts[1:]))
    outlook = urlencode({"url": feed, "name": name}, quote_via=quote)
    return {
        "url": feed,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        "outlook": f"https://outlook.live.com/calendar/0/addfromweb?{outlook}",
        "office": f"https://outlook.office.com/calendar/0/addfromweb?{outlook}",
    }
