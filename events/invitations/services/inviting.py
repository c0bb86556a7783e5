"""Inviting: people to an event, or organisations to host a delegation.

Whoever the input names (pasted lines, a CSV file, accounts, organisations' active
representatives, an audience of platform members) is merged per address, case-insensitively,
with each other and with the target's existing invitations; what cannot be invited is
reported line by line. The new invitations are inserted in bulk, and their sending is
enqueued after the transaction commits.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from events.delegations.models import Delegation, DelegationDay
from events.invitations.models import Invitation, InvitationStatus
from events.invitations.selectors import accounts_by_email
from events.invitations.services.parsing import (
    LANGUAGES,
    Candidate,
    InviteLine,
    normalise_email,
    parse_email_csv,
    parse_email_lines,
    valid_address,
)
from events.invitations.services.sending import enqueue_send
from events.invitations.services.targets import (
    HOST_INVITABLE,
    default_expiry,
    delegation_expiry,
    event_deadline,
)
from events.models import Event, EventStatus
from forum_site.i18n import person_language, person_time_zone
from forum_site.permissions import require_staff
from members.models import Affiliation, Membership, Organisation, Platform, Sector


@dataclass
class Audience:
    """Approved members of a platform, optionally narrowed by sector, country and kind."""

    platform: Platform
    sectors: Sequence[Sector] = ()
    country: str = ""
    kinds: Sequence[str] = ()


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


@dataclass
class _NewInvitations:
    """What the invitations one call creates share; `defaults(candidate)` is the language
    and time zone of an invitee without a profile."""

    target: dict  # event=… or delegation=…: an address is invited once per target
    actor: AbstractBaseUser
    note: str
    expires_at: dt.datetime
    now: dt.datetime
    defaults: Callable[[Candidate], tuple[str, str]]
    host_city: str = ""

    def row(self, address: str, candidate: Candidate, user: AbstractBaseUser | None) -> Invitation:
        language, time_zone = self.defaults(candidate)
        if getattr(user, "profile", None) is not None:
            language, time_zone = person_language(user), person_time_zone(user, time_zone)
        return Invitation(
            **self.target,
            host_city=self.host_city,
            email=address,
            name=candidate.name or (user.get_full_name() if user else ""),
            user=user,
            organisation=candidate.organisation,
            language=language,
            time_zone=time_zone,
            note=self.note,
            invited_by=self.actor,
            expires_at=self.expires_at,
            enqueued_at=self.now,
        )


def audience_organisations(audience: Audience) -> QuerySet[Organisation]:
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


def _chosen_organisation(organisation: Organisation) -> str:
    return f"organisation {organisation.pk} ({organisation.name})"


def _representatives(
    organisations: Iterable[Organisation], source: Callable[[Organisation], str]
) -> list[Candidate]:
    affiliations = (
        Affiliation.objects.filter(
            organisation__in=list(organisations), is_active=True, user__is_active=True
        )
        .select_related("user", "user__profile", "organisation")
        .order_by("organisation_id", "user_id")
    )
    return [
        Candidate(
            normalise_email(a.user.email) if a.user.email else "",
            source(a.organisation),
            name=a.user.get_full_name(),
            user=a.user,
            organisation=a.organisation,
        )
        for a in affiliations
    ]


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationError({"language": "Choose en or ja."})


def _choose(candidates: Iterable[Candidate], result: InviteResult) -> dict[str, Candidate]:
    """One candidate per valid address (the first), the others reported as merged."""
    chosen: dict[str, Candidate] = {}
    for candidate in candidates:
        if not candidate.email or valid_address(candidate.email) is None:
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
    chosen: dict[str, Candidate],
    new: _NewInvitations,
    *,
    busy: str,
    after_insert: Callable[[list[Invitation]], None] | None = None,
) -> None:
    """Insert one invitation per chosen address not yet invited to the target (in bulk,
    in one transaction) and enqueue their sending after commit. `after_insert(created)`
    may add rows that point at them."""
    known = accounts_by_email(chosen)
    with transaction.atomic():
        existing = dict(
            Invitation.objects.filter(**new.target, email__in=list(chosen)).values_list(
                "email", "status"
            )
        )
        rows = []
        for address, candidate in chosen.items():
            if address in existing:
                label = InvitationStatus(existing[address]).label.lower()
                result.merged.append(
                    InviteLine(candidate.line, address, f"already invited ({label})")
                )
                continue
            rows.append(new.row(address, candidate, candidate.user or known.get(address)))
        try:
            with transaction.atomic():
                result.created = Invitation.objects.bulk_create(rows, batch_size=1000)
                if after_insert is not None:
                    after_insert(result.created)
        except IntegrityError:
            raise ValidationError(busy)
        ids = [i.pk for i in result.created]
        transaction.on_commit(lambda: enqueue_send(ids))


# --- Event invitations ---------------------------------------------------------------------


def _event_expiry(event: Event, expires_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The answer deadline of new invitations to `event` (the default, or the one staff
    chose), refusing events that cannot be invited to."""
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError("Publish the event before inviting people to it.")
    if expires_at is None:
        expires_at = default_expiry(event, now)
    elif expires_at > event_deadline(event):
        raise ValidationError(
            {"expires_at": "Answers cannot be due after the event's registration closes."}
        )
    if expires_at <= now:
        raise ValidationError(
            {"expires_at": "The response deadline (registration close or start) has passed."}
        )
    return expires_at


