"""My place in a conversation: mute, leave, block (and unblock, the people I blocked)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.messaging import selectors, services
from members.messaging.views.common import id_param

# --- My place in a conversation: mute, leave, block --------------------------------------


@login_required
@require_POST
def mute(request: HttpRequest, pk: int) -> HttpResponse:
    muted = request.POST.get("muted") == "1"
    services.conversation_mute(actor=request.user, conversation_id=pk, muted=muted)
    if muted:
        messages.success(request, _("Muted: no email digests, not counted in your unread."))
    else:
        messages.success(request, _("Unmuted."))
    return redirect("messaging:thread", pk)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_visible(user=request.user, pk=pk)
    if request.method == "POST":
        services.conversation_leave(actor=request.user, conversation_id=pk)
        messages.success(request, _("You left “%(subject)s”.") % {"subject": conversation.subject})
        return redirect("messaging:inbox")
    return render(
        request,
        "messaging/confirm.html",
        {
            "title": _("Leave this conversation?"),
            "explanation": _(
                "“%(subject)s” disappears from your messages and you receive nothing more from it."
            )
            % {"subject": conversation.subject},
            "confirm": _("Yes, leave"),
            "cancel": _("No, stay"),
            "back": reverse("messaging:thread", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Block someone met in a conversation I see (404 for anyone else)."""
    selectors.conversation_visible(user=request.user, pk=pk)
    if user_pk == request.user.pk or not selectors.person_in_conversation(
        conversation_id=pk, user_id=user_pk
    ):
        raise Http404("No such person in this conversation.")
    person = get_user_model().objects.get(pk=user_pk)
    name = person.get_full_name() or person.username
    back = reverse("messaging:thread", args=[pk])
    if request.method == "POST":
        services.block_create(actor=request.user, user_id=user_pk)
        messages.success(request, _("You blocked %(name)s.") % {"name": name})
        return redirect(back)
    return render(
        request,
        "messaging/confirm.html",
        {
            "title": _("Block %(name)s?") % {"name": name},
            "explanation": _(
                "Their new messages to any conversation you take part in, and new "
                "conversations that would reach you, are refused. They are not told that "
                "it was you."
            ),
            "confirm": _("Yes, block"),
            "cancel": _("No"),
            "back": back,
        },
    )


@login_required
@require_POST
def unblock(request: HttpRequest, user_pk: int) -> HttpResponse:
    services.block_delete(actor=request.user, user_id=user_pk)
    messages.success(request, _("Unblocked."))
    back = id_param(request, "conversation")
    if back is not None and selectors.conversation_is_visible(user=request.user, pk=back):
        return redirect("messaging:thread", back)
    return redirect("messaging:blocked")


@login_required
@require_GET
def blocked(request: HttpRequest) -> HttpResponse:
    people = [
        {"id": b.blocked_id, "name": b.blocked.get_full_name() or b.blocked.username, "since": b}
        for b in selectors.block_list(request.user)
    ]
    return render(request, "messaging/blocked.html", {"people": people})
