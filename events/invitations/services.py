"""Every write of invitations: inviting, sending (the state machine), answering, reminders.

Sending is at-least-once with duplicates bounded: a send task claims a batch with a
conditional UPDATE (`pending → sending`, with a lease), sends each message over one SMTP
connection and marks it `sent` right after the server accepted it. A worker killed between
the server's 250 and that UPDATE is the only way to send twice (at most one message per
worker process); every copy carries the same Message-ID. The sweeper
(`invitations_sweep`, every minute) re-enqueues invitations left pending and takes back
claims whose lease lapsed. See docs/invitations.md.
"""

import contextlib
import csv
import datetime as dt
import io
import logging
import re
import secrets
import smtplib
import time
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from events.calendar import event_ics
from events.delegations.models import Delegation, DelegationDay, DelegationStatus
from events.invitations.models import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    Invitation,
    InvitationStatus,
    InvitationToken,
    hash_token,
)
from events.models import (
    ACTIVE_REGISTRATION,
    Event,
    EventStatus,
    Registration,
)
from forum_site.emails import build_email, stable_message_id
from members.models import Affiliation, Country, Membership, Organisation, Platform, Profile, Sector

log = logging.getLogger(__name__)
S = InvitationStatus
LANGUAGES = {"en", "ja"}
# How many rows one sweep re-enqueues; the next run takes the rest.
SWEEP_LIMIT = 20_000


class InvitationNotFound(Exception):
    """No invitation has this token (404). Says nothing about any other invitation."""

    message = "This invitation link is not valid. Please check that you copied it completely."


class InvitationGone(Exception):
    """The invitation exists but can no longer be answered (410)."""

    MESSAGES = {
        "expired": "This invitation has expired: the response deadline has passed.",
        "revoked": "This invitation has been withdrawn by the organisers.",
        "accepted": "You have already accepted this invitation.",
        "declined": "You have already declined this invitation.",
    }

    def __init__(self, reason: str, invitation: Invitation) -> None:
        self.reason = reason
        self.invitation = invitation
        super().__init__(self.MESSAGES[reason])

    @property
    def message(self) -> str:
        return self.MESSAGES[self.reason]


def _require_staff(actor: AbstractBaseUser | None, what: str) -> None:
    if not (actor is not None and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(f"Only staff can {what}.")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL}/invitations/{token}/"


def default_expiry(event: Event, now: dt.datetime) -> dt.datetime:
    """The event's response deadline: its registration close (or start), capped by the TTL."""
    deadline = event.registration_closes_at or event.starts_at
    return min(deadline, now + dt.timedelta(days=settings.INVITATION_TTL_DAYS))


# Delegations whose hosts can still be invited (and whose host invitations are sent).
HOST_INVITABLE = [
    DelegationStatus.DRAFT,
    DelegationStatus.OPEN,
    DelegationStatus.CLOSED,
    DelegationStatus.SCHEDULING,
    DelegationStatus.SCHEDULED,
]


def delegation_deadline(delegation: Delegation) -> dt.datetime | None:
    """The start of the delegation's first meeting day (None without days)."""
    first = delegation.days.order_by("date").first()
    return first.at(delegation.first_slot_start) if first else None


def delegation_expiry(delegation: Delegation, now: dt.datetime) -> dt.datetime:
    """A host invitation's deadline: the delegation's first day, capped by the TTL."""
    ttl = now + dt.timedelta(days=settings.INVITATION_TTL_DAYS)
    deadline = delegation_deadline(delegation)
    return min(deadline, ttl) if deadline else ttl


def target_closed(invitation: Invitation) -> str:
    """Why the invitation's event or delegation no longer takes answers ("" when it does)."""
    if invitation.delegation_id:
        delegation = invitation.delegation
        if delegation.status not in HOST_INVITABLE:
            return f"The delegation is {delegation.get_status_display().lower()}."
        return ""
    if invitation.event.status != EventStatus.PUBLISHED:
        return f"The event is {invitation.event.get_status_display().lower()}."
    return ""


# --- Reading who to invite -----------------------------------------------------------------


@dataclass
class InviteLine:
    """One input that was not turned into a new invitation, and why."""

    line: int | None
    text: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class Audience:
    """Approved members of a platform, optionally narrowed by sector, country and kind."""

    platform: Platform
    sectors: Sequence[Sector] = ()
    country: str = ""
    kinds: Sequence[str] = ()


@dataclass
class _Candidate:
    email: str
    source: str
    line: int | None = None
    name: str = ""
    user: AbstractBaseUser | None = None
    organisation: Organisation | None = None
    language: str = ""