def _event_candidates(
    *,
    emails_text: str,
    csv_text: str,
    users: Iterable[AbstractBaseUser],
    organisations: Iterable[Organisation],
    audience: Audience | None,
) -> tuple[list[Candidate], list[InviteLine]]:
    candidates: list[Candidate] = []
    invalid: list[InviteLine] = []
    for parser, text in ((parse_email_lines, emails_text), (parse_email_csv, csv_text)):
        if text:
            ok, bad = parser(text)
            candidates += ok
            invalid += bad
    candidates += [
        Candidate(
            normalise_email(user.email or ""),
            f"person {user.pk}",
            name=user.get_full_name(),
            user=user,
        )
        for user in users
    ]
    candidates += _representatives(organisations, _chosen_organisation)
    if audience is not None:
        candidates += _representatives(
            audience_organisations(audience), lambda o: f"audience: {o.name}"
        )
    return candidates, invalid


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
    An invitee with a profile gets its language and time zone; others the line's (or
    `language`) and the event's time zone (Asia/Tokyo in Japanese).
    """
    require_staff(actor, "send invitations")
    _check_language(language)
    now = timezone.now()
    expires_at = _event_expiry(event, expires_at, now)
    candidates, invalid = _event_candidates(
        emails_text=emails_text,
        csv_text=csv_text,
        users=users,
        organisations=organisations,
        audience=audience,
    )
    result = InviteResult(invalid=invalid)
    chosen = _choose(candidates, result)
    if not chosen:
        return result

    def defaults(candidate: Candidate) -> tuple[str, str]:
        lang = candidate.language or language
        return lang, "Asia/Tokyo" if lang == "ja" else event.time_zone

    new = _NewInvitations({"event": event}, actor, note, expires_at, now, defaults)
    _insert(
        result,
        chosen,
        new,
        busy="Someone else is inviting people to this event at the same moment; please try again.",
    )
    return result


# --- Host invitations ----------------------------------------------------------------------


def _check_hosts(
    delegation: Delegation,
    organisations: list[Organisation],
    city: str,
    days: list[DelegationDay],
) -> list[DelegationDay]:
    """Refuse what cannot be proposed to hosts; the days proposed (default: every day of
    the delegation in `city`)."""
    if delegation.status not in HOST_INVITABLE:
        raise ValidationError(
            f"This delegation is {delegation.get_status_display().lower()}: "
            "hosts can no longer be invited."
        )
    in_city = [d for d in delegation.days.order_by("date") if d.city == city]
    if not in_city:
        raise ValidationError({"city": "Choose a city of the delegation's days."})
    days = days or in_city
    if any(d.pk not in {c.pk for c in in_city} for d in days):
        raise ValidationError({"days": f"Choose days of this delegation in {city}."})
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
    return days


def _host_candidates(organisations: list[Organisation], result: InviteResult) -> list[Candidate]:
    candidates = _representatives(organisations, _chosen_organisation)
    for organisation in organisations:
        if not any(c.organisation == organisation for c in candidates):
            result.invalid.append(
                InviteLine(None, organisation.name, "no active representative with an email")
            )
    return candidates


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
    require_staff(actor, "invite hosts")
    _check_language(language)
    city = city.strip()
    organisations = list(organisations)
    days = _check_hosts(delegation, organisations, city, list(days))
    now = timezone.now()
    expires_at = delegation_expiry(delegation, now)
    if expires_at <= now:
        raise ValidationError("The delegation has started: hosts can no longer be invited.")

    result = InviteResult()
    chosen = _choose(_host_candidates(organisations, result), result)
    if not chosen:
        return result

    def add_days(created: list[Invitation]) -> None:
        Through = Invitation.host_days.through
        Through.objects.bulk_create(
            [Through(invitation_id=i.pk, delegationday_id=d.pk) for i in created for d in days],
            batch_size=2000,
        )

    tz = days[0].time_zone
    new = _NewInvitations(
        {"delegation": delegation}, actor, note, expires_at, now, lambda _: (language, tz), city
    )
    _insert(
        result,
        chosen,
        new,
        busy="Someone else is inviting hosts to this delegation at the same moment; "
        "please try again.",
        after_insert=add_days,
    )
    return result
