"""Managing an organisation from the portal: register, edit, representatives (invitations),
memberships. Bad input is a field error and saves nothing; access is the API's rule."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from members.models import Affiliation, Membership, Organisation, RepresentativeInvitation
from tests.factories import (
    MembershipFactory,
    PlatformFactory,
    StaffFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def field_errors(response) -> set[str]:
    return set(re.findall(r'id="id_(\w+)_errors"', response.content.decode()))


# --- Register and edit ------------------------------------------------------------------


def test_register_an_organisation_makes_the_creator_its_admin():
    person = UserFactory()
    response = logged_in(person).post(
        "/organisations/new/",
        {
            "name": "Assam Bamboo Works",
            "country": "IN",
            "kind": "sme",
            "employees": "35",
            "region": "",
            "website": "bamboo.example.in",
        },
    )
    organisation = Organisation.objects.get(name="Assam Bamboo Works")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{organisation.pk}/"
    assert organisation.website == "https://bamboo.example.in"
    assert Affiliation.objects.get(organisation=organisation).user == person
    assert Affiliation.objects.get(organisation=organisation).role == "admin"


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"country": "IN", "kind": "sme"}, {"name"}),
        ({"name": "X", "country": "FR", "kind": "sme"}, {"country"}),
        ({"name": "X", "country": "IN", "kind": "sme", "founded_year": "1200"}, {"founded_year"}),
        ({"name": "X", "country": "IN", "kind": "sme", "employees": "-4"}, {"employees"}),
        ({"name": "X", "country": "IN", "kind": "sme", "website": "not a url"}, {"website"}),
        ({"name": "X", "country": "IN", "kind": "sme", "sectors": ["999999"]}, {"sectors"}),
    ],
)
def test_register_bad_input_is_a_field_error_and_saves_nothing(data, fields):
    response = logged_in(UserFactory()).post("/organisations/new/", data)
    assert response.status_code == 200
    assert field_errors(response) == fields
    assert Organisation.objects.count() == 0


def test_register_region_of_the_other_country_is_the_services_field_error():
    from members.models import Region

    osaka = Region.objects.get(code="JP-27")
    response = logged_in(UserFactory()).post(
        "/organisations/new/", {"name": "X", "country": "IN", "kind": "sme", "region": osaka.pk}
    )
    assert field_errors(response) == {"region"}
    assert "The region must be in the organisation's country." in text(response)
    assert Organisation.objects.count() == Affiliation.objects.count() == 0


def test_register_needs_an_account():
    assert Client().get("/organisations/new/").status_code == 302


@pytest.mark.parametrize("sectors", [1, 20])
def test_register_page_query_count_is_constant(sectors, django_assert_num_queries):
    client = logged_in(UserFactory())
    with django_assert_num_queries(7):
        response = client.get("/organisations/new/")
    assert response.status_code == 200


def test_edit_by_its_admin():
    admin = member()
    organisation = admin.affiliations.get().organisation
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/edit/",
        {"name": "Renamed", "name_ja": "改名", "country": "IN", "kind": "startup"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.name_ja, organisation.kind) == (
        "Renamed",
        "改名",
        "startup",
    )


def test_edit_bad_input_saves_nothing():
    admin = member()
    organisation = admin.affiliations.get().organisation
    before = organisation.name
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/edit/", {"name": "", "country": "IN", "kind": "nope"}
    )
    assert field_errors(response) == {"name", "kind"}
    organisation.refresh_from_db()
    assert organisation.name == before


def test_edit_is_for_its_admins_only_like_the_api():
    admin = member()
    organisation = admin.affiliations.get().organisation
    representative = member(organisation=organisation, role="representative")
    for person in (representative, member()):
        client = logged_in(person)
        assert client.get(f"/organisations/{organisation.pk}/edit/").status_code == 403
        post = client.post(
            f"/organisations/{organisation.pk}/edit/",
            {"name": "Hijacked", "country": "IN", "kind": "sme"},
        )
        assert post.status_code == 403
    assert logged_in(admin).get("/organisations/999999/edit/").status_code == 404
    assert (
        logged_in(StaffFactory()).get(f"/organisations/{organisation.pk}/edit/").status_code == 200
    )
    organisation.refresh_from_db()
    assert organisation.name != "Hijacked"


@pytest.mark.parametrize("sectors", [0, 6])
def test_edit_page_query_count_is_constant(sectors, django_assert_num_queries):
    from members.models import Sector

    admin = member()
    organisation = admin.affiliations.get().organisation
    organisation.sectors.set(Sector.objects.all()[:sectors])
    client = logged_in(admin)
    with django_assert_num_queries(12):
        response = client.get(f"/organisations/{organisation.pk}/edit/")
    assert response.status_code == 200


# --- Representatives ----------------------------------------------------------------------


@pytest.fixture
def organisation_admin():
    admin = member(username="asha", first_name="Asha", profile__language="en")
    return admin, admin.affiliations.get().organisation


def test_invite_a_person_with_a_confirmed_address_adds_them(organisation_admin, mailbox):
    admin, organisation = organisation_admin
    ravi = UserFactory(email="ravi@example.com")
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/representatives/",
        {"action": "invite", "email": "Ravi@Example.com"},
        follow=True,
    )
    assert "now represents the organisation" in text(response)
    assert Affiliation.objects.get(user=ravi, organisation=organisation).role == "representative"
    assert RepresentativeInvitation.objects.count() == 0
    assert mailbox.messages == []


def test_invite_an_unknown_address_emails_a_sign_up_link(organisation_admin, mailbox, on_commit):
    admin, organisation = organisation_admin
    with on_commit():
        response = logged_in(admin).post(
            f"/organisations/{organisation.pk}/representatives/",
            {"action": "invite", "email": "new.person@example.com"},
            follow=True,
        )
    assert "An invitation is emailed to new.person@example.com." in text(response)
    invitation = RepresentativeInvitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.invited_by) == (
        "new.person@example.com",
        organisation,
        admin,
    )
    [mail] = mailbox.wait_for(1)
    body = mailbox.text(mail)
    assert mail["To"] == "new.person@example.com"
    assert organisation.name in mail["Subject"]
    assert "/accounts/signup/?email=new.person%40example.com" in body
    assert f"/organisations/join/{invitation.token}/" in body
    assert "new.person@example.com" in text(response)  # listed as waiting


def test_invite_an_address_with_an_unconfirmed_account_waits_for_confirmation(
    organisation_admin, on_commit
):
    admin, organisation = organisation_admin
    unconfirmed = UserFactory(email="later@example.com", email_verified=False)
    EmailAddress.objects.create(user=unconfirmed, email="later@example.com", verified=False)
    with on_commit():
        logged_in(admin).post(
            f"/organisations/{organisation.pk}/representatives/",
            {"action": "invite", "email": "later@example.com"},
        )
    assert not Affiliation.objects.filter(user=unconfirmed).exists()
    assert RepresentativeInvitation.objects.filter(email="later@example.com").exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b"])
def test_invite_bad_address_is_a_field_error_and_saves_nothing(organisation_admin, email, mailbox):
    admin, organisation = organisation_admin
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/representatives/", {"action": "invite", "email": email}
    )
    assert response.status_code == 200
    assert field_errors(response) == {"email"}
    assert RepresentativeInvitation.objects.count() == 0
    assert Affiliation.objects.count() == 1
    assert mailbox.messages == []


def test_invite_someone_who_already_represents_it_is_a_field_error(organisation_admin):
    admin, organisation = organisation_admin
    member(organisation=organisation, role="representative", email="ravi@example.com")
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/representatives/",
        {"action": "invite", "email": "ravi@example.com"},
    )
    assert field_errors(response) == {"email"}
    assert "already represents this organisation" in text(response)


def test_remove_a_representative_and_bring_them_back(organisation_admin):
    admin, organisation = organisation_admin
    ravi = member(organisation=organisation, role="representative", email="ravi@example.com")
    client = logged_in(admin)
    url = f"/organisations/{organisation.pk}/representatives/"
    response = client.post(url, {"action": "remove", "user": ravi.pk}, follow=True)
    assert "no longer represents the organisation" in text(response)
    assert not Affiliation.objects.get(user=ravi).is_active
    assert "ravi@example.com" not in text(response)
    client.post(url, {"action": "invite", "email": "ravi@example.com"})
    assert Affiliation.objects.get(user=ravi).is_active


def test_the_last_admin_cannot_be_removed_or_demoted(organisation_admin):
    admin, organisation = organisation_admin
    client = logged_in(admin)
    url = f"/organisations/{organisation.pk}/representatives/"
    for data in (
        {"action": "remove", "user": admin.pk},
        {"action": "role", "user": admin.pk, "role": "representative"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "An organisation needs at least one admin" in text(response)
        affiliation = Affiliation.objects.get(user=admin)
        assert (affiliation.is_active, affiliation.role) == (True, "admin")


def test_an_admin_may_step_down_once_there_is_another(organisation_admin):
    admin, organisation = organisation_admin
    ravi = member(organisation=organisation, role="representative")
    client = logged_in(admin)
    url = f"/organisations/{organisation.pk}/representatives/"
    client.post(url, {"action": "role", "user": ravi.pk, "role": "admin"})
    assert Affiliation.objects.get(user=ravi).role == "admin"
    client.post(url, {"action": "remove", "user": admin.pk})
    assert not Affiliation.objects.get(user=admin).is_active


@pytest.mark.parametrize(
    "data",
    [{"action": "remove", "user": "999999"}, {"action": "remove"}, {"action": "role", "user": "x"}],
)
def test_representative_change_bad_input_is_an_error_and_changes_nothing(organisation_admin, data):
    admin, organisation = organisation_admin
    outsider = member()
    data = {**data, "user": data.get("user", "") if data.get("user") != "999999" else outsider.pk}
    response = logged_in(admin).post(f"/organisations/{organisation.pk}/representatives/", data)
    assert response.status_code == 200
    assert 'id="representative-errors"' in response.content.decode()
    assert Affiliation.objects.filter(is_active=True).count() == 2


def test_withdraw_an_invitation(organisation_admin, on_commit):
    admin, organisation = organisation_admin
    client = logged_in(admin)
    url = f"/organisations/{organisation.pk}/representatives/"
    with on_commit():
        client.post(url, {"action": "invite", "email": "new@example.com"})
    invitation = RepresentativeInvitation.objects.get()
    client.post(url, {"action": "withdraw", "invitation": invitation.pk})
    assert RepresentativeInvitation.objects.count() == 0


def test_representatives_are_managed_by_admins_only(organisation_admin):
    _, organisation = organisation_admin
    representative = member(organisation=organisation, role="representative")
    url = f"/organisations/{organisation.pk}/representatives/"
    for person in (representative, member()):
        assert logged_in(person).get(url).status_code == 403
        assert (
            logged_in(person).post(url, {"action": "invite", "email": "x@example.com"}).status_code
            == 403
        )
    assert RepresentativeInvitation.objects.count() == 0


@pytest.mark.parametrize("people", [1, 8])
def test_representatives_page_query_count_is_constant(
    organisation_admin, people, django_assert_num_queries
):
    admin, organisation = organisation_admin
    for n in range(people):
        member(organisation=organisation, role="representative")
        RepresentativeInvitation.objects.create(
            organisation=organisation,
            email=f"invitee{n}@example.com",
            token=f"t{n}",
            invited_by=admin,
            expires_at="2999-01-01T00:00Z",
        )
    client = logged_in(admin)
    with django_assert_num_queries(10):
        response = client.get(f"/organisations/{organisation.pk}/representatives/")
    assert len(response.context["representatives"]) == people + 1


# --- Invitation page ------------------------------------------------------------------------


def test_invitation_page_shows_how_to_accept(organisation_admin, on_commit):
    admin, organisation = organisation_admin
    with on_commit():
        logged_in(admin).post(
            f"/organisations/{organisation.pk}/representatives/",
            {"action": "invite", "email": "new@example.com"},
        )
    invitation = RepresentativeInvitation.objects.get()
    body = Client().get(f"/organisations/join/{invitation.token}/")
    assert body.status_code == 200
    assert "/accounts/signup/?email=new%40example.com" in body.content.decode()
    assert Client().get("/organisations/join/nope/").status_code == 404


# --- Memberships ---------------------------------------------------------------------------


def test_apply_for_membership_from_the_page(organisation_admin):
    admin, organisation = organisation_admin
    council = PlatformFactory(slug="business-council", name="Business Council")
    response = logged_in(admin).post(
        f"/organisations/{organisation.pk}/memberships/",
        {"platform": council.pk, "note": "Tea exporters"},
        follow=True,
    )
    membership = Membership.objects.get()
    assert (membership.platform, membership.status, membership.application_note) == (
        council,
        "applied",
        "Tea exporters",
    )
    assert "Your application is sent to the secretariat." in text(response)
    assert "Applied" in text(response)


def test_a_rejected_organisation_applies_again_from_the_page(organisation_admin):
    admin, organisation = organisation_admin
    rejected = MembershipFactory(
        organisation=organisation, status="rejected", decision_reason="Profile incomplete."
    )
    client = logged_in(admin)
    page = client.get(f"/organisations/{organisation.pk}/memberships/")
    assert "Rejected" in text(page) and "Profile incomplete." in text(page)
    assert list(page.context["form"].fields["platform"].queryset) == [rejected.platform]
    client.post(
        f"/organisations/{organisation.pk}/memberships/", {"platform": rejected.platform.pk}
    )
    rejected.refresh_from_db()
    assert (rejected.status, rejected.decision_reason) == ("applied", "")


@pytest.mark.parametrize("status", ["applied", "approved"])
def test_apply_bad_input_is_a_field_error_and_saves_nothing(organisation_admin, status):
    admin, organisation = organisation_admin
    taken = MembershipFactory(organisation=organisation, status=status)
    PlatformFactory()  # one the organisation may still apply to, so the form is there
    client = logged_in(admin)
    for data in ({}, {"platform": "999999"}, {"platform": taken.platform.pk}):
        response = client.post(f"/organisations/{organisation.pk}/memberships/", data)
        assert response.status_code == 200
        assert field_errors(response) == {"platform"}
    taken.refresh_from_db()
    assert taken.status == status
    assert Membership.objects.count() == 1


def test_memberships_are_seen_by_the_organisations_people_and_applied_for_by_admins(
    organisation_admin,
):
    _, organisation = organisation_admin
    platform = PlatformFactory()
    representative = member(organisation=organisation, role="representative")
    url = f"/organisations/{organisation.pk}/memberships/"
    page = logged_in(representative).get(url)
    assert page.status_code == 200
    assert "The organisation's admins apply for membership." in text(page)
    assert logged_in(representative).post(url, {"platform": platform.pk}).status_code == 403
    assert logged_in(member()).get(url).status_code == 403
    assert logged_in(StaffFactory()).get(url).status_code == 200
    assert Membership.objects.count() == 0


@pytest.mark.parametrize("platforms", [1, 4])
def test_memberships_page_query_count_is_constant(
    organisation_admin, platforms, django_assert_num_queries
):
    admin, organisation = organisation_admin
    for _ in range(platforms):
        MembershipFactory(organisation=organisation, status="rejected", decision_reason="No.")
    client = logged_in(admin)
    with django_assert_num_queries(12):
        response = client.get(f"/organisations/{organisation.pk}/memberships/")
    assert len(response.context["memberships"]) == platforms


def test_unknown_organisation_pages_are_404():
    client = logged_in(member())
    for url in ("edit/", "representatives/", "memberships/", "matches/"):
        assert client.get(f"/organisations/999999/{url}").status_code == 404
