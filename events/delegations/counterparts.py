"""The counterparts a participant may ask to meet: hosts (for a delegate) or delegates (for a
host), with their profiles, why they fit (members/matchmaking.py's complementarity: they
offer what you seek, seek what you offer, share your sectors) and the requests already
made either way.

A delegate's side of the match is what its application offers and seeks on this trip
(falling back to its directory profile); the counterparts are ranked by the directory's
match score, best first, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    MeetingRequest,
)
from events.delegations.selectors import participant_org_ids, requests_of_organisation
from members.matchmaking import match_queryset
from members.models import Capability, Organisation, Sector

ORGANISATION_PREFETCH = ("organisation__sectors", "organisation__offers", "organisation__seeks")


@dataclass
class Counterpart:
    """A counterpart and its profile, read once from the prefetched rows (pages loop over
    them several times)."""

    organisation: Organisation
    days: list[DelegationDay] = field(default_factory=list)
    application: DelegationApplication | None = None
    sectors: list[Sector] = field(default_factory=list)
    offers: list[Capability] = field(default_factory=list)
    seeks: list[Capability] = field(default_factory=list)
    trip_offers: list[Capability] = field(default_factory=list)
    trip_seeks: list[Capability] = field(default_factory=list)
    score: int = 0
    they_offer_what_you_seek: list[Capability] = field(default_factory=list)
    they_seek_what_you_offer: list[Capability] = field(default_factory=list)
    shared_sectors: list[Sector] = field(default_factory=list)
    request_made: MeetingRequest | None = None
    request_received: MeetingRequest | None = None

    def __post_init__(self) -> None:
        self.sectors = list(self.organisation.sectors.all())
        self.offers = list(self.organisation.offers.all())
        self.seeks = list(self.organisation.seeks.all())
        if self.application is not None:
            self.trip_offers = list(self.application.offers.all())
            self.trip_seeks = list(self.application.seeks.all())

    @property
    def cities(self) -> list[str]:
        return list(dict.fromkeys(d.city for d in self.days))

    @property
    def matches(self) -> bool:
        return bool(
            self.they_offer_what_you_seek or self.they_seek_what_you_offer or self.shared_sectors
        )


@dataclass
class Filters:
    sector: Sector | None = None
    capability: Capability | None = None
    day: DelegationDay | None = None


def _own_capabilities(
    delegation: Delegation, organisation: Organisation
) -> tuple[set[int], set[int], set[int]]:
    """(seeks, offers, sectors) ids of the organisation for this trip."""
    application = (
        DelegationApplication.objects.filter(
            delegation=delegation, organisation=organisation, status=ApplicationStatus.ACCEPTED
        )
        .prefetch_related("offers", "seeks")
        .first()
    )
    seeks = {c.pk for c in application.seeks.all()} if application else set()
    offers = {c.pk for c in application.offers.all()} if application else set()
    seeks = seeks or set(organisation.seeks.values_list("pk", flat=True))
    offers = offers or set(organisation.offers.values_list("pk", flat=True))
    sectors = set(organisation.sectors.values_list("pk", flat=True))
    return seeks, offers, sectors


def _hosts(
    delegation: Delegation, day: DelegationDay | None, only: int | None
) -> list[Counterpart]:
    days = list(DelegationDay.objects.filter(delegation=delegation).order_by("date"))
    hosts = (
        DelegationHost.objects.filter(delegation=delegation)
        .filter(**({"organisation_id": only} if only else {}))
        .select_related("organisation__region")
        .prefetch_related(*ORGANISATION_PREFETCH, "days")
    )
    out = []
    for host in hosts:
        host_days = sorted(host.days.all(), key=lambda d: d.date) or days
        if day is None or day in host_days:
            out.append(Counterpart(organisation=host.organisation, days=host_days))
    return out


def _delegates(delegation: Delegation, only: int | None) -> list[Counterpart]:
    applications = (
        DelegationApplication.objects.filter(
            delegation=delegation, status=ApplicationStatus.ACCEPTED
        )
        .filter(**({"organisation_id": only} if only else {}))
        .select_related("organisation__region")
        .prefetch_related(*ORGANISATION_PREFETCH, "offers", "seeks")
    )
    return [Counterpart(organisation=a.organisation, application=a) for a in applications]


def _keep(candidate: Counterpart, filters: Filters) -> bool:
    organisation = candidate.organisation
    if filters.sector and filters.sector not in organisation.sectors.all():
        return False
    if filters.capability:
        capabilities = {*organisation.offers.all(), *organisation.seeks.all()}
        if candidate.application:
            capabilities |= {
                *candidate.application.offers.all(),
                *candidate.application.seeks.all(),
            }
        if filters.capability not in capabilities:
            return False
    return True


def _explain(candidate: Counterpart, seeks: set[int], offers: set[int], sectors: set[int]) -> None:
    organisation = candidate.organisation
    candidate.they_offer_what_you_seek = [c for c in organisation.offers.all() if c.pk in seeks]
    candidate.they_seek_what_you_offer = [c for c in organisation.seeks.all() if c.pk in offers]
    candidate.shared_sectors = [s for s in organisation.sectors.all() if s.pk in sectors]


def counterparts(
    *,
    delegation: Delegation,
    organisation: Organisation,
    filters: Filters | None = None,
    is_delegate: bool | None = None,
    only: int | None = None,
) -> list[Counterpart]:
    """Whom `organisation` (a participant) may ask to meet, best match first (`only`: just
    that organisation, if it is one)."""
    filters = filters or Filters()
    if is_delegate is None:
        is_delegate = organisation.pk in participant_org_ids(delegation=delegation)[0]
    if is_delegate:
        candidates = _hosts(delegation, filters.day, only)
    else:
        candidates = _delegates(delegation, only)
    candidates = [c for c in candidates if _keep(c, filters)]
    seeks, offers, sectors = _own_capabilities(delegation, organisation)
    scores = dict(
        match_queryset(organisation, seeks=list(seeks), offers=list(offers), sectors=list(sectors))
        .filter(pk__in=[c.organisation.pk for c in candidates])
        .values_list("pk", "score")
    )
    requests = requests_of_organisation(delegation=delegation, organisation=organisation)
    made = {r.to_organisation_id: r for r in requests["made"]}
    received = {r.from_organisation_id: r for r in requests["received"]}
    for candidate in candidates:
        pk = candidate.organisation.pk
        candidate.score = scores.get(pk, 0)
        candidate.request_made, candidate.request_received = made.get(pk), received.get(pk)
        _explain(candidate, seeks, offers, sectors)
    return sorted(candidates, key=lambda c: (-c.score, c.organisation.name, c.organisation.pk))


def counterpart_get(
    *,
    delegation: Delegation,
    organisation: Organisation,
    counterpart_id: int,
    is_delegate: bool | None = None,
) -> Counterpart | None:
    """One counterpart of `organisation` (None when that organisation is not on the other
    side of the delegation)."""
    found = counterparts(
        delegation=delegation,
        organisation=organisation,
        is_delegate=is_delegate,
        only=counterpart_id,
    )
    return found[0] if found else None
