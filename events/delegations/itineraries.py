"""An organisation's itinerary as items (meetings and group activities in time order), as a
calendar file, per day for the page, and what changed between two versions; for the API,
the page, the feed and the emails.

Calendar UIDs are stable per pair of organisations
(`delegation-meeting-<delegation>-<delegate>-<host>`) and the SEQUENCE is the version
number, so a revision moves the entry in the person's calendar instead of adding a second
one; a meeting that was dropped comes as STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.utils.formats import date_format
from icalendar import Calendar, Event

from events.calendar import build_calendar, build_vevent, uid_for
from events.delegations.models import (
    Delegation,
    DelegationDay,
    GroupActivity,
    ScheduledMeeting,
)
from forum_site.i18n import local_time, localized
from forum_site.links import absolute_url

# How an item's time reads in an email: "Wed 11 Feb 2026, 10:00–10:30" (the tests and the
# English templates rely on the weekday) or "2026年2月11日(水) 10:00–10:30".
WHEN_FORMATS = {"en": "D d M Y, H:i", "ja": "Y年n月j日(D) H:i"}


def itinerary_url(delegation: Delegation) -> str:
    """Where a participant reads their itinerary: the page."""
    return absolute_url("delegations:itinerary", delegation.pk)


def _when(starts: dt.datetime, ends: dt.datetime, time_zone: str, language: str) -> str:
    start_format = WHEN_FORMATS["ja" if language.startswith("ja") else "en"]
    start = local_time(starts, time_zone, language, format_name=start_format, name_zone=False)
    end = local_time(ends, time_zone, language, format_name="H:i", name_zone=False)
    return f"{start}–{end}"


def local_span(starts: dt.datetime, ends: dt.datetime, time_zone: str, language: str) -> str:
    """'Tue 10 Feb 2026, 09:30–10:00 IST (Asia/Kolkata)': local to `time_zone`, named."""
    start_format = WHEN_FORMATS["ja" if language.startswith("ja") else "en"]
    start = local_time(starts, time_zone, language, format_name=start_format, name_zone=False)
    end = local_time(ends, time_zone, language, format_name="H:i T", name_zone=True)
    return f"{start}–{end}"


def meeting_item(meeting: ScheduledMeeting, organisation_id: int, language: str) -> dict:
    counterpart = meeting.host if meeting.delegate_id == organisation_id else meeting.delegate
    tz = meeting.day.time_zone
    visit = meeting.visit_id or (meeting.site_id if meeting.table is None else None)
    return {
        "kind": "meeting",
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "when": _when(meeting.starts_at, meeting.ends_at, tz, language),
        "time_zone": tz,
        "title": counterpart.name,
        "counterpart": counterpart,
        "visitors": [meeting.delegate] if visit else [],
        "city": meeting.city,
        "venue": meeting.venue,
        "table": meeting.table,
        "slot": meeting.slot,
        "pinned": meeting.pinned,
        "mutual": meeting.mutual,
        "locked": meeting.locked,
        "day_id": meeting.day_id,
        # A site visit: where it is, how far from the day's venue.
        "visit": bool(visit),
        "site": meeting.site_id,
        "travel_minutes": meeting.travel_minutes,
        "key": ("visit", visit) if visit else (meeting.delegate_id, meeting.host_id),
    }


def meeting_items(meetings: list[ScheduledMeeting], organisation_id: int, language: str) -> list:
    """The organisation's meetings as items: a host's group visit is one item with every
    visitor (one row per visiting delegate in the database)."""
    items: dict = {}
    for meeting in meetings:
        item = meeting_item(meeting, organisation_id, language)
        if item["key"] in items:
            items[item["key"]]["visitors"] += item["visitors"]
            items[item["key"]]["title"] += f", {item['title']}"
        else:
            items[item["key"]] = item
    return list(items.values())


def activity_item(activity: GroupActivity, language: str) -> dict:
    day = activity.day
    starts, ends = day.at(activity.start), day.at(activity.end)
    return {
        "kind": "activity",
        "starts_at": starts,
        "ends_at": ends,
        "when": _when(starts, ends, day.time_zone, language),
        "time_zone": day.time_zone,
        "title": localized(activity, "title", language),
        "city": day.city,
        "venue": activity.location or day.venue,
        "table": None,
        "day_id": activity.day_id,
        "activity": activity,
    }


def itinerary_items(data: dict, language: str) -> list[dict]:
    """`data` as `selectors.itinerary` gives it, as items in time order."""
    items = meeting_items(data["meetings"], data["organisation"].pk, language)
    items += [activity_item(a, language) for a in data["activities"]]
    return sorted(items, key=lambda i: (i["starts_at"], i["kind"]))


def _location(item: dict) -> str:
    return ", ".join(p for p in (item["venue"], item["city"]) if p)


def _meeting_vevent(
    delegation: Delegation, item: dict, sequence: int, status: str = "CONFIRMED"
) -> Event:
    delegate, host = item["key"]
    table = f"Table {item['table']}" if item.get("table") else ""
    summary = f"Site visit: {item['venue']} ({item['title']})" if item.get("visit") else ""
    return build_vevent(
        uid=uid_for("delegation-meeting", f"{delegation.pk}-{delegate}-{host}"),
        summary=summary or f"Meeting: {item['title']}",
        start=item["starts_at"],
        end=item["ends_at"],
        time_zone=item["time_zone"],
        sequence=sequence,
        description=f"{delegation.title}\n{table}".strip(),
        location=f"{_location(item)} ({table})" if table else _location(item),
        url=itinerary_url(delegation),
        status=status,
        categories=["Delegation meeting"],
    )


def _activity_vevent(delegation: Delegation, item: dict, sequence: int) -> Event:
    return build_vevent(
        uid=uid_for("delegation-activity", item["activity"].pk),
        summary=item["title"],
        start=item["starts_at"],
        end=item["ends_at"],
        time_zone=item["time_zone"],
        sequence=sequence,
        description=delegation.title,
        location=_location(item),
        url=itinerary_url(delegation),
        categories=["Delegation programme"],
    )


def itinerary_calendar(
    delegation: Delegation,
    items: list[dict],
    *,
    sequence: int = 0,
    cancelled: list[dict] = (),
    name: str = "",
) -> Calendar:
    vevents = [
        _meeting_vevent(delegation, item, sequence)
        if item["kind"] == "meeting"
        else _activity_vevent(delegation, item, sequence)
        for item in items
    ]
    vevents += [_meeting_vevent(delegation, item, sequence, "CANCELLED") for item in cancelled]
    return build_calendar(vevents, name=name or delegation.title)


def calendar_name(delegation: Delegation, organisation_name: str, language: str) -> str:
    return f"{localized(delegation, 'title', language)} — {organisation_name}"


def itinerary_ics(*, delegation: Delegation, data: dict, language: str) -> bytes:
    version = data["version"]
    return itinerary_calendar(
        delegation,
        itinerary_items(data, language),
        sequence=version.number if version else 0,
        name=calendar_name(delegation, data["organisation"].name, language),
    ).to_ical()


def changes_for(old: list[dict], new: list[dict]) -> dict[str, list]:
    """added / removed / moved meetings of one organisation between two versions."""
    before = {i["key"]: i for i in old}
    after = {i["key"]: i for i in new}
    added = [after[k] for k in after if k not in before]
    removed = [before[k] for k in before if k not in after]
    moved = [
        {"before": before[k], "after": after[k]}
        for k in after
        if k in before
        and (before[k]["slot"], before[k]["table"], before[k]["starts_at"])
        != (after[k]["slot"], after[k]["table"], after[k]["starts_at"])
    ]
    key = lambda i: i["starts_at"]  # noqa: E731
    return {
        "added": sorted(added, key=key),
        "removed": sorted(removed, key=key),
        "moved": sorted(moved, key=lambda m: m["after"]["starts_at"]),
    }


# --- The page: per day, in the reader's time zone -------------------------------------------


def span_text(
    starts: dt.datetime, ends: dt.datetime, zone: str, language: str, day: dt.date | None
) -> str:
    """'13:30–14:00 JST (Asia/Tokyo)': both ends in `zone`, the zone named; the date comes
    first when it is not `day` there (a late meeting read from far east), or always
    without a `day`."""
    local_start = starts.astimezone(zoneinfo.ZoneInfo(zone))
    start = local_time(starts, zone, language, format_name="H:i", name_zone=False)
    end = local_time(ends, zone, language, format_name="H:i T", name_zone=True)
    text = f"{start}–{end}"
    if local_start.date() != day:
        text = f"{date_format(local_start.date(), 'SHORT_DATE_FORMAT')} {text}"
    return text


def _with_times(item: dict, day: DelegationDay, zone: str, language: str) -> dict:
    """The item's times as the page shows them: `reader_time` (the reader's zone),
    `local_time` (the city's, when another zone), `reader_when` (with the date)."""
    item["reader_time"] = span_text(item["starts_at"], item["ends_at"], zone, language, day.date)
    item["reader_when"] = span_text(item["starts_at"], item["ends_at"], zone, language, None)
    item["local_time"] = (
        span_text(item["starts_at"], item["ends_at"], item["time_zone"], language, day.date)
        if item["time_zone"] != zone
        else ""
    )
    return item


def itinerary_days(data: dict, days: list[DelegationDay], zone: str, language: str) -> list[dict]:
    """`days` (the organisation's days of the trip), each with its items in time order,
    times in the reader's `zone` and, when the city's zone differs, local to the city."""
    by_day: dict[int, list[dict]] = defaultdict(list)
    known = {d.pk: d for d in days}
    for item in itinerary_items(data, language):
        if item["day_id"] in known:
            by_day[item["day_id"]].append(_with_times(item, known[item["day_id"]], zone, language))
    return [{"day": day, "items": with_travel(by_day[day.pk])} for day in days]


def _place(item: dict) -> tuple:
    """Where an item takes place: a host's site, or the day's venue in the city."""
    return ("site", item["site"]) if item.get("site") else ("city", item["city"])


def with_travel(items: list[dict]) -> list[dict]:
    """A day's items with a `travel` item before each one at another place than the one
    before (a site visit and back), its minutes from the site's travel time: between two
    sites, the way through the city, as the scheduler counts it."""
    out: list[dict] = []
    for before, item in zip([None, *items], items, strict=False):
        if before is not None and _place(before) != _place(item):
            legs = [i.get("travel_minutes") or 0 for i in (before, item) if i.get("site")]
            destination = item["venue"] if item.get("site") else (item["venue"] or item["city"])
            out.append(
                {
                    "kind": "travel",
                    "to": destination,
                    "to_city": not item.get("site"),
                    "minutes": sum(legs),
                    "starts_at": before["ends_at"],
                }
            )
        out.append(item)
    return out


def itinerary_changes(
    data: dict, previous_meetings: list[ScheduledMeeting], zone: str, language: str
) -> dict[str, list]:
    """What changed for the organisation since the version published before, times as the
    page shows them."""
    org_id = data["organisation"].pk

    def items(meetings: list[ScheduledMeeting]) -> list[dict]:
        days = {m.day_id: m.day for m in meetings}
        return [
            _with_times(item, days[item["day_id"]], zone, language)
            for item in meeting_items(meetings, org_id, language)
        ]

    return changes_for(items(previous_meetings), items(data["meetings"]))
