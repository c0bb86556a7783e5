"""The inbox pages: my conversations, a thread (older messages paged in, new ones polled),
compose to a person or an organisation, edit and delete my messages, mute, leave, block.

Thin: every read is a selector with the API's access rule (a non-participant gets 404),
every write is the service the API calls. The thread polls `poll` with the last message
id and the time of the latest change it shows; nothing changed is a 304 after one indexed
query (`selectors.conversation_poll_state`).
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum_site.i18n import localized
from forum_site.ids import ID_PATTERN
from members.messaging import selectors, services
from members.messaging.api.views import MessagingThrottle
from members.messaging.forms import ComposeForm, MessageForm, refusal_text, service_errors
from members.models import Organisation

PAGE_SIZE = 30
CONVERSATIONS_PER_PAGE = 50
POLL_LIMIT = 200


def _id_param(request: HttpRequest, name: str) -> int | None:
    """An id from the query string: None when absent, 404 for anything but an id."""
    raw = request.GET.get(name)
    if not raw:
        return None
    if not re.fullmatch(ID_PATTERN, raw):
        raise Http404(f"No such {name}.")
    return int(raw)


def _person_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _items(rows: list[dict], user, now: dt.datetime) -> list[dict]:
    """Message rows as the thread shows them: who wrote it, whether it is mine and whether
    I may still edit it (the service checks again)."""
    window = dt.timedelta(minutes=settings.MESSAGING_EDIT_WINDOW_MINUTES)
    for row in rows:
        row["sender_name"] = _person_name(
            row["sender__first_name"] or "",
            row["sender__last_name"] or "",
            row["sender__username"] or "—",
        )
        row["mine"] = row["sender_id"] == user.pk
        row["editable"] = (
            row["mine"] and not row["deleted_at"] and now - row["created_at"] <= window
        )
    return rows


def _throttled(request: HttpRequest) -> str:
    """The API's posting rate (MESSAGING_RATE) for the pages too: "" when allowed."""
    throttle = MessagingThrottle()
    if throttle.allow_request(request, None):
        return ""
    wait = int(throttle.wait() or 1)
    return _("You are sending messages too fast. Try again in %(seconds)s seconds.") % {
        "seconds": wait
    }


