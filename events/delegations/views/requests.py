"""Meeting requests: browse the counterparts (with why they fit), ask to meet one, the
requests made and received (answer: accept or "no thanks"), take one back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.delegations import selectors, services
from events.delegations.counterparts import Filters, counterpart_get, counterparts
from events.delegations.forms import AnswerForm, CounterpartFilterForm, RequestForm
from events.delegations.models import DelegationDay, MeetingRequest, RequestAnswer
from events.delegations.views.common import (
    REFUSALS,
    participant,
    refused,
    submit,
    with_organisation,
)
from forum_site.i18n import sentence


@login_required
def counterpart_list(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    context = participant(request, delegation)
    organisation, is_delegate = context["organisation"], context["is_delegate"]
    days = DelegationDay.objects.filter(delegation=delegation).order_by("date")
    form = CounterpartFilterForm(request.GET or None, days=days if is_delegate else None)
    found = []
    if form.is_bound and not form.is_valid():
        found = None  # the form shows what is wrong; nothing is listed
    else:
        data = form.cleaned_data if form.is_bound else {}
        found = counterparts(
            delegation=delegation,
            organisation=organisation,
            is_delegate=is_delegate,
            filters=Filters(
                sector=data.get("sector"), capability=data.get("capability"), day=data.get("day")
            ),
        )
    return render(
        request,
        "delegations/counterparts.html",
        {**context, "form": form, "counterparts": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    """Ask one counterpart for a meeting (priority and a note)."""
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    context = participant(request, delegation)
    organisation = context["organisation"]
    counterpart = counterpart_get(
        delegation=delegation,
        organisation=organisation,
        counterpart_id=organisation_pk,
        is_delegate=context["is_delegate"],
    )
    if counterpart is None:
        raise Http404("This organisation is not on the other side of the delegation.")
    form = RequestForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and submit(
            form,
            services.meeting_request_create,
            actor=request.user,
            delegation=delegation,
            from_organisation=organisation,
            to_organisation=counterpart.organisation,
            **form.cleaned_data,
        )
    ):
        messages.success(
            request,
            _("Your request to meet %(organisation)s is sent.")
            % {"organisation": counterpart.organisation},
        )
        return redirect(context["tabs"]["requests"])
    return render(
        request,
        "delegations/request_new.html",
        {**context, "form": form, "counterpart": counterpart},
    )


@login_required
def request_list(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    context = participant(request, delegation)
    requests = selectors.requests_of_organisation(
        delegation=delegation, organisation=context["organisation"]
    )
    return render(
        request,
        "delegations/requests.html",
        {
            **context,
            **requests,
            "answers": RequestAnswer,
        },
    )


def _requests_page(request: HttpRequest, meeting_request: MeetingRequest) -> str:
    """Back to the requests page of the request's delegation, for the organisation asked or
    asking that the person represents."""
    mine = selectors.user_participant_org_ids(
        user=request.user, delegation=meeting_request.delegation
    )
    side = (
        meeting_request.to_organisation
        if meeting_request.to_organisation_id in mine
        else meeting_request.from_organisation
    )
    url = reverse("delegations:requests", args=[meeting_request.delegation_id])
    return with_organisation(url, side, len(mine) > 1 or side.pk not in mine)


@login_required
@require_POST
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    meeting_request = selectors.meeting_request_get_for_user(user=request.user, pk=pk)
    back = _requests_page(request, meeting_request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or no thanks."))
        return redirect(back)
    try:
        services.meeting_request_answer(
            actor=request.user, request=meeting_request, answer=form.cleaned_data["answer"]
        )
    except REFUSALS as exc:
        return refused(request, exc, back)
    if form.cleaned_data["answer"] == RequestAnswer.ACCEPTED:
        text = _("You accepted the request of %(organisation)s.")
    else:
        text = _("You declined the request of %(organisation)s; it will not be scheduled.")
    messages.success(request, sentence(text, {"organisation": meeting_request.from_organisation}))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; its button takes the request back."""
    meeting_request = selectors.meeting_request_get_for_user(user=request.user, pk=pk)
    back = _requests_page(request, meeting_request)
    if request.method == "POST":
        try:
            services.meeting_request_delete(actor=request.user, request=meeting_request)
        except REFUSALS as exc:
            return refused(request, exc, back)
        messages.success(request, _("Your request is taken back."))
        return redirect(back)
    return render(
        request,
        "delegations/request_withdraw.html",
        {
            "meeting_request": meeting_request,
            "delegation": meeting_request.delegation,
            "back": back,
        },
    )