@dataclass
class InviteResult:
    created: list[Invitation] = field(default_factory=list)
    merged: list[InviteLine] = field(default_factory=list)
    invalid: list[InviteLine] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": len(self.created),
            "created_emails": [i.email for i in self.created],
            "merged": [m.as_dict() for m in self.merged],
            "invalid": [m.as_dict() for m in self.invalid],
        }


_SEPARATORS = re.compile(r"[,;\t]")


def _address(raw: str) -> str | None:
    address = normalise_email(raw)
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _parse_cells(
    cells: list[str], line: int, text: str, language: str = ""
) -> tuple[list[_Candidate], list[InviteLine]]:
    cells = [c.strip() for c in cells if c and c.strip()]
    raw_addresses = [c for c in cells if "@" in c]
    names = [c for c in cells if "@" not in c and c.lower() not in LANGUAGES]
    language = language or next((c.lower() for c in cells if c.lower() in LANGUAGES), "")
    if not raw_addresses:
        return [], [InviteLine(line, text, "no email address on this line")]
    found, invalid = [], []
    for raw in raw_addresses:
        name, addr = parseaddr(raw) if "<" in raw else ("", raw)
        address = _address(addr) if addr else None
        if address is None:
            invalid.append(InviteLine(line, text, f"{raw!r} is not a valid email address"))
            continue
        if not name and len(raw_addresses) == 1:
            name = " ".join(names)
        found.append(_Candidate(address, f"line {line}", line, name[:200], language=language))
    return found, invalid


def parse_email_lines(text: str) -> tuple[list[_Candidate], list[InviteLine]]:
    """Pasted text: one person per line, as `email`, `Name <email>` or `email, Name[, ja]`.

    Several addresses on one line (separated by , ; or tab) are each invited. Blank lines
    and lines starting with # are skipped.
    """
    found: list[_Candidate] = []
    invalid: list[InviteLine] = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [line] if "<" in line and line.count("@") == 1 else _SEPARATORS.split(line)
        ok, bad = _parse_cells(cells, number, line)
        found += ok
        invalid += bad
    return found, invalid


def parse_email_csv(text: str) -> tuple[list[_Candidate], list[InviteLine]]:
    """A CSV file: with a header row naming an `email` column (and optionally `name` and
    `language`), or without one (each row read like a pasted line)."""
    found: list[_Candidate] = []
    invalid: list[InviteLine] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: dict[str, int] | None = None
    for row in reader:
        number = reader.line_num
        if not any(c.strip() for c in row):
            continue
        lowered = [c.strip().lower() for c in row]
        if header is None and "email" in lowered:
            header = {name: i for i, name in enumerate(lowered)}
            continue
        text_row = ",".join(row)
        if header is not None:
            email_cell = row[header["email"]] if header["email"] < len(row) else ""
            name = row[header["name"]] if "name" in header and header["name"] < len(row) else ""
            lang = ""
            if "language" in header and header["language"] < len(row):
                lang = row[header["language"]].strip().lower()
            ok, bad = _parse_cells(
                [email_cell], number, text_row, lang if lang in LANGUAGES else ""
            )
            for candidate in ok:
                candidate.name = name.strip()[:200]
        else:
            ok, bad = _parse_cells(row, number, text_row)
        found += ok
        invalid += bad
    return found, invalid


def _profile(user) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def _representatives(organisations: Iterable[Organisation], source) -> list[_Candidate]:
    affiliations = (
        Affiliation.objects.filter(
            organisation__in=list(organisations), is_active=True, user__is_active=True
        )
        .select_related("user", "user__profile", "organisation")
        .order_by("organisation_id", "user_id")
    )
    return [
        _Candidate(
            normalise_email(a.user.email) if a.user.email else "",
            source(a.organisation),
            name=a.user.get_full_name(),
            user=a.user,
            organisation=a.organisation,
        )
        for a in affiliations
    ]


def audience_organisations(audience: Audience):
    organisations = Organisation.objects.filter(
        memberships__platform=audience.platform,
        memberships__status=Membership.Status.APPROVED,
    )
    if audience.sectors:
        organisations = organisations.filter(sectors__in=list(audience.sectors))
    if audience.country:
        organisations = organisations.filter(country=audience.country)
    if audience.kinds:
        organisations = organisations.filter(kind__in=list(audience.kinds))
    return organisations.distinct().order_by("name", "id")


# --- Inviting ------------------------------------------------------------------------------