def _post(form, service, /, **kwargs):
    """`service(**kwargs)` for a valid form: its result, or None when it refused (the
    refusal lands on the form's fields, or above them, and nothing is saved)."""
    if limited := _throttled(form.request):
        form.add_error(None, limited)
        return None
    try:
        return service(**kwargs)
    except ValidationError as exc:
        service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, refusal_text(str(exc)))
    return None


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
            _person_name(p["user__first_name"], p["user__last_name"], p["user__username"])
            for p in others
        ]
        if row["organisation__name"]:
            names.append(row["organisation__name"])
        row["with"] = ", ".join(names)
        if row["last_message__sender_id"] is not None:
            row["last_sender"] = _person_name(
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
    organisation_id = _id_param(request, "organisation")
    user_id = _id_param(request, "user")
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
    form.request = request
    if request.method == "POST" and target and may_message and form.is_valid():
        conversation = _post(
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


# --- A thread ------------------------------------------------------------------------------


def _thread_urls(pk: int) -> dict:
    return {"thread_url": reverse("messaging:thread", args=[pk])}


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    before = _id_param(request, "before")
    now = timezone.now()
    if request.htmx and before is not None and request.method == "GET":
        # "Load older": only the older page, one query (the access rule is part of it).
        rows, more = selectors.message_page(
            user=request.user, conversation_id=pk, before=before, limit=PAGE_SIZE
        )
        return render(
            request,
            "messaging/_older.html",
            {"items": _items(rows, request.user, now), "more": more, **_thread_urls(pk)},
        )
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST if request.method == "POST" else None)
    form.request = request
    if request.method == "POST" and form.is_valid():
        message = _post(
            form,
            services.message_post,
            actor=request.user,
            conversation_id=pk,
            body=form.cleaned_data["body"],
        )
        if message is not None:
            return redirect(f"{reverse('messaging:thread', args=[pk])}#message-{message.pk}")
    state = selectors.conversation_poll_state(user=request.user, conversation_id=pk)
    if conversation["unread_count"]:
        services.conversation_mark_read(actor=request.user, conversation_id=pk)
    rows, more = selectors.message_page(
        user=request.user, conversation_id=pk, before=before, limit=PAGE_SIZE
    )
    items = _items(rows, request.user, now)
    participants = selectors.conversation_participants([pk])[pk]
    blocked = selectors.blocked_ids(request.user)
    people = {
        p["user__id"]: _person_name(
            p["user__first_name"], p["user__last_name"], p["user__username"]
        )
        for p in participants
    }
    for item in items:
        if item["sender_id"] is not None:
            people.setdefault(item["sender_id"], item["sender_name"])
    people.pop(request.user.pk, None)
    return render(
        request,
        "messaging/thread.html",
        {
            "conversation": conversation,
            "items": items,
            "more": more,
            "before": before,
            "form": form,
            "people": [
                {"id": uid, "name": name, "blocked": uid in blocked}
                for uid, name in sorted(people.items(), key=lambda p: p[1].lower())
            ],
            # The poller starts from what this page shows; paging back stops it.
            "poll": None if before else _poll_params(pk, state),
            "poll_ms": settings.MESSAGING_POLL_MS,
            **_thread_urls(pk),
        },
    )


def _poll_params(pk: int, state: dict) -> dict:
    change = state["latest_change"]
    return {
        "url": reverse("messaging:poll", args=[pk]),
        "after": state["last_message_id"] or 0,
        "since": change.isoformat() if change else "",
    }


@never_cache
@login_required
@require_GET
def poll(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed in the thread since the reader's page: `?after=<last message id>&since=
    <time of the latest change shown>`. Nothing changed: 304 after one indexed query.
    Otherwise the new messages (appended) and the changed ones (replaced), out of band, and
    the poller with the new cursors."""
    state = selectors.conversation_poll_state(user=request.user, conversation_id=pk)
    after_raw, since_raw = request.GET.get("after", ""), request.GET.get("since", "")
    since = parse_datetime(since_raw) if since_raw else None
    if not re.fullmatch(ID_PATTERN, after_raw) or (since_raw and since is None):
        return HttpResponseBadRequest("Give after=<message id> and since=<ISO datetime>.")
    after = int(after_raw)
    change = state["latest_change"]
    if (state["last_message_id"] or 0) <= after and (
        change is None or (since is not None and change <= since)
    ):
        return HttpResponseNotModified()
    now = timezone.now()
    new, _more = selectors.message_page(
        user=request.user, conversation_id=pk, after=after, limit=POLL_LIMIT
    )
    changed = []
    if since is not None:
        edited, _more = selectors.message_page(
            user=request.user, conversation_id=pk, since=since, limit=POLL_LIMIT
        )
        # `since` is inclusive: the change the reader has already seen comes back too.
        changed = [r for r in edited if r["id"] <= after and r["updated_at"] > since]
    if new:
        services.conversation_mark_read(
            actor=request.user, conversation_id=pk, message_id=new[-1]["id"]
        )
    return render(
        request,
        "messaging/_poll.html",
        {
            "new": _items(new, request.user, now),
            "changed": _items(changed, request.user, now),
            "poll": _poll_params(pk, state),
            "poll_ms": settings.MESSAGING_POLL_MS,
            **_thread_urls(pk),
        },
    )


# --- My messages: edit, delete ------------------------------------------------------------


def _own_item(request: HttpRequest, pk: int, message_pk: int) -> dict:
    """My message in a conversation I see (404 otherwise, also for someone else's)."""
    row = selectors.message_row_for_user(user=request.user, conversation_pk=pk, pk=message_pk)
    if row["sender_id"] != request.user.pk:
        raise Http404("No such message of yours.")
    return _items([row], request.user, timezone.now())[0]


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    item = _own_item(request, pk, message_pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
    else:
        form = MessageForm(initial={"body": item["body"]})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(
                actor=request.user,
                conversation_id=pk,
                message_id=message_pk,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Your message is changed."))
            return redirect(f"{reverse('messaging:thread', args=[pk])}#message-{message_pk}")
    return render(
        request,
        "messaging/message_edit.html",
        {
            "form": form,
            "item": item,
            "edit_window": settings.MESSAGING_EDIT_WINDOW_MINUTES,
            **_thread_urls(pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    item = _own_item(request, pk, message_pk)
    back = f"{reverse('messaging:thread', args=[pk])}#message-{message_pk}"
    if request.method == "POST":
        services.message_delete(actor=request.user, conversation_id=pk, message_id=message_pk)
        messages.success(request, _("Your message is deleted."))
        return redirect(back)
    return render(
        request,
        "messaging/confirm.html",
        {
            "title": _("Delete this message?"),
            "explanation": _("Its text is removed for everyone; a “message deleted” note stays."),
            "quote": item["body"],
            "confirm": _("Yes, delete it"),
            "cancel": _("No, keep my message"),
            "back": back,
        },
    )


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
    back = _id_param(request, "conversation")
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
