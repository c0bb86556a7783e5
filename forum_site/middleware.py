"""Requests carrying text no database can store are refused at the door; a page whose
database is briefly away answers 503 "try again" (`AnswerTryAgain`).

A NUL character (or a lone surrogate) in the path, a query parameter or a form field would
reach PostgreSQL inside a lookup and fail there with a 500. Here it is a 400 that names
the parameter: JSON for the API, a short page otherwise. (JSON bodies are checked by the
API's parser, forum_site/parsers.py, with the same rule.)
"""

import logging

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from forum_site.context_processors import site
from forum_site.parsers import UNSTORABLE, unstorable
from forum_site.retry import RETRY_AFTER_SECONDS, try_again_message

logger = logging.getLogger(__name__)


def _offending(request) -> str | None:
    if unstorable(request.path):
        return "path"
    for source in (request.GET, request.POST if request.method == "POST" else {}):
        for key in source:
            if unstorable(key) or any(unstorable(v) for v in source.getlist(key)):
                return key
    return None


class RejectUnstorableInput:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            where = _offending(request)
        except UnicodeDecodeError:  # an undecodable query string
            where = "query"
        except SuspiciousOperation as exc:  # too many fields, too big, a broken multipart
            if not request.path.startswith("/api/"):
                raise  # Django's 400 page
            return JsonResponse({"detail": str(exc)}, status=400)
        if where is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({where: [UNSTORABLE]}, status=400)
        return HttpResponse(
            _("The request contains characters that cannot be stored (%(field)s).")
            % {"field": where},
            status=400,
            content_type="text/plain; charset=utf-8",
        )


class AnswerTryAgain:
    """A page that raised a retryable error (`forum_site.retry`: a lost database
    connection, a lock not had in time) answers 503 with Retry-After and the site's "try
    again" page instead of a 500. (The API answers the same errors in its exception
    handler, `forum_site/api.py`.)

    The page is rendered without the request's context processors: they would read the
    database (the person, their unread count, their messages) that has just failed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (detail := try_again_message(exception)) is None:
            return None
        logger.warning("%s %s: 503, try again (%r)", request.method, request.path, exception)
        page = render_to_string("503.html", {"request": request, "detail": detail, **site(request)})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
