"""Applying for a delegation, the person's applications with the decisions, withdrawing."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.delegations import selectors, services
from events.delegations.forms import ApplicationForm
from events.delegations.models import Delegation, DelegationHost
from events.delegations.views.common import REFUSALS, refused, submit
from members.models import Membership, Organisation
from members.selectors import organisation_ids_represented


def _application_form(request: HttpRequest, delegation: Delegation) -> ApplicationForm:
    organisations = list(
        selectors.organisations_that_may_apply(user=request.user, delegation=delegation)
    )
    people = (
        get_user_model()
        .objects.filter(affiliations__organisation__in=organisations, affiliations__is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    # Whom they may name: the delegation's hosts and the platform's members over there.
    counterparts = (
        Organisation.objects.filter(country=delegation.host_country)
        .filter(
            Q(pk__in=DelegationHost.objects.filter(delegation=delegation).values("organisation_id"))
            | Q(
                pk__in=Membership.objects.filter(
                    platform_id=delegation.platform_id, status=Membership.Status.APPROVED
                ).values("organisation_id")
            )
        )
        .order_by("name", "pk")
    )
    return ApplicationForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        people=people,
        counterparts=counterparts,
        initial={"representatives": [request.user.pk]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    form = _application_form(request, delegation)
    refusal = services.application_refusal(delegation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if "organisation" not in form.fields:
            # Their only organisation that may apply (others may have applied already).
            data["organisation"] = form.organisations[0] if form.organisations else None
        application = submit(
            form, services.application_submit, actor=request.user, delegation=delegation, **data
        )
        if application is not None:
            messages.success(request, _("Your application is submitted."))
            return redirect("delegations:application", application.pk)
    return render(
        request,
        "delegations/apply.html",
        {
            "delegation": delegation,
            "form": form,
            "refusal": refusal,
            "no_organisation": not form.organisations,
        },
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    # Staff see their own organisations' here too; everybody's are in the admin.
    applications = selectors.application_list_for_user(request.user).filter(
        organisation_id__in=organisation_ids_represented(request.user)
    )
    return render(
        request,
        "delegations/application_list.html",
        {"applications": applications.order_by("-created_at", "-pk")},
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "delegations/application_detail.html",
        {
            "application": application,
            "delegation": application.delegation,
            "withdrawable": services.application_withdrawable(application),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; the button on it withdraws."""
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.application_withdraw(actor=request.user, application=application)
        except REFUSALS as exc:
            return refused(request, exc, reverse("delegations:application", args=[pk]))
        messages.success(request, _("Your application is withdrawn."))
        return redirect("delegations:application", application.pk)
    return render(
        request,
        "delegations/application_withdraw.html",
        {"application": application, "delegation": application.delegation},
    )