def invitations_create(
    *,
    actor: AbstractBaseUser,
    event: Event,
    emails_text: str = "",
    csv_text: str = "",
    users: Iterable[AbstractBaseUser] = (),
    organisations: Iterable[Organisation] = (),
    audience: Audience | None = None,
    language: str = "en",
    note: str = "",
    expires_at: dt.datetime | None = None,
) -> InviteResult:
    """Invite people to `event` from pasted lines, a CSV file, chosen people, chosen
    organisations (their active representatives) and/or an audience filter.

    Addresses are merged case-insensitively (with each other and with the event's existing
    invitations); invalid lines are reported and do not stop the valid ones. The new
    invitations are inserted in bulk and sent by Celery after the transaction commits.
    """
    _require_staff(actor, "send invitations")
    if language not in LANGUAGES:
        raise ValidationError({"language": "Choose en or ja."})
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError("Publish the event before inviting people to it.")
    deadline = default_expiry(event, now)
    if expires_at is None:
        expires_at = deadline
    elif expires_at > (event.registration_closes_at or event.starts_at):
        raise ValidationError(
            {"expires_at": "Answers cannot be due after the event's registration closes."}
        )
    if expires_at <= now:
        raise ValidationError(
            {"expires_at": "The response deadline (registration close or start) has passed."}
        )

    candidates: list[_Candidate] = []
    invalid: list[InviteLine] = []
    for parser, text in ((parse_email_lines, emails_text), (parse_email_csv, csv_text)):
        if text:
            ok, bad = parser(text)
            candidates += ok
            invalid += bad
    for user in users:
        candidates.append(
            _Candidate(
                normalise_email(user.email or ""),
                f"person {user.pk}",
                name=user.get_full_name(),
                user=user,
            )
        )
    candidates += _representatives(organisations, lambda o: f"organisation {o.pk} ({o.name})")
    if audience is not None:
        candidates += _representatives(
            audience_organisations(audience), lambda o: f"audience: {o.name}"
        )

    result = InviteResult(invalid=invalid)
    chosen = _choose(candidates, result)
    if not chosen:
        return result

    def row(address: str, candidate: _Candidate, user, profile: Profile | None) -> Invitation:
        lang = (profile.language if profile else "") or candidate.language or language
        tz = profile.time_zone if profile else ("Asia/Tokyo" if lang == "ja" else event.time_zone)
        return Invitation(
            event=event,
            email=address,
            name=candidate.name or (user.get_full_name() if user else ""),
            user=user,
            organisation=candidate.organisation,
            language=lang,
            time_zone=tz,
            note=note,
            invited_by=actor,
            expires_at=expires_at,
            enqueued_at=now,
        )

    _insert(
        result,
        chosen,
        Invitation.objects.filter(event=event),
        row,
        busy="Someone else is inviting people to this event at the same moment; please try again.",
    )
    return result


def _choose(candidates: Iterable[_Candidate], result: InviteResult) -> dict[str, _Candidate]:
    """One candidate per valid address (the first), the others reported as merged."""
    chosen: dict[str, _Candidate] = {}
    for candidate in candidates:
        if not candidate.email or _address(candidate.email) is None:
            result.invalid.append(
                InviteLine(candidate.line, candidate.source, "no valid email address on file")
            )
            continue
        first = chosen.get(candidate.email)
        if first is None:
            chosen[candidate.email] = candidate
            continue
        # Keep the richest description of the person: a known user or organisation wins.
        first.user = first.user or candidate.user
        first.organisation = first.organisation or candidate.organisation
        first.name = first.name or candidate.name
        result.merged.append(
            InviteLine(candidate.line, candidate.email, f"duplicate of {first.source}")
        )
    return chosen


def _insert(
    result: InviteResult,
    chosen: dict[str, _Candidate],
    target_invitations,
    row,
    *,
    busy: str,
    after_insert=None,
) -> None:
    """Insert one invitation per chosen address not yet invited to the target (in bulk,
    in one transaction) and enqueue their sending after commit. `row(address, candidate,
    user, profile)` builds the unsaved Invitation; `after_insert(created)` may add rows
    that point at them."""
    User = get_user_model()
    known = {}
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(chosen), is_active=True)
        .select_related("profile")
        .order_by("-pk")
    ):
        known[user.email_lower] = user  # the oldest account wins

    with transaction.atomic():
        existing = dict(
            target_invitations.filter(email__in=list(chosen)).values_list("email", "status")
        )
        rows = []
        for address, candidate in chosen.items():
            if address in existing:
                result.merged.append(
                    InviteLine(
                        candidate.line,
                        address,
                        f"already invited ({S(existing[address]).label.lower()})",
                    )
                )
                continue
            user = candidate.user or known.get(address)
            rows.append(row(address, candidate, user, _profile(user) if user else None))
        try:
            with transaction.atomic():
                result.created = Invitation.objects.bulk_create(rows, batch_size=1000)
                if after_insert is not None:
                    after_insert(result.created)
        except IntegrityError:
            raise ValidationError(busy)
        ids = [i.pk for i in result.created]
        transaction.on_commit(lambda: enqueue_send(ids))


