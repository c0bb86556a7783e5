"""The unread badge in every page's header (`messaging/_unread_badge.html`).

Lazy: the count is one query (`selectors.unread_total`), run only when a template reads
it; nothing at all for anonymous visitors. `messaging/badge.js` keeps it current on an
open page (every MESSAGING_BADGE_POLL_MS, `views.conversations.unread_badge`)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from members.messaging import selectors


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "messaging_unread": SimpleLazyObject(lambda: selectors.unread_total(user)),
        "messaging_badge_ms": settings.MESSAGING_BADGE_POLL_MS,
    }
