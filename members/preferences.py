"""A logged-in person reads pages in their profile's language and time zone.

Both are kept in the session (set at login, and whenever the person changes them), so no
page pays a query for them. Anonymous visitors get the language Django's LocaleMiddleware
chose (cookie, then Accept-Language) and the time zone that goes with that language.
"""

import zoneinfo

from django.utils import timezone, translation

from forum_site.i18n import DEFAULT_TIME_ZONE, LANGUAGE_TIME_ZONES
from members.services import profile_ensure

SESSION_LANGUAGE = "person_language"
SESSION_TIME_ZONE = "person_time_zone"


def remember(request, *, language: str, time_zone: str) -> None:
    """Make `language` and `time_zone` this session's (after login or a profile change);
    the next request is answered in them."""
    request.session[SESSION_LANGUAGE] = language
    request.session[SESSION_TIME_ZONE] = time_zone


def remember_profile(request, profile) -> None:
    remember(request, language=profile.language, time_zone=profile.time_zone)


def current_time_zone_name(request) -> str:
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_TIME_ZONE) if session is not None else None
    language = (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]
    return chosen or LANGUAGE_TIME_ZONES.get(language, DEFAULT_TIME_ZONE)


class PersonPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        language = session.get(SESSION_LANGUAGE) if session is not None else None
        try:
            zone = zoneinfo.ZoneInfo(current_time_zone_name(request))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)
        # override(), not activate(): the thread goes back to what it had after the request.
        with translation.override(language or translation.get_language()), timezone.override(zone):
            if language:
                request.LANGUAGE_CODE = language
            response = self.get_response(request)
            if language:
                # LocaleMiddleware only sets the header when it is not set yet.
                response.headers.setdefault("Content-Language", language)
            return response


def on_login(sender, request, user, **kwargs) -> None:
    """Django's user_logged_in signal (admin and portal logins alike)."""
    if request is None or not hasattr(request, "session"):
        return
    remember_profile(request, profile_ensure(user=user))