def host_invitations_create(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    organisations: Iterable[Organisation],
    city: str,
    days: Iterable[DelegationDay] = (),
    language: str = "en",
    note: str = "",
) -> InviteResult:
    """Invite organisations of the visited country to host `delegation` in `city`: one
    invitation per active representative (address) of each, proposing `days` (default:
    every day of the delegation in that city). Sent like event invitations; accepting makes
    the organisation a host on those days (`invitation_accept`)."""
    _require_staff(actor, "invite hosts")
    if language not in LANGUAGES:
        raise ValidationError({"language": "Choose en or ja."})
    if delegation.status not in HOST_INVITABLE:
        raise ValidationError(
            f"This delegation is {delegation.get_status_display().lower()}: "
            "hosts can no longer be invited."
        )
    city = city.strip()
    in_city = [d for d in delegation.days.order_by("date") if d.city == city]
    if not in_city:
        raise ValidationError({"city": "Choose a city of the delegation's days."})
    days = list(days) or in_city
    if any(d.pk not in {c.pk for c in in_city} for d in days):
        raise ValidationError({"days": f"Choose days of this delegation in {city}."})
    organisations = list(organisations)
    if not organisations:
        raise ValidationError({"organisations": "Choose at least one organisation."})
    foreign = [o for o in organisations if o.country != delegation.host_country]
    if foreign:
        raise ValidationError(
            {
                "organisations": f"{foreign[0]} is not of the visited country: hosts are "
                "organisations of the country the delegation visits."
            }
        )
    now = timezone.now()
    expires_at = delegation_expiry(delegation, now)
    if expires_at <= now:
        raise ValidationError("The delegation has started: hosts can no longer be invited.")

    result = InviteResult()
    candidates = _representatives(organisations, lambda o: f"organisation {o.pk} ({o.name})")
    for organisation in organisations:
        if not any(c.organisation == organisation for c in candidates):
            result.invalid.append(
                InviteLine(None, organisation.name, "no active representative with an email")
            )
    chosen = _choose(candidates, result)
    if not chosen:
        return result
    tz = days[0].time_zone

    def row(address: str, candidate: _Candidate, user, profile: Profile | None) -> Invitation:
        return Invitation(
            delegation=delegation,
            host_city=city,
            email=address,
            name=candidate.name or (user.get_full_name() if user else ""),
            user=user,
            organisation=candidate.organisation,
            language=(profile.language if profile else "") or language,
            time_zone=(profile.time_zone if profile else "") or tz,
            note=note,
            invited_by=actor,
            expires_at=expires_at,
            enqueued_at=now,
        )

    def add_days(created: list[Invitation]) -> None:
        Through = Invitation.host_days.through
        Through.objects.bulk_create(
            [Through(invitation_id=i.pk, delegationday_id=d.pk) for i in created for d in days],
            batch_size=2000,
        )

    _insert(
        result,
        chosen,
        Invitation.objects.filter(delegation=delegation),
        row,
        busy="Someone else is inviting hosts to this delegation at the same moment; "
        "please try again.",
        after_insert=add_days,
    )
    return result


def enqueue_send(ids: Sequence[int]) -> None:
    """Enqueue send tasks in chunks (call after commit), over one broker connection."""
    from events.invitations.tasks import send_invitations

    size = max(settings.INVITATION_SEND_BATCH, 1)
    chunks = [list(ids[start : start + size]) for start in range(0, len(ids), size)]
    if not chunks:
        return
    app = send_invitations.app
    if app.conf.task_always_eager:
        for chunk in chunks:
            send_invitations.delay(chunk)
        return
    with app.producer_or_acquire() as producer:
        for chunk in chunks:
            send_invitations.apply_async((chunk,), producer=producer)


# --- Sending: the state machine -----------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(expires_at__gt=now) & (
        (Q(status=S.PENDING) & due) | Q(status=S.SENDING, lease_expires_at__lt=now)
    )


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.INVITATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 3600))


def _smtp_text(code, message) -> str:
    if isinstance(message, bytes):
        message = message.decode(errors="replace")
    return f"{code} {message}".strip()


