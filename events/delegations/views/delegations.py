"""The delegations a member may join: the list and one delegation with the person's part in
it (their applications, and the participant's tabs once their organisation takes part)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from events.delegations import selectors, services
from events.delegations.models import Delegation, GroupActivity
from events.delegations.views.common import participant_context


def _first_day(delegation: Delegation) -> dt.date:
    days = delegation.days.all()
    return days[0].date if days else dt.date.max


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    delegations = sorted(
        selectors.delegation_list_for_user(request.user), key=lambda d: (_first_day(d), d.pk)
    )
    applications: dict[int, list] = {}
    for application in selectors.own_applications(user=request.user):
        applications.setdefault(application.delegation_id, []).append(application)
    for delegation in delegations:
        delegation.mine = applications.get(delegation.pk, [])
    today = timezone.localdate()
    return render(
        request,
        "delegations/delegation_list.html",
        {
            "upcoming": [d for d in delegations if _first_day(d) >= today],
            "past": [d for d in delegations if _first_day(d) < today],
        },
    )


@login_required
def delegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get_for_user(user=request.user, pk=pk)
    participation = selectors.participation_of(user=request.user, delegation=delegation)
    context = {
        "delegation": delegation,
        "activities": GroupActivity.objects.filter(delegation=delegation).select_related("day"),
        "applications": selectors.own_applications(user=request.user, delegation=delegation),
        "refusal": services.application_refusal(delegation),
        "may_apply": selectors.organisations_that_may_apply(
            user=request.user, delegation=delegation
        ).exists(),
        "tabs": None,
    }
    if participation.mine:
        organisation = selectors.participant_organisation(
            user=request.user, delegation=delegation, participation=participation
        )
        context.update(participant_context(request, delegation, organisation, participation))
        context["delegation"] = delegation
    return render(request, "delegations/delegation_detail.html", context)
