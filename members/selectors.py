"""Reads of the member directory shared by the API, admin, pages and tasks."""

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from forum_site.i18n import sentence
from members.models import (
    Affiliation,
    Membership,
    Organisation,
    Platform,
    RepresentativeInvitation,
)


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("region").prefetch_related(
        "sectors", "offers", "seeks"
    )


def organisation_ids_represented(user: AbstractBaseUser) -> QuerySet:
    return Affiliation.objects.filter(user=user, is_active=True).values("organisation_id")


def organisation_ids_administered(user: AbstractBaseUser) -> QuerySet:
    return Affiliation.objects.filter(
        user=user, role=Affiliation.Role.ADMIN, is_active=True
    ).values("organisation_id")


def approved_platform_ids(organisation_id: int) -> QuerySet:
    return Membership.objects.filter(
        organisation_id=organisation_id, status=Membership.Status.APPROVED
    ).values("platform_id")


def organisation_acting_for(
    *,
    user: AbstractBaseUser,
    organisation: Organisation | None = None,
    candidates: Collection[int] | None = None,
    admin: bool = False,
    staff_may_choose: bool = False,
    none: str,
    several: str,
) -> Organisation:
    """The organisation `user` acts for: `organisation` when they represent it (or are an
    admin of it, with `admin`; staff may choose any with `staff_may_choose`), otherwise
    their only organisation among `candidates` (default: all they represent).

    `none` and `several` are the field errors when they have none, or several to choose
    from (the request should then name one)."""
    affiliations = Affiliation.objects.filter(user=user, is_active=True)
    if admin:
        affiliations = affiliations.filter(role=Affiliation.Role.ADMIN)
    if organisation is not None:
        if (staff_may_choose and user.is_staff) or affiliations.filter(
            organisation_id=organisation.pk
        ).exists():
            return organisation
        role = "an admin of" if admin else "a representative of"
        raise PermissionDenied(
            sentence(
                "You are not %(role)s %(organisation)s.",
                {"role": role, "organisation": organisation},
            )
        )
    usable = Organisation.objects.filter(pk__in=affiliations.values("organisation_id"))
    if candidates is not None:
        usable = usable.filter(pk__in=list(candidates))
    found = list(usable.order_by("pk")[:2])  # one query: enough to tell none, one, several
    if not found:
        raise ValidationError({"organisation": none})
    if len(found) > 1:
        raise ValidationError({"organisation": several})
    return found[0]


def organisation_get(*, pk: int) -> Organisation:
    return get_object_or_404(organisation_list(), pk=pk)


def platform_list() -> QuerySet[Platform]:
    return Platform.objects.prefetch_related(
        Prefetch("organisers", queryset=Organisation.objects.only("id", "name", "slug"))
    )


def membership_list_for_user(user: AbstractBaseUser) -> QuerySet[Membership]:
    """Staff see every membership; a person sees those of the organisations they represent.

    Pending applications are private to the organisation and staff; approved memberships
    of other organisations are public facts and listed in the directory instead.
    """
    qs = Membership.objects.select_related("organisation", "platform", "applied_by", "decided_by")
    if user.is_staff:
        return qs
    return qs.filter(organisation_id__in=organisation_ids_represented(user))


def membership_get_for_user(*, user: AbstractBaseUser, pk: int) -> Membership:
    return get_object_or_404(membership_list_for_user(user), pk=pk)


def affiliation_list_for_user(user: AbstractBaseUser) -> QuerySet[Affiliation]:
    """The organisations a person represents, with their role, by name."""
    return (
        Affiliation.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_profile(*, pk: int) -> Organisation:
    """An organisation for its public profile: with its approved memberships (public facts)
    as `approved_memberships`."""
    approved = Membership.objects.filter(status=Membership.Status.APPROVED).select_related(
        "platform"
    )
    return get_object_or_404(
        organisation_list().prefetch_related(
            Prefetch("memberships", queryset=approved, to_attr="approved_memberships")
        ),
        pk=pk,
    )


def organisation_roles(*, user: AbstractBaseUser, organisation: Organisation) -> set[str]:
    """The roles `user` has in `organisation` (empty when they do not represent it)."""
    if not user.is_authenticated:
        return set()
    return set(
        Affiliation.objects.filter(
            user=user, organisation=organisation, is_active=True
        ).values_list("role", flat=True)
    )


def organisation_is_member(organisation: Organisation) -> bool:
    """Whether the organisation is an approved member of at least one platform."""
    return Membership.objects.filter(
        organisation=organisation, status=Membership.Status.APPROVED
    ).exists()


def representative_list(organisation: Organisation) -> QuerySet[Affiliation]:
    """The people who represent `organisation` now, admins first."""
    return (
        Affiliation.objects.filter(organisation=organisation, is_active=True)
        .select_related("user", "user__profile")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )


def representative_invitations_open(organisation: Organisation) -> QuerySet:
    return RepresentativeInvitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def representative_invitation_get(*, token: str) -> RepresentativeInvitation:
    return get_object_or_404(
        RepresentativeInvitation.objects.select_related("organisation", "invited_by"),
        token=token,
    )


def membership_list_for_organisation(
    *, user: AbstractBaseUser, organisation: Organisation
) -> QuerySet[Membership]:
    """The organisation's memberships, if `user` may see them (its people, staff)."""
    return membership_list_for_user(user).filter(organisation=organisation)
