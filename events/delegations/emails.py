"""Delegation emails: decisions on applications, itineraries and their revisions.

Each participant organisation's people receive their own itinerary (their meetings, and the
group activities when they travel) in their language, with an `.ics` attachment
(events/delegations/itineraries.py). A revision goes only to the organisations whose
meetings changed, listing what was added, removed or moved.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from events.delegations import selectors
from events.delegations.itineraries import (
    calendar_name,
    changes_for,
    itinerary_calendar,
    itinerary_items,
    itinerary_url,
    local_span,
    meeting_items,
)
from events.delegations.models import ApplicationStatus, DelegationApplication, ScheduleVersion
from forum_site.emails import send_email, stable_message_id
from forum_site.i18n import DEFAULT_LANGUAGE, localized, person_language, person_time_zone
from forum_site.links import absolute_url
from members.emails import organisation_admin_recipients
from members.models import Organisation


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
                "title": localized(delegation, "title", language),
                "status": application.status,
                "accepted": application.status == ApplicationStatus.ACCEPTED,
                "note": application.decision_note,
                "url": absolute_url("delegations:application", application.pk),
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


def _in_zone(items: list[dict], person: AbstractBaseUser, language: str) -> list[dict]:
    """Each item with `reader_when`: its time in the person's own zone, named, when that is
    not the city's (a change reads "… (Ahmedabad) = 13:30–14:00 JST (Asia/Tokyo) for you")."""
    zone = person_time_zone(person)
    for item in items:
        item["reader_when"] = (
            local_span(item["starts_at"], item["ends_at"], zone, language)
            if zone != item["time_zone"]
            else ""
        )
    return items


def _send_itinerary(
    version: ScheduleVersion, data: dict, person: AbstractBaseUser, previous: list | None
) -> int:
    """One person's itinerary email; with `previous` (the organisation's meetings in the
    version published before), what changed."""
    delegation, organisation = version.delegation, data["organisation"]
    language = person_language(person)
    items = itinerary_items(data, language)
    changes = None
    if previous is not None:
        changes = changes_for(
            _in_zone(meeting_items(previous, organisation.pk, language), person, language),
            _in_zone(meeting_items(data["meetings"], organisation.pk, language), person, language),
        )
    calendar = itinerary_calendar(
        delegation,
        items,
        sequence=version.number,
        cancelled=changes["removed"] if changes else [],
        name=calendar_name(delegation, organisation.name, language),
    )
    template = "itinerary_changed" if changes else "itinerary"
    return send_email(
        template=f"delegations/email/{template}",
        to=[person.email],
        language=language,
        context={
            "person": person.get_full_name() or person.get_username(),
            "delegation": delegation,
            "title": localized(delegation, "title", language),
            "organisation": organisation,
            "version": version,
            "items": items,
            "changes": changes,
            "url": itinerary_url(delegation),
        },
        attachments=[("itinerary.ics", calendar.to_ical(), "text/calendar")],
        headers={
            "Message-ID": stable_message_id(
                "delegation-itinerary", version.pk, organisation.pk, person.email
            )
        },
    )


def _unchanged(org_id: int, old: list, new: list) -> bool:
    """The organisation meets the same counterparts at the same slots and tables."""
    changes = changes_for(
        meeting_items(old, org_id, DEFAULT_LANGUAGE), meeting_items(new, org_id, DEFAULT_LANGUAGE)
    )
    return not any(changes.values())


def send_itineraries(version: ScheduleVersion) -> int:
    """First publication: everybody gets their itinerary. A revision: only the people of
    organisations whose meetings changed, with what changed. Returns emails sent."""
    delegation = version.delegation
    new_by_org = selectors.meetings_by_organisation(version)
    old_by_org = selectors.meetings_by_organisation(version.previous) if version.previous else None
    recipients = selectors.participant_recipients(delegation=delegation)
    delegate_ids, _hosts = selectors.participant_org_ids(delegation=delegation)
    activities = list(delegation.group_activities.select_related("day"))
    organisations = Organisation.objects.in_bulk(list(recipients))
    sent = 0
    for org_id, people in sorted(recipients.items()):
        meetings = new_by_org.get(org_id, [])
        previous = None if old_by_org is None else old_by_org.get(org_id, [])
        if previous is not None and _unchanged(org_id, previous, meetings):
            continue
        data = {
            "organisation": organisations[org_id],
            "meetings": meetings,
            "activities": activities if org_id in delegate_ids else [],
            "version": version,
        }
        for person in people:
            if person.email:
                sent += _send_itinerary(version, data, person, previous)
    return sent
