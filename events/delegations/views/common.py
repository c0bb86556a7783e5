"""What the delegation pages share: which of the person's organisations a page is about
(`?organisation=` when they have several in a delegation; the API's rule), and the context
of a participant's pages (the tabs, whether requests are still open)."""

import re
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from events.delegations import selectors, services
from events.delegations.forms import service_errors
from events.delegations.models import Delegation
from forum_site.ids import ID_PATTERN
from forum_site.locking import Busy
from members.models import Organisation

REFUSALS = (ValidationError, PermissionDenied, Busy)
T = TypeVar("T")


def organisation_param(request: HttpRequest) -> int | None:
    """The organisation named in the query string (a 404 for anything but an id)."""
    raw = request.GET.get("organisation")
    if not raw:
        return None
    if not re.fullmatch(ID_PATTERN, raw):
        raise Http404("No such organisation.")
    return int(raw)


def participant(request: HttpRequest, delegation: Delegation) -> dict:
    """The participating organisation the page is about: one of the person's (staff: any
    participant named), else 404 — the same rule as the API's itinerary. Returns the
    context of a participant's pages (participant_context) with it."""
    participation = selectors.participation_of(user=request.user, delegation=delegation)
    organisation = selectors.participant_organisation(
        user=request.user,
        delegation=delegation,
        organisation_id=organisation_param(request),
        participation=participation,
    )
    return participant_context(request, delegation, organisation, participation)


def with_organisation(url: str, organisation: Organisation, several: bool) -> str:
    return f"{url}?organisation={organisation.pk}" if several else url


def participant_context(
    request: HttpRequest,
    delegation: Delegation,
    organisation: Organisation,
    participation: selectors.Participation,
) -> dict:
    """The tabs of a participant's pages (keeping the organisation when there are
    several), its side, and why requests are read-only ("" while open)."""
    mine = participation.mine
    several = len(mine) > 1 or organisation.pk not in mine

    def link(name: str) -> str:
        return with_organisation(reverse(name, args=[delegation.pk]), organisation, several)

    return {
        "delegation": delegation,
        "organisation": organisation,
        "participation": participation,
        "is_delegate": organisation.pk in participation.delegates,
        "several": several,
        "org_query": f"?organisation={organisation.pk}" if several else "",
        "requests_closed": services.requests_refusal(delegation),
        "tabs": {
            "detail": reverse("delegations:detail", args=[delegation.pk]),
            "counterparts": link("delegations:counterparts"),
            "requests": link("delegations:requests"),
            "availability": link("delegations:availability"),
            "itinerary": link("delegations:itinerary"),
        },
    }


def submit(form, service: Callable[..., T], /, **kwargs) -> T | None:
    """`service(**kwargs)` for a valid form: its result, or None when it refused (the
    refusal lands on the form's fields, or above them, and nothing is saved)."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        service_errors(form, exc)
    except Busy as exc:
        form.add_error(None, str(exc))
    return None


def refused(request: HttpRequest, exc: Exception, to: str):
    """Show a service's refusal and go back to `to` (for one-button forms)."""
    if isinstance(exc, ValidationError):
        text = " ".join(exc.messages)
    else:
        text = str(exc)
    messages.error(request, text)
    return redirect(to)
