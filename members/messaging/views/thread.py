"""A thread: the latest messages, older ones paged in (htmx), the reply form; the poll
(304 when nothing changed, after one indexed query); my messages: edit, delete."""

import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
from django.views.decorators.http import require_GET, require_http_methods

from forum_site.ids import ID_PATTERN
from members.messaging import selectors, services
from members.messaging.forms import MessageForm, service_errors
from members.messaging.views.common import (
    PAGE_SIZE,
    POLL_LIMIT,
    id_param,
    message_items,
    person_name,
    post_form,
)

# --- A thread ------------------------------------------------------------------------------


def _thread_urls(pk: int) -> dict:
    return {"thread_url": reverse("messaging:thread", args=[pk])}


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    before = id_param(request, "before")
    now = timezone.now()
    if request.htmx and before is not None and request.method == "GET":
        # "Load older": only the older page, one query (the access rule is part of it).
        rows, more = selectors.message_page(
            user=request.user, conversation_id=pk, before=before, limit=PAGE_SIZE
        )
        return render(
            request,
            "messaging/_older.html",
            {"items": message_items(rows, request.user, now), "more": more, **_thread_urls(pk)},
        )
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        message = post_form(
            request,
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
    items = message_items(rows, request.user, now)
    participants = selectors.conversation_people(conversation)
    blocked = selectors.blocked_ids(request.user)
    people = {
        p["user__id"]: person_name(p["user__first_name"], p["user__last_name"], p["user__username"])
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


def _datetime(raw: str) -> dt.datetime | None:
    """An ISO datetime from the query string (UTC when it names no zone), else None."""
    try:
        value = parse_datetime(raw) if raw else None
    except ValueError:  # well formed but impossible, e.g. month 13
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


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
    since = _datetime(since_raw)
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
            "new": message_items(new, request.user, now),
            "changed": message_items(changed, request.user, now),
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
    return message_items([row], request.user, timezone.now())[0]


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