def classify_smtp_error(exc: Exception) -> tuple[bool, bool, str]:
    """(permanent, connection_usable, description) of a sending error.

    A 5xx reply about this message (recipient refused, message rejected) is permanent;
    4xx replies and connection problems are transient.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        text = "; ".join(
            f"{rcpt}: {_smtp_text(code, msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
        return bool(replies) and all(code >= 500 for code, _ in replies), True, text
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        # smtplib sent RSET after these: the connection can carry the next message.
        return exc.smtp_code >= 500, True, _smtp_text(exc.smtp_code, exc.smtp_error)
    return False, False, f"{type(exc).__name__}: {exc}"[:1000]


SENT_SQL = (
    f"UPDATE {Invitation._meta.db_table} SET status = %s, sent_at = %s, "
    "attempts = attempts + 1, last_error = '', lease_owner = '', lease_expires_at = NULL, "
    "next_attempt_at = NULL WHERE id = %s AND status IN (%s, %s)"
)


@dataclass
class _Batch:
    owner: str
    lease: dt.timedelta
    renew_at: float = 0.0
    counts: dict = field(default_factory=lambda: {"sent": 0, "retry": 0, "failed": 0})

    def mine(self, *pks):
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
            next_attempt_at=timezone.now() + _backoff(attempts),
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


def _claim(ids: Sequence[int], batch: _Batch) -> list[Invitation]:
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


def _mint_tokens(invitations: Sequence[Invitation]) -> dict[int, str]:
    tokens = {i.pk: secrets.token_urlsafe(32) for i in invitations}
    InvitationToken.objects.bulk_create(
        [InvitationToken(invitation_id=pk, token_hash=hash_token(t)) for pk, t in tokens.items()]
    )
    return tokens


def _when(value: dt.datetime, time_zone: str, language: str) -> str:
    try:
        local = value.astimezone(zoneinfo.ZoneInfo(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local, time_zone = value.astimezone(dt.UTC), "UTC"
    if language == "ja":
        return f"{local:%Y年%m月%d日 %H:%M} ({time_zone})"
    return f"{local:%d %b %Y, %H:%M} ({time_zone})"


TARGET_RELATED = ("event", "event__platform", "delegation", "delegation__platform")


def _day_list(days: Sequence[DelegationDay], language: str) -> str:
    if language == "ja":
        return "、".join(f"{d.date.year}年{d.date.month}月{d.date.day}日" for d in days)
    return ", ".join(f"{d.date:%a %d %b %Y}" for d in days)


def host_email_context(invitation: Invitation, token: str) -> dict:
    delegation = invitation.delegation
    ja = invitation.language == "ja"
    lang = invitation.language
    days = sorted(invitation.host_days.all(), key=lambda d: d.date)
    return {
        "invitation": invitation,
        "delegation": delegation,
        "person": invitation.name or invitation.email,
        "organisation": invitation.organisation.name if invitation.organisation else "",
        "title": delegation.title_ja if ja and delegation.title_ja else delegation.title,
        "description": (
            delegation.description_ja
            if ja and delegation.description_ja
            else delegation.description
        ),
        "platform": (
            delegation.platform.name_ja
            if ja and delegation.platform.name_ja
            else delegation.platform.name
        ),
        "city": invitation.host_city,
        "days": days,
        "day_list": _day_list(days, lang),
        "grid": f"{delegation.first_slot_start:%H:%M}–{delegation.last_slot_end:%H:%M}",
        "respond_by": _when(invitation.expires_at, invitation.time_zone, lang),
        "link": invitation_link(token),
        "note": invitation.note,
    }


def email_context(invitation: Invitation, token: str) -> dict:
    if invitation.delegation_id:
        return host_email_context(invitation, token)
    event = invitation.event
    ja = invitation.language == "ja"
    lang = invitation.language
    return {
        "invitation": invitation,
        "event": event,
        "person": invitation.name or invitation.email,
        "title": (event.title_ja if ja and event.title_ja else event.title),
        "description": (event.description_ja if ja and event.description_ja else event.description),
        "platform": (
            event.platform.name_ja if ja and event.platform.name_ja else event.platform.name
        ),
        "starts": _when(event.starts_at, invitation.time_zone, lang),
        "ends": _when(event.ends_at, invitation.time_zone, lang),
        "starts_event_tz": (
            _when(event.starts_at, event.time_zone, lang)
            if event.time_zone != invitation.time_zone
            else ""
        ),
        "location": event.location_text(),
        "respond_by": _when(invitation.expires_at, invitation.time_zone, lang),
        "link": invitation_link(token),
        "note": invitation.note,
    }


_ICS_CACHE: dict[tuple, bytes] = {}


def _ics(event: Event) -> bytes:
    """The event's .ics, built once per process and event revision (it is the costliest
    part of an invitation to render: VTIMEZONE generation)."""
    key = (event.pk, event.sequence, event.updated_at, event.status)
    if key not in _ICS_CACHE:
        if len(_ICS_CACHE) > 256:
            _ICS_CACHE.clear()
        _ICS_CACHE[key] = event_ics(event)
    return _ICS_CACHE[key]


def _message(invitation: Invitation, token: str, kind: str):
    """kind: "invitation" or "reminder"; the Message-ID is stable for each email. The
    template follows the target: an event's invitation (with its .ics) or a delegation's
    host invitation."""
    if kind == "invitation":
        template = "invitations/email/invitation"
        message_id = stable_message_id("invitation", invitation.pk, invitation.resend_count)
    else:
        template = "invitations/email/invitation_reminder"
        message_id = stable_message_id(
            "invitation-reminder", invitation.pk, invitation.resend_count, invitation.reminders_sent
        )
    if invitation.delegation_id:
        template = template.replace("/invitation", "/host_invitation", 1)
        attachments = []
    else:
        attachments = [("invitation.ics", _ics(invitation.event), "text/calendar")]
    return build_email(
        template=template,
        to=[invitation.email],
        language=invitation.language,
        context=email_context(invitation, token),
        attachments=attachments,
        headers={"Message-ID": message_id},
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
    batch = _Batch(
        owner=uuid.uuid4().hex, lease=dt.timedelta(seconds=settings.INVITATION_LEASE_SECONDS)
    )
    _relaxed_commits(True)
    try:
        invitations = _claim(invitation_ids, batch)
        if invitations:
            _send_claimed(batch, invitations, _mint_tokens(invitations))
    finally:
        _relaxed_commits(False)
    return batch.counts


def _send_claimed(batch: _Batch, invitations: list[Invitation], tokens: dict[int, str]) -> None:
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # server down, refused, authentication: all transient here
        error = classify_smtp_error(exc)[2]
        for invitation in invitations:
            batch.retry(invitation, error)
        return
    try:
        for index, invitation in enumerate(invitations):
            batch.renew_if_due()
            closed = target_closed(invitation)
            if closed:
                batch.failed(invitation, closed)
                continue
            message = _message(invitation, tokens[invitation.pk], "invitation")
            message.connection = connection
            try:
                connection.send_messages([message])
            except (smtplib.SMTPException, OSError) as exc:
                permanent, usable, error = classify_smtp_error(exc)
                if permanent:
                    batch.failed(invitation, error)
                elif usable:
                    batch.retry(invitation, error)
                else:
                    batch.retry(invitation, error)
                    batch.release(invitations[index + 1 :], _backoff(1))
                    break
                continue
            batch.sent(invitation)
    finally:
        # A dead connection may fail to QUIT; nothing is lost.
        with contextlib.suppress(Exception):
            connection.close()


def invitations_sweep() -> int:
    """Re-enqueue what a lost task left behind: pending invitations older than the grace
    period (or whose retry is due), and claims whose lease lapsed (a dead worker)."""
    now = timezone.now()
    grace = now - dt.timedelta(seconds=settings.INVITATION_SWEEP_GRACE_SECONDS)
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
    ids = sorted(set(lapsed) | set(due))
    enqueue_send(ids)
    return len(ids)


# --- Staff: resend, revoke ----------------------------------------------------------------


def invitation_resend(*, actor: AbstractBaseUser, invitation: Invitation) -> Invitation:
    """Send the invitation again (a new email with a new link; earlier links keep working).
    Extends an expired invitation to the event's response deadline."""
    _require_staff(actor, "resend invitations")
    if invitation.status not in {S.PENDING, S.SENT, S.FAILED}:
        raise ValidationError(
            f"A {invitation.get_status_display().lower()} invitation cannot be resent."
        )
    now = timezone.now()
    if invitation.delegation_id:
        if target_closed(invitation):
            raise ValidationError(target_closed(invitation))
        expires_at = max(invitation.expires_at, delegation_expiry(invitation.delegation, now))
        if expires_at <= now:
            raise ValidationError("The delegation has started.")
    else:
        event = invitation.event
        if event.status != EventStatus.PUBLISHED:
            raise ValidationError("The event is not published.")
        expires_at = max(invitation.expires_at, default_expiry(event, now))
        if expires_at <= now:
            raise ValidationError("The event's response deadline has passed.")
    with transaction.atomic():
        done = Invitation.objects.filter(
            pk=invitation.pk, status__in=[S.PENDING, S.SENT, S.FAILED]
        ).update(
            status=S.PENDING,
            resend_count=F("resend_count") + 1,
            attempts=0,
            last_error="",
            next_attempt_at=None,
            failed_at=None,
            enqueued_at=now,
            expires_at=expires_at,
        )
        if not done:
            raise ValidationError("The invitation changed meanwhile; reload and try again.")
        transaction.on_commit(lambda: enqueue_send([invitation.pk]))
    invitation.refresh_from_db()
    return invitation


