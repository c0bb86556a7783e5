"""What the events pages show, worked out from the selectors and the services' rules: the
month groups of the list, and the registration panel of an event."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from events import selectors, services
from events.calendar import event_url
from events.forms import RegisterForm
from events.models import Event, EventStatus, EventVisibility, RegistrationWindow
from events.presentation import event_json_ld
from forum_site.i18n import local_time, localized
from members.models import Affiliation, Country


def month_groups(events: Iterable[Event], zone: dt.tzinfo) -> list[dict]:
    """Events under a heading per month of the reader's calendar, each with its day and
    time as the reader's clock shows them."""
    groups: list[dict] = []
    zone_name = str(zone)
    now = timezone.now()
    for event in events:
        local = event.starts_at.astimezone(zone)
        key = (local.year, local.month)
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {"key": key, "label": formats.date_format(local, "YEAR_MONTH_FORMAT"), "rows": []}
            )
        groups[-1]["rows"].append(
            {
                "event": event,
                "iso": local.isoformat(),
                "date": formats.date_format(local, "DATE_FORMAT"),
                "day": formats.date_format(local, "j"),
                "weekday": formats.date_format(local, pgettext("weekday in the events list", "D")),
                "time": local_time(event.starts_at, zone_name, format_name="TIME_FORMAT"),
                "window": (window := event.registration_window(now)),
                "window_label": RegistrationWindow(window).label,
            }
        )
    return groups


def _organisations(user) -> list:
    if not user.is_authenticated:
        return []
    return [
        a.organisation
        for a in Affiliation.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    ]


def registration_state(event: Event, *, user, registration, represented, admitted) -> str:
    """Which registration panel a person sees: the first that applies of registered,
    cancelled, over, not_yet, closed, anonymous, no_organisation, not_member, not_invited,
    open. Access is the services' own (the panel only explains it in advance)."""
    now = timezone.now()
    if registration is not None:
        return "registered"
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status != EventStatus.PUBLISHED or event.ends_at <= now:
        return "over"
    window = event.registration_window(now)
    if window != RegistrationWindow.OPEN:
        return window
    if not user.is_authenticated:
        return "anonymous"
    if not represented:
        return "no_organisation"
    if not admitted:
        return "not_member" if event.visibility == EventVisibility.MEMBERS else "not_invited"
    return "open"


def detail_context(request, event: Event) -> dict:
    user = request.user
    language = get_language()
    registration = selectors.active_registration(event=event, user=user)
    represented = _organisations(user)
    admitted_ids = selectors.organisations_admitted(
        event=event, user=user, organisation_ids=[o.pk for o in represented]
    )
    admitted = [o for o in represented if o.pk in admitted_ids]
    state = registration_state(
        event, user=user, registration=registration, represented=represented, admitted=admitted
    )
    title = localized(event, "title", language)
    join_url = (
        reverse("events:home") + "#join" if user.is_authenticated else reverse("account_signup")
    )
    return {
        "event": event,
        "title": title,
        "description": localized(event, "description", language),
        "platform_name": localized(event.platform, "name", language),
        "country_name": Country(event.country).label if event.country in Country.values else "",
        "registration": registration,
        "status_text": registration_status_text(registration),
        "cancellable": registration is not None
        and services.registration_cancellable(event, timezone.now()),
        "state": state,
        "admitted": admitted,
        "form": RegisterForm(organisations=admitted),
        "outsider": event.visibility == EventVisibility.MEMBERS and not admitted,
        "join_url": join_url,
        "json_ld": event_json_ld(event, language),
        "page_url": event_url(event),
    }


def registration_status_text(registration) -> str:
    if registration is None:
        return ""
    return _("Your registration: %s") % registration.get_status_display().lower()
