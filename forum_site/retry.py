"""What "please try again" is, once: the API's exception handler (`forum_site/api.py`) and
the pages' middleware (`forum_site/middleware.py: AnswerTryAgain`) both answer these with
503 and `Retry-After`.

Retryable: `Busy` (a row lock not had in time) and a database that is briefly away — a
lost connection (a restart, a failover, a terminated backend) or another operational error
(a deadlock, a statement timeout). The transaction was rolled back; a broken connection is
dropped so that the next request opens a new one (docs/operations.md). Errors that are
bugs (IntegrityError, ProgrammingError, DataError) are not retryable: they stay a 500.
"""

from django.db import InterfaceError, OperationalError, connections
from django.utils.translation import gettext, gettext_noop

from forum_site.locking import RETRY_AFTER_SECONDS, Busy

DATABASE_UNAVAILABLE = gettext_noop(
    "The service is briefly unavailable; please try again in a moment."
)
DATABASE_ERRORS = (OperationalError, InterfaceError)

__all__ = ["DATABASE_UNAVAILABLE", "RETRY_AFTER_SECONDS", "try_again_message"]


def try_again_message(exc: BaseException) -> str | None:
    """What to tell the client when `exc` means "try again in a moment" (in the active
    language), or None when it does not (a bug stays a 500). A broken database connection
    is dropped here, so that the next request opens a new one."""
    if isinstance(exc, Busy):
        return exc.message
    if isinstance(exc, DATABASE_ERRORS):
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        return gettext(DATABASE_UNAVAILABLE)
    return None
