"""Pages of delegations: the personal itinerary calendar feed (the rest is API and admin)."""

from django.http import Http404, HttpRequest, HttpResponse

from events.calendar import build_calendar
from events.delegations import selectors
from events.delegations.itineraries import itinerary_calendar, itinerary_items
from events.delegations.models import DelegationStatus
from events.models import CalendarFeedToken
from forum_site.i18n import person_language
from members.models import Organisation


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
