"""Reads of the member directory shared by the API, admin, pages and tasks."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from members.models import Affiliation, Membership, Organisation, Platform


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("region").prefetch_related(
        "sectors", "offers", "seeks"
    )


def organisation_ids_administered(user: AbstractBaseUser) -> QuerySet:
    return Affiliation.objects.filter(
        user=user, role=Affiliation.Role.ADMIN, is_active=True
    ).values("organisation_id")


def organisation_ids_represented(user: AbstractBaseUser) -> QuerySet:
    return Affiliation.objects.filter(user=user, is_active=True).values("organisation_id")


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


def approved_platform_ids(organisation_id: int) -> QuerySet:
    return Membership.objects.filter(
        organisation_id=organisation_id, status=Membership.Status.APPROVED
    ).values("platform_id")


def user_affiliations(user: AbstractBaseUser) -> QuerySet[Affiliation]:
    return (
        Affiliation.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def user_has_approved_membership(*, user: AbstractBaseUser, platform_id: int) -> bool:
    return Membership.objects.filter(
        Q(organisation_id__in=organisation_ids_represented(user)),
        platform_id=platform_id,
        status=Membership.Status.APPROVED,
    ).exists()
