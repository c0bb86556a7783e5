"""Public pages: upcoming events, an event with its Register button, calendar files/feeds."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events import selectors, services
from events.api.serializers import registration_message
from events.calendar import event_ics, events_ics
from events.models import CalendarFeedToken
from forum_site.i18n import local_time
from forum_site.locking import Busy
from members.models import Affiliation, Platform
from members.selectors import platform_list


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def home(request):
    """What the three platforms are, what is coming up, and how to join."""
    events = selectors.upcoming_events_for_user(request.user)[:6]
    return render(
        request,
        "events/home.html",
        {"platforms": platform_list(), "events": events},
    )


def event_list(request):
    events = selectors.upcoming_events_for_user(request.user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {"page": page, "events": page.object_list})


@require_http_methods(["GET", "POST"])
def event_detail(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next=/events/{pk}/")
        try:
            if request.POST.get("action") == "cancel":
                registration = services.registration_cancel_for_event(
                    actor=request.user, event=event
                )
            else:
                organisation = None
                if request.POST.get("organisation"):
                    organisation = get_object_or_404(
                        Affiliation,
                        user=request.user,
                        is_active=True,
                        organisation_id=request.POST["organisation"],
                    ).organisation
                registration = services.registration_create(
                    actor=request.user, event=event, organisation=organisation
                )
            messages.success(request, registration_message(registration))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        except Busy as exc:
            messages.error(request, str(exc))
        return redirect("events:detail", pk)
    registration = selectors.active_registration(event=event, user=request.user)
    affiliations = []
    if request.user.is_authenticated:
        affiliations = list(
            Affiliation.objects.filter(user=request.user, is_active=True).select_related(
                "organisation"
            )
        )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "affiliations": affiliations,
            "starts": local_time(event.starts_at, event.time_zone),
            "ends": local_time(event.ends_at, event.time_zone),
            "login_url": f"/accounts/login/?next=/events/{pk}/",
            "title": event.title_ja
            if request.LANGUAGE_CODE == "ja" and event.title_ja
            else event.title,
            "description": (
                event.description_ja
                if request.LANGUAGE_CODE == "ja" and event.description_ja
                else event.description
            ),
            "status_text": _("Your registration: %s") % registration.get_status_display().lower()
            if registration
            else "",
        },
    )


def event_ics_view(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    return _ics_response(event_ics(event), f"{event.slug}.ics")


def user_feed(request, token: str):
    """A person's confirmed events; the secret token in the URL is the only credential."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("Unknown or revoked calendar feed.")
    events = selectors.feed_events_for_user(feed.user)
    return _ics_response(events_ics(events, name="My SME Platform events"), "my-events.ics")


def platform_feed(request, slug: str):
    platform = get_object_or_404(Platform, slug=slug)
    events = selectors.platform_public_events(slug=slug)
    return _ics_response(events_ics(events, name=platform.name), f"{slug}.ics")
