"""Absolute links for emails, calendars and API fields: `reverse()` on the site's base URL."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, *args: object, query: dict | None = None, **kwargs: object) -> str:
    """The full URL of a named route, e.g. absolute_url("events:detail", 5)."""
    path = reverse(viewname, args=args or None, kwargs=kwargs or None)
    return f"{settings.SITE_URL}{path}" + (f"?{urlencode(query)}" if query else "")
