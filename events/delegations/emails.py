"""Delegation emails and calendar files: decisions, itineraries and their revisions.

Each participant organisation's people receive their own itinerary (their meetings, and the
group activities when they travel) with an `.ics` attachment. Calendar UIDs are stable per
pair of organisations (`delegation-meeting-<delegation>-<delegate>-<host>`) and the
SEQUENCE is the version number, so a revision moves the entry in the person's calendar
instead of adding a second one; a meeting that was dropped comes as STATUS:CANCELLED.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from events.calendar import build_calendar, build_vevent, uid_for
from events.delegations import selectors as selectors
from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    ScheduleVersion,
)
from forum_site.emails import send_email, stable_message_id
from members.emails import organisation_admin_recipients
from members.models import Organisation


def _language(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", "en") or "en"


def delegation_title(delegation: Delegation, language: str) -> str:
    return delegation.title_ja if language == "ja" and delegation.title_ja else delegation.title


def local(value, time_zone: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return value.astimezone(zoneinfo.ZoneInfo(time_zone)).strftime(fmt)


def itinerary_url(delegation: Delegation) -> str:
    return f"{settings.SITE_URL}/api/v1/delegations/{delegation.pk}/itinerary/"


# --- Decisions ------------------------------------------------------------------------------


def send_application_decision(application: DelegationApplication) -> int:
    sent = 0
    delegation = application.delegation
    for email, language in organisation_admin_recipients(application.organisation_id):
        sent += send_email(
            template="delegations/email/decision",
            to=[email],
            language=language,
            context={
                "application": application,
                "delegation": delegation,
                "title": delegation_title(delegation, language),
                "status": application.status,
                "accepted": application.status == ApplicationStatus.ACCEPTED,
                "note": application.decision_note,
                "url": f"{settings.SITE_URL}/api/v1/delegation-applications/{application.pk}/",
            },
            headers={
                "Message-ID": stable_message_id(
                    "delegation-decision",
                    application.pk,
                    application.status,
                    f"{application.decided_at:%Y%m%d%H%M%S%f}",
                    email,
                )
            },
        )
    return sent


# --- Itineraries ----------------------------------------------------------------------------


def meeting_item(meeting, organisation_id: int) -> dict:
    counterpart = meeting.host if meeting.delegate_id == organisation_id else meeting.delegate
    tz = meeting.day.time_zone
    return {
        "kind": "meeting",
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "when": f"{local(meeting.starts_at, tz)}–{local(meeting.ends_at, tz, '%H:%M')}",
        "time_zone": tz,
        "title": counterpart.name,
        "counterpart": counterpart,
        "city": meeting.city,
        "venue": meeting.venue,
        "table": meeting.table,
        "slot": meeting.slot,
        "pinned": meeting.pinned,
        "key": (meeting.delegate_id, meeting.host_id),
    }


def activity_item(activity, language: str = "en") -> dict:
    day = activity.day
    starts, ends = day.at(activity.start), day.at(activity.end)
    return {
        "kind": "activity",
        "starts_at": starts,
        "ends_at": ends,
        "when": f"{local(starts, day.time_zone)}–{local(ends, day.time_zone, '%H:%M')}",
        "time_zone": day.time_zone,
        "title": activity.title_ja if language == "ja" and activity.title_ja else activity.title,
        "city": day.city,
        "venue": activity.location or day.venue,
        "table": None,
        "activity": activity,
    }


def itinerary_items(data: dict, language: str = "en") -> list[dict]:
    org_id = data["organisation"].pk
    items = [meeting_item(m, org_id) for m in data["meetings"]]
    items += [activity_item(a, language) for a in data["activities"]]
    return sorted(items, key=lambda i: (i["starts_at"], i["kind"]))


def _meeting_vevent(delegation, item: dict, sequence: int, status: str = "CONFIRMED"):
    delegate, host = item["key"]
    location = ", ".join(p for p in (item["venue"], item["city"]) if p)
    table = f"Table {item['table']}" if item.get("table") else ""
    return build_vevent(
        uid=uid_for("delegation-meeting", f"{delegation.pk}-{delegate}-{host}"),
        summary=f"Meeting: {item['title']}",
        start=item["starts_at"],
        end=item["ends_at"],
        time_zone=item["time_zone"],
        sequence=sequence,
        description=f"{delegation.title}\n{table}".strip(),
        location=f"{location} ({table})" if table else location,
        url=itinerary_url(delegation),
        status=status,
        categories=["Delegation meeting"],
    )


def itinerary_calendar(
    delegation: Delegation,
    items: list[dict],
    *,
    sequence: int = 0,
    cancelled: list[dict] = (),
    name: str = "",
):
    vevents = []
    for item in items:
        if item["kind"] == "meeting":
            vevents.append(_meeting_vevent(delegation, item, sequence))
        else:
            activity = item["activity"]
            vevents.append(
                build_vevent(
                    uid=uid_for("delegation-activity", activity.pk),
                    summary=item["title"],
                    start=item["starts_at"],
                    end=item["ends_at"],
                    time_zone=item["time_zone"],
                    sequence=sequence,
                    description=delegation.title,
                    location=", ".join(p for p in (item["venue"], item["city"]) if p),
                    url=itinerary_url(delegation),
                    categories=["Delegation programme"],
                )
            )
    for item in cancelled:
        vevents.append(_meeting_vevent(delegation, item, sequence, status="CANCELLED"))
    return build_calendar(vevents, name=name or delegation.title)


def itinerary_ics(*, delegation: Delegation, data: dict, language: str = "en") -> bytes:
    version = data["version"]
    items = itinerary_items(data, language)
    return itinerary_calendar(
        delegation,
        items,
        sequence=version.number if version else 0,
        name=f"{delegation_title(delegation, language)} — {data['organisation'].name}",
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


def send_itineraries(version: ScheduleVersion) -> int:
    """First publication: everybody gets their itinerary. A revision: only the people of
    organisations whose meetings changed, with what changed. Returns emails sent."""
    delegation = version.delegation
    new_by_org = selectors.meetings_by_organisation(version)
    old_by_org = selectors.meetings_by_organisation(version.previous) if version.previous else None
    recipients = selectors.participant_recipients(delegation=delegation)
    delegate_ids, _hosts = selectors.participant_org_ids(delegation=delegation)
    activities = list(delegation.group_activities.select_related("day"))
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=list(recipients))}
    sent = 0
    for org_id, people in sorted(recipients.items()):
        organisation = organisations[org_id]
        new_items = [meeting_item(m, org_id) for m in new_by_org.get(org_id, [])]
        changes = None
        if old_by_org is not None:
            old_items = [meeting_item(m, org_id) for m in old_by_org.get(org_id, [])]
            changes = changes_for(old_items, new_items)
            if not any(changes.values()):
                continue
        data = {
            "organisation": organisation,
            "meetings": new_by_org.get(org_id, []),
            "activities": activities if org_id in delegate_ids else [],
            "version": version,
        }
        for person in people:
            if not person.email:
                continue
            language = _language(person)
            items = itinerary_items(data, language)
            calendar = itinerary_calendar(
                delegation,
                items,
                sequence=version.number,
                cancelled=changes["removed"] if changes else [],
                name=f"{delegation_title(delegation, language)} — {organisation.name}",
            )
            template = "itinerary_changed" if changes else "itinerary"
            sent += send_email(
                template=f"delegations/email/{template}",
                to=[person.email],
                language=language,
                context={
                    "person": person.get_full_name() or person.get_username(),
                    "delegation": delegation,
                    "title": delegation_title(delegation, language),
                    "organisation": organisation,
                    "version": version,
                    "items": items,
                    "changes": changes,
                    "url": itinerary_url(delegation),
                },
                attachments=[("itinerary.ics", calendar.to_ical(), "text/calendar")],
                headers={
                    "Message-ID": stable_message_id(
                        "delegation-itinerary", version.pk, org_id, person.email
                    )
                },
            )
    return sent
