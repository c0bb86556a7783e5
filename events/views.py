"""Pages of events: the list with its filters, an event with its Register button, the
cancel confirmation, my registrations with my calendar feed, and the calendar files.

They read through the same selectors and write through the same services as the API, so
the same rules (who sees what, who may register) hold on both."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events import selectors, services
from events.api.filters import EventFilter
from events.api.serializers import registration_message
from events.calendar import event_ics, events_ics, feed_url
from events.forms import (
    MAIN_FILTERS,
    MORE_FILTERS,
    PAGE_FILTERS,
    RegisterForm,
    event_filter_form,
)
from events.models import CalendarFeedToken
from events.pages import detail_context, month_groups
from events.presentation import subscribe_links
from forum_site.locking import Busy
from members.models import Platform
from members.selectors import platform_list

EVENTS_PER_PAGE = 20
FEED_NAME = "My SME Platform events"


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _attempt(request, change: Callable[[], object]):
    """Run a service call; a refusal becomes an error message on the next page (and the
    service changed nothing). Returns the call's result, or None when refused."""
    try:
        return change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (PermissionDenied, Busy) as exc:
        messages.error(request, str(exc))
    return None


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def home(request):
    """What the three platforms are, what is coming up, and how to join."""
    events = selectors.upcoming_events_for_user(request.user)[:6]
    return render(
        request,
        "events/home.html",
        {"platforms": platform_list(), "events": events},
    )


def event_list(request):
    """Upcoming events, filtered by EventFilter (the API's filters), grouped by month."""
    upcoming = selectors.upcoming_events_for_user(request.user)
    filterset = EventFilter(request.GET or None, queryset=upcoming, request=request)
    form = event_filter_form(filterset)
    valid = not filterset.is_bound or filterset.is_valid()
    events = filterset.qs if valid else upcoming.none()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = valid and any(request.GET.get(name) for name in PAGE_FILTERS)
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "main_fields": [form[name] for name in MAIN_FILTERS],
            "more_fields": [form[name] for name in MORE_FILTERS],
            "more_open": any(request.GET.get(name) for name in MORE_FILTERS),
            "invalid": not valid,
            "filtered": filtered,
            "page": page,
            "events": page.object_list,
            "months": month_groups(page.object_list, timezone.get_current_timezone()),
            "member_platforms": selectors.member_platform_id_set(request.user),
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


def _login_url(request) -> str:
    return f"{reverse('account_login')}?next={request.path}"


@require_http_methods(["GET", "POST"])
def event_detail(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    context = detail_context(request, event)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        if request.POST.get("action") == "cancel":
            # The pages ask first (events:cancel); this form post stays for old clients.
            return _cancel(request, event, redirect_to=reverse("events:detail", args=[pk]))
        form = RegisterForm(request.POST, organisations=context["admitted"])
        if not form.is_valid():
            context["form"] = form
            return render(request, "events/event_detail.html", context, status=400)
        registration = _attempt(
            request,
            lambda: services.registration_create(
                actor=request.user, event=event, organisation=form.cleaned_data["organisation"]
            ),
        )
        if registration is not None:
            messages.success(request, registration_message(registration))
        return redirect("events:detail", pk)
    context["login_url"] = _login_url(request)
    return render(request, "events/event_detail.html", context)


def _cancel(request, event, *, redirect_to: str):
    registration = _attempt(
        request, lambda: services.registration_cancel_for_event(actor=request.user, event=event)
    )
    if registration is not None:
        messages.success(request, registration_message(registration))
    return redirect(redirect_to)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, pk: int):
    """Cancel my registration: a confirmation page, then the cancelling POST."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    detail = reverse("events:detail", args=[pk])
    back = _next_url(request, detail)
    if request.method == "POST":
        return _cancel(request, event, redirect_to=back)
    registration = selectors.active_registration(event=event, user=request.user)
    if registration is None:
        messages.info(request, _("You are not registered for this event."))
        return redirect(detail)
    return render(
        request,
        "events/event_cancel.html",
        {
            "event": event,
            "registration": registration,
            "back": back,
            "cancellable": services.registration_cancellable(event, timezone.now()),
        },
    )


@login_required
def my_registrations(request):
    """My registrations (upcoming and past), and my calendar feed with subscribe links."""
    token = services.calendar_feed_token_get(user=request.user)
    now = timezone.now()
    upcoming = list(selectors.upcoming_registrations_for_user(request.user, now=now))
    for registration in upcoming:
        registration.cancellable = services.registration_cancellable(registration.event, now)
    return render(
        request,
        "events/my_registrations.html",
        {
            "upcoming": upcoming,
            "history": selectors.past_registrations_for_user(request.user, now=now),
            "feed": subscribe_links(feed_url(token), FEED_NAME),
        },
    )


@login_required
@require_POST
def feed_replace(request):
    """Revoke my feed URL and issue a new one (after the address was shared by mistake)."""
    services.calendar_feed_token_rotate(user=request.user)
    messages.success(
        request,
        _(
            "Your calendar feed has a new address; the old one no longer works. Subscribe "
            "your calendar app again with the new address."
        ),
    )
    return redirect("events:my-registrations")


def event_ics_view(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    return _ics_response(event_ics(event), f"{event.slug}.ics")


def user_feed(request, token: str):
    """A person's confirmed events; the secret token in the URL is the only credential."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("Unknown or revoked calendar feed.")
    events = selectors.feed_events_for_user(feed.user)
    return _ics_response(events_ics(events, name=FEED_NAME), "my-events.ics")


def platform_feed(request, slug: str):
    platform = get_object_or_404(Platform, slug=slug)
    events = selectors.platform_public_events(slug=slug)
    return _ics_response(events_ics(events, name=platform.name), f"{slug}.ics")
