"""Pages where people manage their organisation: register it, edit it, its
representatives and its platform memberships. Each change is a `members.services` call,
which also decides who may make it (the API's rule); a refused change is a field error."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from forum_site.locking import Busy
from members import selectors, services
from members.forms import InviteForm, MembershipApplyForm, OrganisationForm, RepresentativeForm
from members.models import Affiliation, Membership, Platform, RepresentativeInvitation

REAPPLY = {Membership.Status.REJECTED, Membership.Status.LAPSED}


def _posted(request):
    """The POST data of a POST (even an empty one, which must still be validated)."""
    return request.POST if request.method == "POST" else None


def _submit(form: Form, change: Callable[[], object]) -> object | None:
    """Run `change` for a valid form; its ValidationError becomes the form's field errors
    (nothing is saved: the service's transaction rolls back)."""
    if not form.is_valid():
        return None
    try:
        return change()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    except Busy as exc:
        form.add_error(None, str(exc))
    return None


def _organisation_values(form: OrganisationForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@login_required
def organisation_create(request):
    form = OrganisationForm(_posted(request))
    if request.method == "POST":
        organisation = _submit(
            form,
            lambda: services.organisation_create(actor=request.user, **_organisation_values(form)),
        )
        if organisation is not None:
            messages.success(request, _("Your organisation is registered; you are its admin."))
            return redirect("members:organisation", organisation.pk)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": None})


def _managed(request, pk: int):
    """The organisation, if the person may manage it (else 403, as the API answers)."""
    organisation = selectors.organisation_get(pk=pk)
    services.require_organisation_admin(request.user, organisation)
    return organisation


@login_required
def organisation_edit(request, pk: int):
    organisation = _managed(request, pk)
    form = OrganisationForm(_posted(request), instance=organisation)
    if request.method == "POST":
        done = _submit(
            form,
            lambda: services.organisation_update(
                actor=request.user, organisation=organisation, **_organisation_values(form)
            ),
        )
        if done is not None:
            messages.success(request, _("The organisation's details are saved."))
            return redirect("members:organisation", organisation.pk)
    return render(
        request,
        "members/organisation_form.html",
        {"form": form, "organisation": organisation, "tab": "edit"},
    )


def _representative_change(request, organisation) -> tuple[bool, RepresentativeForm]:
    form = RepresentativeForm(request.POST, organisation=organisation)
    action = request.POST.get("action")

    def change():
        user = form.cleaned_data["user"]
        if action == "remove":
            services.representative_remove(actor=request.user, organisation=organisation, user=user)
            return _("%(name)s no longer represents the organisation.") % {"name": user}
        services.representative_set_role(
            actor=request.user,
            organisation=organisation,
            user=user,
            role=form.cleaned_data["role"],
        )
        return _("%(name)s's role is changed.") % {"name": user}

    done = _submit(form, change)
    if done:
        messages.success(request, done)
    return bool(done), form


def _invite(request, organisation) -> tuple[bool, InviteForm]:
    form = InviteForm(request.POST)
    done = _submit(
        form,
        lambda: services.representative_invite(
            actor=request.user, organisation=organisation, email=form.cleaned_data["email"]
        ),
    )
    if isinstance(done, RepresentativeInvitation):
        messages.success(
            request, _("An invitation is emailed to %(email)s.") % {"email": done.email}
        )
    elif isinstance(done, Affiliation):
        messages.success(
            request, _("%(name)s now represents the organisation.") % {"name": done.user}
        )
    return done is not None, form


def _withdraw(request, organisation) -> bool:
    invitation = RepresentativeInvitation.objects.filter(
        organisation=organisation, pk=request.POST.get("invitation") or 0, accepted_at=None
    ).first()
    if invitation is not None:
        services.representative_invitation_withdraw(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation is withdrawn."))
    return True


@login_required
def representatives(request, pk: int):
    organisation = _managed(request, pk)
    invite_form, change_form = InviteForm(), None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            done, invite_form = _invite(request, organisation)
        elif action == "withdraw":
            done = _withdraw(request, organisation)
        else:
            done, change_form = _representative_change(request, organisation)
        if done:
            return redirect("members:representatives", organisation.pk)
    return render(
        request,
        "members/representatives.html",
        {
            "organisation": organisation,
            "tab": "representatives",
            "representatives": selectors.representative_list(organisation),
            "invitations": selectors.representative_invitations_open(organisation),
            "invite_form": invite_form,
            "change_form": change_form,
            "me": request.user,
        },
    )


@login_required
def memberships(request, pk: int):
    """The organisation's memberships (its people and staff see them); its admins apply."""
    organisation = selectors.organisation_get(pk=pk)
    selectors.organisation_acting_for(
        user=request.user, organisation=organisation, staff_may_choose=True, none="", several=""
    )
    rows = list(
        selectors.membership_list_for_organisation(user=request.user, organisation=organisation)
    )
    taken = {m.platform_id for m in rows if m.status not in REAPPLY}
    form = MembershipApplyForm(_posted(request), platforms=Platform.objects.exclude(pk__in=taken))
    if request.method == "POST":
        applied = _submit(
            form,
            lambda: services.membership_apply(
                actor=request.user,
                organisation=organisation,
                platform=form.cleaned_data["platform"],
                note=form.cleaned_data["note"],
            ),
        )
        if applied is not None:
            messages.success(request, _("Your application is sent to the secretariat."))
            return redirect("members:memberships", organisation.pk)
    return render(
        request,
        "members/memberships.html",
        {
            "organisation": organisation,
            "tab": "memberships",
            "memberships": rows,
            "form": form,
            "is_admin": services.is_organisation_admin(user=request.user, organisation=organisation)
            or request.user.is_staff,
        },
    )


def invitation(request, token: str):
    """Where the invitation email's link leads: what the invitation is and how to accept."""
    found = selectors.representative_invitation_get(token=token)
    expired = found.accepted_at is None and found.expires_at <= timezone.now()
    return render(request, "members/invitation.html", {"invitation": found, "expired": expired})
