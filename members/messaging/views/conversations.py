"""My conversations (with unread counts), the digest preference, and a new conversation
to a person or an organisation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum_site.i18n import localized
from members.messaging import selectors, services
from members.messaging.forms import ComposeForm
from members.messaging.views.common import CONVERSATIONS_PER_PAGE, id_param, person_name, post_form
from members.models import Organisation

# --- The header's badge --------------------------------------------------------------------


@require_GET
@never_cache
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread badge for messaging/badge.js: 204 while the count is still the
    `n` the page shows (one query besides session and user), else the badge's markup."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    total = selectors.unread_total(request.user)
    if request.GET.get("n") == str(total["unread"]):
        return HttpResponse(status=204)
    return render(request, "messaging/_unread_badge.html", {"messaging_unread": total})


# --- The list ------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    start = (page - 1) * CONVERSATIONS_PER_PAGE
    rows = list(
        selectors.conversation_list_for_user(request.user)[
            start : start + CONVERSATIONS_PER_PAGE + 1
        ]
    )
    more = len(rows) > CONVERSATIONS_PER_PAGE
    rows = rows[:CONVERSATIONS_PER_PAGE]
    people = selectors.conversation_participants(r["id"] for r in rows)
    for row in rows:
        others = [p for p in people[row["id"]] if p["user__id"] != request.user.pk]
        names = [
            person_name(p["user__first_name"], p["user__last_name"], p["user__username"])
            for p in others
        ]
        if row["organisation__name"]:
            names.append(row["organisation__name"])
        row["with"] = ", ".join(names)
        if row["last_message__sender_id"] is not None:
            row["last_sender"] = person_name(
                row["last_message__sender__first_name"],
                row["last_message__sender__last_name"],
                row["last_message__sender__username"],
            )
    return render(
        request,
        "messaging/inbox.html",
        {
            "conversations": rows,
            "page": page,
            "more": more,
            "preference": selectors.preference_for(request.user),
        },
    )


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    digest = request.POST.get("email_digest")
    if digest not in ("on", "off"):
        return HttpResponseBadRequest(_("Choose on or off."))
    services.preference_update(actor=request.user, email_digest=digest == "on")
    if digest == "on":
        messages.success(request, _("You will get email digests of unread messages."))
    else:
        messages.success(request, _("You will get no more email digests."))
    return redirect("messaging:inbox")


# --- Compose -------------------------------------------------------------------------------


def _compose_target(request: HttpRequest, user) -> dict:
    """Whom the new conversation is for: `?organisation=<id>` or `?user=<id>` (404 for an
    unknown one, or a person who cannot be messaged: the same answer for both)."""
    organisation_id = id_param(request, "organisation")
    user_id = id_param(request, "user")
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise Http404("No such organisation.")
        return {"organisation_id": organisation.pk, "name": localized(organisation, "name")}
    if user_id is not None:
        person = selectors.messaging_users().filter(pk=user_id).exclude(pk=user.pk).first()
        if person is None:
            raise Http404("No such person.")
        return {"recipient_ids": [person.pk], "name": person.get_full_name() or person.username}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    target = _compose_target(request, request.user)
    may_message = selectors.user_may_message(request.user)
    form = ComposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and target and may_message and form.is_valid():
        conversation = post_form(
            request,
            form,
            services.conversation_start,
            actor=request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            recipient_ids=target.get("recipient_ids", ()),
            organisation_id=target.get("organisation_id"),
        )
        if conversation is not None:
            messages.success(request, _("Your message is sent."))
            return redirect("messaging:thread", conversation.pk)
    return render(
        request,
        "messaging/compose.html",
        {"form": form, "target": target, "may_message": may_message},
    )
