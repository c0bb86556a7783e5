"""Row locks on scarce resources (an event's seats, a delegation's places).

One helper takes the lock, late in the transaction and with a timeout; when the lock cannot
be had in time the caller gets `Busy`, which the API answers with 503 and `Retry-After`
(forum_site/api.py) and the pages with a "try again" message.
"""

from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout
RETRY_AFTER_SECONDS = 2

M = TypeVar("M", bound=Model)


class Busy(Exception):
    """A row lock could not be taken in time: many people are doing the same at once."""

    default_message = "Many people are doing this right now; please try again in a moment."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


def lock_row(source: type[M] | QuerySet[M], pk: int, *, busy: str | None = None) -> M:
    """`SELECT … FOR UPDATE` one row, waiting at most FORUM_LOCK_TIMEOUT (PostgreSQL).

    Must run inside `transaction.atomic()`. `busy` is the message of the `Busy` raised when
    the wait times out; `DoesNotExist` propagates as usual.
    """
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET LOCAL takes no parameters; the value comes from settings, not from a user.
            cursor.execute(f"SET LOCAL lock_timeout = '{settings.FORUM_LOCK_TIMEOUT}'")
    try:
        return queryset.select_for_update().get(pk=pk)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Busy(busy) from exc
        raise
