"""factory_boy factories for every app, in one place."""

import factory
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
