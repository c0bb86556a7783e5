import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from members import services
from members.models import (
    Affiliation,
    Membership,
    Organisation,
    Region,
    RepresentativeInvitation,
    Sector,
)
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_reference_data_is_seeded_with_north_east_and_prefectures():
    assert Region.objects.filter(country="IN", is_north_east=True).count() == 8
    assert Region.objects.filter(country="JP", kind="prefecture").count() == 47
    assert Region.objects.filter(country="IN", kind="union_territory").count() == 8
    assert (
        Sector.objects.filter(slug__in=["semiconductors", "bamboo", "tea", "poultry"]).count() == 4
    )


def test_organisation_create_makes_creator_its_admin():
    user = UserFactory()
    org = services.organisation_create(
        actor=user,
        name="Kato Precision",
        country="JP",
        kind="mid_sized",
        region=Region.objects.get(code="JP-23"),
        sectors=Sector.objects.filter(slug="robotics"),
    )
    assert org.slug == "kato-precision"
    assert list(org.sectors.values_list("slug", flat=True)) == ["robotics"]
    assert Affiliation.objects.get(organisation=org).user == user
    assert Affiliation.objects.get(organisation=org).role == "admin"


def test_organisation_create_refuses_region_of_other_country():
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=UserFactory(), name="X", country="JP", region=Region.objects.get(code="IN-GJ")
        )
    assert exc.value.message_dict == {
        "region": ["The region must be in the organisation's country."]
    }
    assert Organisation.objects.filter(name="X").count() == 0


def test_organisation_update_only_by_its_admins():
    admin = member()
    org = admin.affiliations.get().organisation
    outsider = member()
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=outsider, organisation=org, name="Hijacked")
    services.organisation_update(actor=admin, organisation=org, name="Renamed")
    org.refresh_from_db()
    assert org.name == "Renamed"


def test_database_refuses_invalid_kind_and_duplicate_membership():
    org = OrganisationFactory()
    with pytest.raises(IntegrityError):
        Organisation.objects.filter(pk=org.pk).update(kind="pirate")


def test_membership_unique_per_organisation_and_platform():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(organisation=membership.organisation, platform=membership.platform)


def test_membership_apply_then_approve_emails_the_admins(mailbox, on_commit):
    admin = member(email="owner@sme.example")
    org = admin.affiliations.get().organisation
    platform = PlatformFactory(name="Japan–India SME Forum")
    membership = services.membership_apply(actor=admin, organisation=org, platform=platform)
    assert membership.status == "applied"
    with on_commit():
        services.membership_approve(actor=StaffFactory(), membership=membership)
    membership.refresh_from_db()
    assert membership.status == "approved"
    assert membership.decision_notified_at is not None
    [mail] = mailbox.to("owner@sme.example")
    assert mail["Subject"] == "Welcome to Japan–India SME Forum"
    assert "has been approved" in mailbox.text(mail)


def test_membership_rejection_needs_reason_and_is_emailed_in_japanese(mailbox, on_commit):
    admin = member(email="tanaka@sme.example")
    admin.profile.language = "ja"
    admin.profile.save()
    membership = MembershipFactory(organisation=admin.affiliations.get().organisation)
    staff = StaffFactory()
    with pytest.raises(ValidationError):
        services.membership_reject(actor=staff, membership=membership, reason=" ")
    with on_commit():
        services.membership_reject(actor=staff, membership=membership, reason="定員に達しました")
    [mail] = mailbox.to("tanaka@sme.example")
    assert "承認されませんでした" in mailbox.text(mail)
    assert "定員に達しました" in mailbox.text(mail)


def test_membership_decision_notification_is_sent_once(mailbox, on_commit):
    admin = member(email="once@sme.example")
    membership = MembershipFactory(organisation=admin.affiliations.get().organisation)
    with on_commit():
        services.membership_approve(actor=StaffFactory(), membership=membership)
    assert services.membership_notify_decision(membership_id=membership.pk) is False
    assert len(mailbox.to("once@sme.example")) == 1


def test_membership_cannot_be_decided_twice_or_by_non_staff():
    membership = MembershipFactory()
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=UserFactory(), membership=membership)
    staff = StaffFactory()
    services.membership_approve(actor=staff, membership=membership)
    with pytest.raises(ValidationError) as exc:
        services.membership_reject(actor=staff, membership=membership, reason="late")
    assert exc.value.message_dict == {
        "status": ["This membership is approved; it cannot become rejected."]
    }
    membership.refresh_from_db()
    assert membership.status == "approved"


