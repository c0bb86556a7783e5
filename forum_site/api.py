"""Shared pieces of the REST API: pagination and error handling."""

import re

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from forum_site.retry import RETRY_AFTER_SECONDS, try_again_message


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # Past this the page would be beyond any table we have: no OFFSET overflows a bigint.
    max_page_number = 10**9

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if number in self.last_page_strings:
            return number
        if (
            not re.fullmatch("[0-9]{1,10}", str(number))
            or not 0 < int(number) <= self.max_page_number
        ):
            raise exceptions.NotFound(self.invalid_page_message)
        return number


def _as_drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): [str(m) for m in errs]
                for field, errs in exc.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def _try_again(detail: str) -> Response:
    return Response(
        {"detail": detail},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def exception_handler(exc, context) -> Response | None:
    """Services raise Django's ValidationError (400 with field errors) and `Busy` when a
    row lock cannot be had in time (503 with Retry-After: the client should try again).
    A database connection lost mid-request (a restart, a failover, a terminated backend)
    is a 503 too, like the other operational errors (a deadlock, a statement timeout):
    `forum_site.retry` says which errors are retryable (the pages answer them alike)."""
    if (message := try_again_message(exc)) is not None:
        return _try_again(message)
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf_error(exc)
    if isinstance(exc, SuspiciousOperation):  # a body Django refuses to parse (too many fields)
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """The 404 of a URL no route matches (`handler404`): JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
