"""A participant's itinerary: the page (per day, times in the reader's zone and the city's,
what changed since the last version, printable one day a page), its `.ics`, and the
personal feed of every published itinerary."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from events.calendar import build_calendar
from events.delegations import selectors
from events.delegations.itineraries import (
    itinerary_calendar,
    itinerary_changes,
    itinerary_days,
    itinerary_ics,
    itinerary_items,
)
from events.delegations.models import DelegationStatus, ScheduleVersion
from events.delegations.views.common import participant, with_organisation
from events.models import CalendarFeedToken
from events.services import calendar_feed_token_get
from forum_site.i18n import person_language
from forum_site.links import absolute_url
from forum_site.permissions import is_staff
from members.models import Organisation


def _version(request: HttpRequest, delegation) -> ScheduleVersion | None:
    """Staff may read any version's agenda (`?version=`, from the admin grid); everybody
    else reads the published one."""
    number = request.GET.get("version", "")
    if not is_staff(request.user) or not number:
        return selectors.version_for_reading(delegation.published_version_id)
    if not number.isdigit() or len(number) > 9:
        raise Http404("No such version.")
    found = selectors.version_get(delegation=delegation, number=int(number))
    return selectors.version_for_reading(found.pk)


def _feed_urls(user) -> dict[str, str]:
    """The personal feed: https for copying, webcal:// for calendar apps to subscribe."""
    url = absolute_url("delegations:feed", calendar_feed_token_get(user=user).token)
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@login_required
def itinerary(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    context = participant(request, delegation)
    organisation = context["organisation"]
    version = _version(request, delegation)
    data = selectors.itinerary(delegation=delegation, organisation=organisation, version=version)
    zone = timezone.get_current_timezone_name()
    language = translation.get_language()
    days = selectors.participant_days(delegation=delegation, organisation=organisation)
    changes = None
    if version is not None and version.previous_id:
        previous = list(
            selectors.version_meetings(version.previous).filter(
                Q(delegate=organisation) | Q(host=organisation)
            )
        )
        changes = itinerary_changes(data, previous, zone, language)
    return render(
        request,
        "delegations/itinerary.html",
        {
            **context,
            **_feed_urls(request.user),
            "data": data,
            "version": version,
            "days": itinerary_days(data, days, zone, language),
            "changes": changes if changes and any(changes.values()) else None,
            "reader_zone": zone,
            "ics_url": with_organisation(
                reverse("delegations:itinerary_ics", args=[pk]), organisation, context["several"]
            ),
        },
    )


@login_required
def itinerary_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The itinerary as a calendar file (the same as the API's itinerary.ics)."""
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    organisation = participant(request, delegation)["organisation"]
    data = selectors.itinerary(
        delegation=delegation,
        organisation=organisation,
        version=selectors.version_for_reading(delegation.published_version_id),
    )
    body = itinerary_ics(delegation=delegation, data=data, language=translation.get_language())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="itinerary-{delegation.slug}.ics"'
    return response


def itinerary_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every published delegation itinerary of the token owner's organisations, as one
    calendar. The secret token in the URL is the only credential (same token as the
    events feed; rotating it revokes both)."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("Unknown or revoked calendar feed.")
    user = feed.user
    language = person_language(user)
    delegations = (
        selectors.delegation_list_for_user(user)
        .filter(published_version__isnull=False)
        .select_related("published_version")
        .defer("published_version__problem", "published_version__solution")
        .exclude(status=DelegationStatus.CANCELLED)
    )
    vevents = []
    for delegation in delegations:
        for org_id in sorted(selectors.user_participant_org_ids(user=user, delegation=delegation)):
            organisation = Organisation.objects.get(pk=org_id)
            data = selectors.itinerary(delegation=delegation, organisation=organisation)
            items = itinerary_items(data, language)
            calendar = itinerary_calendar(
                delegation, items, sequence=delegation.published_version.number
            )
            vevents.extend(c for c in calendar.subcomponents if c.name == "VEVENT")
    body = build_calendar(vevents, name="My delegation itineraries").to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-delegations.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