def test_membership_apply_twice_is_refused_but_rejected_may_reapply():
    admin = member()
    org = admin.affiliations.get().organisation
    platform = PlatformFactory()
    membership = services.membership_apply(actor=admin, organisation=org, platform=platform)
    with pytest.raises(ValidationError):
        services.membership_apply(actor=admin, organisation=org, platform=platform)
    services.membership_reject(actor=StaffFactory(), membership=membership, reason="incomplete")
    again = services.membership_apply(
        actor=admin, organisation=org, platform=platform, note="now complete"
    )
    assert again.pk == membership.pk
    assert again.status == "applied"
    assert Membership.objects.filter(organisation=org).count() == 1


def test_membership_apply_by_representative_is_refused():
    rep = member(role="representative")
    with pytest.raises(PermissionDenied):
        services.membership_apply(
            actor=rep, organisation=rep.affiliations.get().organisation, platform=PlatformFactory()
        )


# --- Representatives ----------------------------------------------------------------------


def test_representative_invite_adds_a_confirmed_address_at_once():
    admin = member()
    organisation = admin.affiliations.get().organisation
    ravi = UserFactory(email="ravi@example.com")
    affiliation = services.representative_invite(
        actor=admin, organisation=organisation, email=" RAVI@example.com "
    )
    assert (affiliation.user, affiliation.role) == (ravi, "representative")


def test_representative_invite_is_for_admins_only():
    admin = member()
    organisation = admin.affiliations.get().organisation
    representative = member(organisation=organisation, role="representative")
    with pytest.raises(PermissionDenied):
        services.representative_invite(
            actor=representative, organisation=organisation, email="x@example.com"
        )
    assert not RepresentativeInvitation.objects.exists()


def test_representative_invitation_accepted_when_the_address_is_confirmed(on_commit, mailbox):
    admin = member()
    organisation = admin.affiliations.get().organisation
    with on_commit():
        invitation = services.representative_invite(
            actor=admin, organisation=organisation, email="New@Example.com"
        )
    assert invitation.email == "new@example.com"
    assert len(mailbox.wait_for(1)) == 1
    # Inviting again refreshes the open invitation instead of adding a second one.
    again = services.representative_invite(
        actor=admin, organisation=organisation, email="new@example.com"
    )
    assert again.pk == invitation.pk and again.token != invitation.token
    newcomer = UserFactory(email="new@example.com", email_verified=False)
    [affiliation] = services.representative_invitations_accept(
        user=newcomer, email="NEW@example.com"
    )
    assert (affiliation.organisation, affiliation.role) == (organisation, "representative")
    again.refresh_from_db()
    assert again.accepted_by == newcomer and again.accepted_at is not None
    # Accepted once: confirming again changes nothing.
    assert services.representative_invitations_accept(user=newcomer, email="new@example.com") == []


def test_representative_expired_invitation_is_not_accepted():
    admin = member()
    organisation = admin.affiliations.get().organisation
    invitation = services.representative_invite(
        actor=admin, organisation=organisation, email="late@example.com"
    )
    RepresentativeInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    late = UserFactory(email="late@example.com")
    assert services.representative_invitations_accept(user=late, email=late.email) == []
    assert not Affiliation.objects.filter(user=late).exists()


def test_representative_withdrawn_invitation_is_not_sent(mailbox):
    admin = member()
    organisation = admin.affiliations.get().organisation
    invitation = services.representative_invite(
        actor=admin, organisation=organisation, email="x@example.com"
    )
    services.representative_invitation_withdraw(actor=admin, invitation=invitation)
    assert services.representative_invitation_send(invitation_id=invitation.pk) is False
    assert mailbox.messages == []


def test_representative_remove_and_roles_keep_an_admin():
    admin = member()
    organisation = admin.affiliations.get().organisation
    ravi = member(organisation=organisation, role="representative")
    with pytest.raises(ValidationError) as refused:
        services.representative_remove(actor=admin, organisation=organisation, user=admin)
    assert "at least one admin" in str(refused.value)
    with pytest.raises(ValidationError):
        services.representative_set_role(
            actor=admin, organisation=organisation, user=admin, role="representative"
        )
    with pytest.raises(ValidationError):
        services.representative_set_role(
            actor=admin, organisation=organisation, user=ravi, role="owner"
        )
    services.representative_set_role(
        actor=admin, organisation=organisation, user=ravi, role="admin"
    )
    services.representative_remove(actor=ravi, organisation=organisation, user=admin)
    assert list(
        Affiliation.objects.filter(organisation=organisation, is_active=True).values_list(
            "user", "role"
        )
    ) == [(ravi.pk, "admin")]
    with pytest.raises(PermissionDenied):
        services.representative_remove(actor=admin, organisation=organisation, user=ravi)
    with pytest.raises(ValidationError):
        services.representative_remove(actor=ravi, organisation=organisation, user=admin)
