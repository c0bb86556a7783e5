"""Partner matchmaking: which organisations across the India–Japan corridor fit this one.

A candidate is scored on complementarity, not similarity: what it offers that this
organisation seeks (and the reverse) counts most, shared sectors next, then trust signals.
The score is computed in the database with correlated subqueries, so ranking the whole
directory is one query; only the returned page is loaded with its relations.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from forum_site.permissions import is_staff
from members.models import Membership, Organisation
from members.selectors import organisation_acting_for, organisation_is_member

WEIGHT_CAPABILITY = 3
WEIGHT_SECTOR = 2
WEIGHT_VERIFIED = 1
WEIGHT_SHARED_PLATFORM = 1


@dataclass(frozen=True)
class Match:
    organisation: Organisation
    score: int
    they_offer_what_you_seek: list[str]
    they_seek_what_you_offer: list[str]
    shared_sectors: list[str]


def _overlap(through, own_ids: list[int], target: str) -> Coalesce:
    """How many of `own_ids` the candidate has in relation `through` (0 if none)."""
    rows = (
        through.objects.filter(organisation_id=OuterRef("pk"), **{f"{target}__in": own_ids})
        .values("organisation_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def match_queryset(
    organisation: Organisation, *, seeks: list[int], offers: list[int], sectors: list[int]
) -> QuerySet[Organisation]:
    """Candidates ranked by score; `seeks`/`offers`/`sectors` are the organisation's ids."""
    platforms = list(
        Membership.objects.filter(
            organisation=organisation, status=Membership.Status.APPROVED
        ).values_list("platform_id", flat=True)
    )
    shared_platform = Coalesce(
        Subquery(
            Membership.objects.filter(
                organisation_id=OuterRef("pk"),
                status=Membership.Status.APPROVED,
                platform_id__in=platforms,
            )
            .values("organisation_id")
            .annotate(n=Count("*"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return (
        Organisation.objects.exclude(pk=organisation.pk)
        .exclude(country=organisation.country)
        .exclude(kind__in=[Organisation.Kind.GOVERNMENT, Organisation.Kind.INDUSTRY_BODY])
        .annotate(
            offers_sought=_overlap(Organisation.offers.through, seeks, "capability_id"),
            seeks_offered=_overlap(Organisation.seeks.through, offers, "capability_id"),
            sectors_shared=_overlap(Organisation.sectors.through, sectors, "sector_id"),
            platforms_shared=shared_platform,
        )
        .annotate(
            score=(F("offers_sought") + F("seeks_offered")) * WEIGHT_CAPABILITY
            + F("sectors_shared") * WEIGHT_SECTOR
            + Case(When(verified=True, then=Value(WEIGHT_VERIFIED)), default=Value(0))
            + Case(
                When(platforms_shared__gt=0, then=Value(WEIGHT_SHARED_PLATFORM)),
                default=Value(0),
            )
        )
        .filter(Q(offers_sought__gt=0) | Q(seeks_offered__gt=0) | Q(sectors_shared__gt=0))
        .order_by("-score", "name", "pk")
    )


def partner_matches(*, organisation: Organisation, limit: int = 20) -> list[Match]:
    """The best `limit` counterparts for `organisation`, with the reasons for each."""
    seeks = dict(organisation.seeks.values_list("id", "slug"))
    offers = dict(organisation.offers.values_list("id", "slug"))
    sectors = dict(organisation.sectors.values_list("id", "slug"))
    page = list(
        match_queryset(organisation, seeks=list(seeks), offers=list(offers), sectors=list(sectors))
        .select_related("region")
        .prefetch_related("offers", "seeks", "sectors")[:limit]
    )
    return [
        Match(
            organisation=candidate,
            score=candidate.score,
            they_offer_what_you_seek=sorted(
                c.slug for c in candidate.offers.all() if c.pk in seeks
            ),
            they_seek_what_you_offer=sorted(
                c.slug for c in candidate.seeks.all() if c.pk in offers
            ),
            shared_sectors=sorted(s.slug for s in candidate.sectors.all() if s.pk in sectors),
        )
        for candidate in page
    ]


NOT_A_MEMBER = _(
    "Partner matches are open to member organisations. Once a platform has approved your "
    "membership, your best counterparts across India and Japan are listed here."
)


def matches_for(
    *, user: AbstractBaseUser, organisation: Organisation, limit: int = 20
) -> list[Match]:
    """An organisation's partner matches, for its own people (staff: any organisation).

    Matches are a member service: the organisation must be an approved member of a
    platform. The page and the API ask here, so they answer alike."""
    if not is_staff(user):
        organisation_acting_for(user=user, organisation=organisation, none="", several="")
        if not organisation_is_member(organisation):
            raise PermissionDenied(NOT_A_MEMBER)
    return partner_matches(organisation=organisation, limit=limit)
