"""What every app's Celery tasks share: the retry policy for email and the batching of ids."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

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
