"""Sending invitations: the state machine (docs/invitations.md).

Sending is at-least-once with duplicates bounded: a send task claims a batch with a
conditional UPDATE (`pending → sending`, with a lease), sends each message over one SMTP
connection and marks it `sent` right after the server accepted it. A worker killed between
the server's 250 and that UPDATE is the only way to send twice (at most one message per
worker process); every copy carries the same Message-ID. Transient errors put the
invitation back to `pending` with `next_attempt_at`; permanent ones make it `failed`. The
sweeper (`invitations_sweep`, every minute) re-enqueues invitations left pending and takes
back claims whose lease lapsed.
"""

import contextlib
import datetime as dt
import logging
import smtplib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db.models import F, Q
from django.utils import timezone

from events.invitations.models import Invitation, InvitationStatus
from events.invitations.services.emails import invitation_message, mint_tokens
from events.invitations.services.targets import TARGET_RELATED, target_closed
from forum_site.smtp import classify_smtp_error
from forum_site.tasks import chunked, publish_or_log

log = logging.getLogger(__name__)
S = InvitationStatus
# How many rows one sweep re-enqueues; the next run takes the rest.
SWEEP_LIMIT = 20_000

SENT_SQL = (
    f"UPDATE {Invitation._meta.db_table} SET status = %s, sent_at = %s, "
    "attempts = attempts + 1, last_error = '', lease_owner = '', lease_expires_at = NULL, "
    "next_attempt_at = NULL WHERE id = %s AND status IN (%s, %s)"
)


def enqueue_send(ids: Sequence[int]) -> None:
    """Enqueue send tasks in chunks (call after commit), over one broker connection."""
    # Function-level: the task module imports these services (a service ↔ its own task).
    from events.invitations.tasks import send_invitations

    chunks = [list(chunk) for chunk in chunked(ids, settings.INVITATION_SEND_BATCH)]
    if not chunks:
        return
    app = send_invitations.app
    if app.conf.task_always_eager:
        for chunk in chunks:
            send_invitations.delay(chunk)
        return

    def publish() -> None:
        with app.producer_or_acquire() as producer:
            for chunk in chunks:
                send_invitations.apply_async((chunk,), producer=producer)

    # With the broker away the invitations stay pending, and the sweeper enqueues them.
    publish_or_log(publish, f"{len(ids)} invitations (left to the sweeper)")


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt: base × 2^(attempts−1), at most an hour."""
    seconds = settings.INVITATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 3600))


@dataclass
class SendBatch:
    """One task's claim on a batch of invitations, and every transition out of `sending`."""

    owner: str
    lease: dt.timedelta
    renew_at: float = 0.0
    counts: dict = field(default_factory=lambda: {"sent": 0, "retry": 0, "failed": 0})

    def mine(self, *pks: int):
        return Invitation.objects.filter(pk__in=pks, status=S.SENDING, lease_owner=self.owner)

    def renew_if_due(self) -> None:
        if time.monotonic() < self.renew_at:
            return
        Invitation.objects.filter(status=S.SENDING, lease_owner=self.owner).update(
            lease_expires_at=timezone.now() + self.lease
        )
        self.renew_at = time.monotonic() + self.lease.total_seconds() / 2

    def sent(self, invitation: Invitation) -> None:
        # No owner check: if the sweeper took the claim back meanwhile, the email did go
        # out, and recording it spares the invitee a second copy. One plain UPDATE per
        # message (it runs after every SMTP 250, so it is kept cheap).
        with db_connection.cursor() as cursor:
            cursor.execute(SENT_SQL, [S.SENT, timezone.now(), invitation.pk, S.SENDING, S.PENDING])
            done = cursor.rowcount
        if not done:
            log.warning("invitation %s was sent but its state moved on meanwhile", invitation.pk)
        self.counts["sent"] += 1

    def failed(self, invitation: Invitation, error: str) -> None:
        self.mine(invitation.pk).update(
            status=S.FAILED,
            failed_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error=error[:2000],
            lease_owner="",
            lease_expires_at=None,
        )
        self.counts["failed"] += 1

    def retry(self, invitation: Invitation, error: str) -> None:
        attempts = invitation.attempts + 1
        if attempts >= settings.INVITATION_MAX_ATTEMPTS:
            return self.failed(invitation, f"{error} (gave up after {attempts} attempts)")
        self.mine(invitation.pk).update(
            status=S.PENDING,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=timezone.now() + backoff(attempts),
            lease_owner="",
            lease_expires_at=None,
        )
        self.counts["retry"] += 1

    def release(self, invitations: Sequence[Invitation], wait: dt.timedelta) -> None:
        """Give unsent claims back (the server went away): they wait, without an attempt."""
        self.mine(*[i.pk for i in invitations]).update(
            status=S.PENDING,
            next_attempt_at=timezone.now() + wait,
            lease_owner="",
            lease_expires_at=None,
        )


