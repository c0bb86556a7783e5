"""factory_boy factories for every app, in one place."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Affiliation, Membership, Organisation, Platform, Profile, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        if create:
            Profile.objects.get_or_create(user=user, defaults=kwargs or {})
            user.save()

    @factory.post_generation
    def email_verified(user, create, extracted, **kwargs):
        """People made by the factories have confirmed their address (pass
        email_verified=False for one who has not)."""
        if create and user.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    country = "IN"
    kind = "sme"
    region = factory.LazyAttribute(
        lambda o: Region.objects.filter(country=o.country).order_by("code").first()
    )


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"platform-{n}")
    name = factory.Sequence(lambda n: f"Platform {n}")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Affiliation.Role.ADMIN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    platform = factory.SubFactory(PlatformFactory)
    status = Membership.Status.APPLIED
    applied_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyAttribute(
        lambda m: None if m.status == Membership.Status.APPLIED else timezone.now()
    )


def member(*, organisation=None, role=Affiliation.Role.ADMIN, platform=None, **user_kwargs):
    """A person representing an organisation (created if not given); with `platform`, the
    organisation is an approved member of it."""
    user = UserFactory(**user_kwargs)
    organisation = organisation or OrganisationFactory()
    AffiliationFactory(user=user, organisation=organisation, role=role)
    if platform is not None:
        MembershipFactory(
            organisation=organisation, platform=platform, status=Membership.Status.APPROVED
        )
    return user


# --- events ---------------------------------------------------------------------------


class EventFactory(factory.django.DjangoModelFactory):
    """A published public event in ten days, registration open now."""

    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    platform = factory.SubFactory(PlatformFactory)
    kind = "forum_session"
    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + dt.timedelta(hours=3))
    time_zone = "Asia/Kolkata"
    venue = "Convention Centre"
    city = "Ahmedabad"
    country = "IN"
    capacity = 10
    visibility = "public"
    status = "published"


# --- delegations ------------------------------------------------------------------------


class DelegationFactory(factory.django.DjangoModelFactory):
    """A Japan → India delegation open for applications, 3 places, 09:00–12:00 grid of
    30-minute slots (no days: add DelegationDayFactory rows)."""

    class Meta:
        model = "delegations.Delegation"
        skip_postgeneration_save = True

    platform = factory.SubFactory(PlatformFactory)
    slug = factory.Sequence(lambda n: f"delegation-{n}")
    title = factory.Sequence(lambda n: f"Delegation {n}")
    direction = "jp_to_in"
    places = 3
    status = "open"
    first_slot_start = dt.time(9, 0)
    last_slot_end = dt.time(12, 0)
    slot_minutes = 30


class DelegationDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegations.DelegationDay"

    delegation = factory.SubFactory(DelegationFactory)
    date = factory.Sequence(lambda n: dt.date(2026, 2, 10) + dt.timedelta(days=n))
    city = "Ahmedabad"
    venue = "GIFT City Club"
    time_zone = "Asia/Kolkata"
    tables = 2
