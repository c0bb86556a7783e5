"""What every app's Celery tasks share: the retry policy for email, the batching of ids,
and publishing after a commit that does not fail the request when the broker is away."""

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from kombu.exceptions import OperationalError as BrokerUnavailable

T = TypeVar("T")
log = logging.getLogger(__name__)

# Sending email may fail for a moment (the mail server restarts, the network drops):
# OSError covers smtplib's errors and refused connections. Tasks that only send retry with
# exponential backoff; they are idempotent, so a retry never sends twice.
RETRY_ON_MAIL_ERRORS = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size` (one task each)."""
    size = max(size, 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def publish_or_log(publish: Callable[[], object], what: str) -> bool:
    """Run `publish` (enqueue tasks, after a commit); if the broker cannot be reached even
    after Celery's brief publish retries (a Redis restart), log it and return False instead
    of raising: the data is committed, and the request must not fail for its email. Work
    that a periodic task finds in the database (invitations: the sweeper) is sent later."""
    try:
        publish()
    except BrokerUnavailable as exc:
        log.warning("broker unavailable, %s not enqueued: %s", what, exc)
        return False
    return True