def invitation_revoke(*, actor: AbstractBaseUser, invitation: Invitation) -> Invitation:
    """Withdraw an unanswered invitation: every link of it stops working."""
    _require_staff(actor, "revoke invitations")
    if invitation.status == S.ACCEPTED:
        raise ValidationError(
            "This invitation has been accepted; remove the host instead."
            if invitation.delegation_id
            else "This invitation has been accepted; cancel the person's registration instead."
        )
    done = Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(
        status=S.REVOKED, revoked_at=timezone.now(), lease_owner="", lease_expires_at=None
    )
    if not done:
        invitation.refresh_from_db()
        raise ValidationError(
            f"A {invitation.get_status_display().lower()} invitation cannot be revoked."
        )
    invitation.refresh_from_db()
    return invitation


# --- The invitee's answer -----------------------------------------------------------------


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation behind a personal link, if it can still be answered.

    Raises InvitationNotFound (unknown token) or InvitationGone (expired, revoked, answered).
    """
    if not token or len(token) > 100:
        raise InvitationNotFound(InvitationNotFound.message)
    row = (
        InvitationToken.objects.filter(token_hash=hash_token(token))
        .values_list("invitation_id", flat=True)
        .first()
    )
    if row is None:
        raise InvitationNotFound(InvitationNotFound.message)
    queryset = Invitation.objects.select_related(*TARGET_RELATED, "user", "organisation")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.get(pk=row)
    check_answerable(invitation)
    return invitation


def check_answerable(invitation: Invitation) -> None:
    if invitation.status in ANSWERED_STATUSES or invitation.status == S.REVOKED:
        raise InvitationGone(invitation.status, invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationGone("expired", invitation)


def _guest_user(invitation: Invitation, name: str) -> AbstractBaseUser:
    """A minimal account for an invitee without one: the invited address, no password
    (they set one with a password reset), their language and time zone."""
    User = get_user_model()
    base = invitation.email[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    first, _, last = (name or invitation.name).strip().partition(" ")
    user = User(
        username=username, email=invitation.email, first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, language=invitation.language, time_zone=invitation.time_zone)
    return user


def _organisation_for(
    invitation: Invitation,
    user,
    organisation: Organisation | None,
    organisation_name: str,
    country: str,
) -> Organisation:
    from members.services import organisation_create

    represented = {
        a.organisation_id: a.organisation
        for a in Affiliation.objects.filter(user=user, is_active=True).select_related(
            "organisation"
        )
    }
    if organisation is not None:
        if organisation.pk not in represented:
            raise ValidationError({"organisation": f"You do not represent {organisation}."})
        return organisation
    if organisation_name.strip():
        if country not in Country.values:
            raise ValidationError({"country": "Choose India (IN) or Japan (JP)."})
        return organisation_create(actor=user, name=organisation_name.strip(), country=country)
    if invitation.organisation_id in represented:
        return represented[invitation.organisation_id]
    if len(represented) == 1:
        return next(iter(represented.values()))
    if not represented:
        raise ValidationError(
            {
                "organisation_name": "Tell us which organisation you will represent (its name "
                "and country)."
            }
        )
    raise ValidationError(
        {
            "organisation": "You represent several organisations; choose the one you will "
            "represent at this event."
        }
    )


def invitation_accept(
    *,
    token: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    country: str = "",
    name: str = "",
) -> Invitation:
    """Accept: register the invitee (confirmed, or waitlisted when the event is full).

    The invitee is the account with the invited address (created, without a password,
    when there is none); they register for the organisation they were invited for, the one
    they represent, or one they name (created, unverified, with them as its admin).
    Nothing changes when the registration is refused.
    """
    from events import services

    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        if invitation.delegation_id:
            return _accept_host(invitation)
        User = get_user_model()
        user = invitation.user or (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=invitation.email, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is None:
            user = _guest_user(invitation, name)
        chosen = _organisation_for(invitation, user, organisation, organisation_name, country)
        registration = Registration.objects.filter(
            ACTIVE_REGISTRATION, event_id=invitation.event_id, user=user
        ).first()
        if registration is None:
            registration = services.registration_create(
                actor=user,
                event=invitation.event,
                user=user,
                organisation=chosen,
                via_invitation=True,
            )
        invitation.status = S.ACCEPTED
        invitation.responded_at = timezone.now()
        invitation.user = user
        invitation.organisation = registration.organisation
        invitation.registration = registration
        invitation.lease_owner, invitation.lease_expires_at = "", None
        invitation.save(
            update_fields=[
                "status",
                "responded_at",
                "user",
                "organisation",
                "registration",
                "lease_owner",
                "lease_expires_at",
            ]
        )
    return invitation


def _accept_host(invitation: Invitation) -> Invitation:
    """Accept a host invitation (inside the caller's transaction, the invitation locked):
    the invited organisation hosts the delegation on the proposed days, with the invitee
    as one of its representatives there."""
    from events.delegations.services import host_accept_invitation

    User = get_user_model()
    user = invitation.user or (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=invitation.email, is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None or not user.is_active or invitation.organisation is None:
        raise ValidationError(
            "This invitation is for a representative of an organisation that is no longer on "
            "file; please reply to the email and the organisers will help."
        )
    host_accept_invitation(
        representative=user,
        delegation=invitation.delegation,
        organisation=invitation.organisation,
        days=list(invitation.host_days.all()),
        note=f"Accepted the invitation to host in {invitation.host_city}.",
    )
    invitation.status = S.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.user = user
    invitation.lease_owner, invitation.lease_expires_at = "", None
    invitation.save(
        update_fields=["status", "responded_at", "user", "lease_owner", "lease_expires_at"]
    )
    return invitation


def invitation_decline(*, token: str, reason: str = "") -> Invitation:
    with transaction.atomic():
        invitation = invitation_for_token(token, for_update=True)
        invitation.status = S.DECLINED
        invitation.responded_at = timezone.now()
        invitation.decline_reason = reason.strip()[:2000]
        invitation.lease_owner, invitation.lease_expires_at = "", None
        invitation.save(
            update_fields=[
                "status",
                "responded_at",
                "decline_reason",
                "lease_owner",
                "lease_expires_at",
            ]
        )
    return invitation


# --- Reminders -------------------------------------------------------------------------------


def invitation_reminders_due(now: dt.datetime | None = None) -> list[int]:
    """Sent, unanswered invitations whose last email is older than the interval, that have
    had fewer than the maximum reminders and whose deadline is still ahead."""
    now = now or timezone.now()
    interval = dt.timedelta(hours=settings.INVITATION_REMINDER_INTERVAL_HOURS)
    return list(
        Invitation.objects.annotate(last_email=Coalesce("last_reminded_at", "sent_at"))
        .filter(
            status=S.SENT,
            reminders_sent__lt=settings.INVITATION_MAX_REMINDERS,
            expires_at__gt=now,
            last_email__lte=now - interval,
        )
        .filter(Q(event__status=EventStatus.PUBLISHED) | Q(delegation__status__in=HOST_INVITABLE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def invitation_reminders_send(*, invitation_ids: Sequence[int]) -> int:
    """Send one reminder to each invitation still due; the reminder counter is claimed with
    a conditional UPDATE first (so two runs never remind twice) and given back on failure."""
    now = timezone.now()
    interval = dt.timedelta(hours=settings.INVITATION_REMINDER_INTERVAL_HOURS)
    invitations = list(
        Invitation.objects.filter(pk__in=list(invitation_ids))
        .select_related(*TARGET_RELATED)
        .prefetch_related("host_days")
        .order_by("pk")
    )
    connection = get_connection()
    sent = 0
    try:
        for invitation in invitations:
            n = invitation.reminders_sent
            claim = Invitation.objects.annotate(
                last_email=Coalesce("last_reminded_at", "sent_at")
            ).filter(
                pk=invitation.pk,
                status=S.SENT,
                reminders_sent=n,
                reminders_sent__lt=settings.INVITATION_MAX_REMINDERS,
                expires_at__gt=now,
                last_email__lte=now - interval,
            )
            if not claim.update(reminders_sent=n + 1, last_reminded_at=now):
                continue
            invitation.reminders_sent = n + 1
            try:
                token = _mint_tokens([invitation])[invitation.pk]
                message = _message(invitation, token, "reminder")
                message.connection = connection
                connection.send_messages([message])
            except Exception:
                Invitation.objects.filter(pk=invitation.pk, reminders_sent=n + 1).update(
                    reminders_sent=n, last_reminded_at=invitation.last_reminded_at
                )
                raise
            sent += 1
    finally:
        connection.close()
    return sent
