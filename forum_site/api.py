"""Shared pieces of the REST API: pagination, error handling and the API root."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _as_drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): [str(m) for m in errs]
                for field, errs in exc.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context) -> Response | None:
    """Services raise Django's ValidationError; clients get a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf_error(exc)
    return drf_exception_handler(exc, context)
