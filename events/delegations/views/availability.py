"""When a participant cannot meet: a day grid of slots to tick; the scheduler keeps them free."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.delegations import selectors, services
from events.delegations.forms import AvailabilityForm
from events.delegations.views.common import participant, submit


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_ref_for_user(user=request.user, pk=pk)
    context = participant(request, delegation)
    organisation = context["organisation"]
    grid = selectors.availability_grid(
        delegation=delegation, organisation=organisation, is_delegate=context["is_delegate"]
    )
    form = AvailabilityForm(request.POST if request.method == "POST" else None, grid=grid)
    if (
        request.method == "POST"
        and form.is_valid()
        and submit(
            form,
            services.availability_set,
            actor=request.user,
            delegation=delegation,
            organisation=organisation,
            busy=form.marked(),
        )
        is not None
    ):
        messages.success(request, _("Saved: the scheduler keeps the ticked slots free."))
        return redirect(context["tabs"]["availability"])
    if form.is_bound:
        # Show what was sent, not what is stored, next to the errors.
        sent = set(request.POST.getlist("busy"))
        for day in grid:
            for slot in day["slots"]:
                slot["busy"] = slot["value"] in sent
    return render(request, "delegations/availability.html", {**context, "form": form, "grid": grid})