def _claimable(now: dt.datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(expires_at__gt=now) & (
        (Q(status=S.PENDING) & due) | Q(status=S.SENDING, lease_expires_at__lt=now)
    )


def _claim(ids: Sequence[int], batch: SendBatch) -> list[Invitation]:
    now = timezone.now()
    claimed = (
        Invitation.objects.filter(pk__in=list(ids))
        .filter(_claimable(now))
        .update(status=S.SENDING, lease_owner=batch.owner, lease_expires_at=now + batch.lease)
    )
    batch.renew_at = time.monotonic() + batch.lease.total_seconds() / 2
    if not claimed:
        return []
    return list(
        Invitation.objects.filter(status=S.SENDING, lease_owner=batch.owner)
        .select_related(*TARGET_RELATED)
        .prefetch_related("host_days")
        .order_by("pk")
    )


def _relaxed_commits(on: bool) -> None:
    """Per-message state updates without waiting for the WAL flush (PostgreSQL).

    The update is visible to every other session at once, so a worker crash loses nothing;
    only a crash of the database server itself could forget the last few `sent` marks,
    and those invitations would then be sent again (the same Message-ID) after their lease.
    This makes each mark ~10x cheaper than a synchronous commit.
    """
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def invitations_send_batch(*, invitation_ids: Sequence[int]) -> dict:
    """Claim and send these invitations over one SMTP connection. Safe to run twice and
    concurrently: only the claim's owner sends, and only claimable rows are claimed."""
    batch = SendBatch(
        owner=uuid.uuid4().hex, lease=dt.timedelta(seconds=settings.INVITATION_LEASE_SECONDS)
    )
    _relaxed_commits(True)
    try:
        invitations = _claim(invitation_ids, batch)
        if invitations:
            _send_claimed(batch, invitations, mint_tokens(invitations))
    finally:
        _relaxed_commits(False)
    return batch.counts


def _send_claimed(batch: SendBatch, invitations: list[Invitation], tokens: dict[int, str]) -> None:
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # server down, refused, authentication: all transient here
        error = classify_smtp_error(exc).description
        for invitation in invitations:
            batch.retry(invitation, error)
        return
    try:
        for index, invitation in enumerate(invitations):
            if not _send_one(batch, connection, invitation, tokens[invitation.pk]):
                batch.release(invitations[index + 1 :], backoff(1))
                break
    finally:
        # A dead connection may fail to QUIT; nothing is lost.
        with contextlib.suppress(Exception):
            connection.close()


def _send_one(
    batch: SendBatch, connection: BaseEmailBackend, invitation: Invitation, token: str
) -> bool:
    """Send one claimed invitation and record what happened; False when the connection
    can no longer be used (the rest of the batch then waits)."""
    batch.renew_if_due()
    closed = target_closed(invitation)
    if closed:
        batch.failed(invitation, closed)
        return True
    message = invitation_message(invitation, token, "invitation")
    message.connection = connection
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        verdict = classify_smtp_error(exc)
        if verdict.permanent:
            batch.failed(invitation, verdict.description)
        else:
            batch.retry(invitation, verdict.description)
        return verdict.permanent or verdict.connection_usable
    batch.sent(invitation)
    return True


def _take_back_lapsed(now: dt.datetime) -> list[int]:
    """Claims whose lease lapsed (a dead worker) go back to pending, due at once."""
    lapsed = list(
        Invitation.objects.filter(
            status=S.SENDING, lease_expires_at__lt=now, expires_at__gt=now
        ).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    if lapsed:
        Invitation.objects.filter(pk__in=lapsed, status=S.SENDING, lease_expires_at__lt=now).update(
            status=S.PENDING,
            lease_owner="",
            lease_expires_at=None,
            enqueued_at=now,
            next_attempt_at=None,
        )
    return lapsed


def _due_pending(now: dt.datetime) -> list[int]:
    """Pending invitations whose retry is due, or whose task seems lost (still pending a
    grace period after it was enqueued); marked as enqueued now."""
    grace = now - dt.timedelta(seconds=settings.INVITATION_SWEEP_GRACE_SECONDS)
    due = list(
        Invitation.objects.filter(status=S.PENDING, expires_at__gt=now)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, enqueued_at__lte=grace)
            | Q(next_attempt_at__isnull=True, enqueued_at__isnull=True)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    if due:
        Invitation.objects.filter(pk__in=due, status=S.PENDING).update(
            enqueued_at=now, next_attempt_at=None
        )
    return due


def invitations_sweep() -> int:
    """Re-enqueue what a lost task left behind: pending invitations older than the grace
    period (or whose retry is due), and claims whose lease lapsed (a dead worker)."""
    now = timezone.now()
    lapsed = _take_back_lapsed(now)
    due = _due_pending(now)
    ids = sorted(set(lapsed) | set(due))
    enqueue_send(ids)
    return len(ids)
