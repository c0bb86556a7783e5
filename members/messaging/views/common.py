"""What the inbox pages share: ids from the query string, message rows as the thread
shows them, the posting rate and how a refusal lands on a form."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from forum_site.ids import ID_PATTERN
from members.messaging.api.views import MessagingThrottle
from members.messaging.forms import refusal_text, service_errors

PAGE_SIZE = 30
CONVERSATIONS_PER_PAGE = 50
POLL_LIMIT = 200


def id_param(request: HttpRequest, name: str) -> int | None:
    """An id from the query string: None when absent, 404 for anything but an id."""
    raw = request.GET.get(name)
    if not raw:
        return None
    if not re.fullmatch(ID_PATTERN, raw):
        raise Http404(f"No such {name}.")
    return int(raw)


def person_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def message_items(rows: list[dict], user, now: dt.datetime) -> list[dict]:
    """Message rows as the thread shows them: who wrote it, whether it is mine and whether
    I may still edit it (the service checks again)."""
    window = dt.timedelta(minutes=settings.MESSAGING_EDIT_WINDOW_MINUTES)
    for row in rows:
        row["sender_name"] = person_name(
            row["sender__first_name"] or "",
            row["sender__last_name"] or "",
            row["sender__username"] or "—",
        )
        row["mine"] = row["sender_id"] == user.pk
        row["editable"] = (
            row["mine"] and not row["deleted_at"] and now - row["created_at"] <= window
        )
    return rows


def throttled(request: HttpRequest) -> str:
    """The API's posting rate (MESSAGING_RATE) for the pages too: "" when allowed."""
    throttle = MessagingThrottle()
    if throttle.allow_request(request, None):
        return ""
    wait = int(throttle.wait() or 1)
    return _("You are sending messages too fast. Try again in %(seconds)s seconds.") % {
        "seconds": wait
    }


def post_form(request: HttpRequest, form, service, /, **kwargs):
    """`service(**kwargs)` for a valid form, within the posting rate: its result, or None
    when it refused (the refusal lands on the form's fields, or above them, and nothing is
    saved)."""
    if limited := throttled(request):
        form.add_error(None, limited)
        return None
    try:
        return service(**kwargs)
    except ValidationError as exc:
        service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, refusal_text(str(exc)))
    return None
