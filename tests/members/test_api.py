import pytest
from rest_framework.test import APIClient

from members.models import Membership, Organisation, Sector
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_token_auth_then_me():
    user = member(username="asha", email="asha@example.com")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "asha", "password": "pass-word-123"}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "asha"
    assert me["affiliations"] == [
        {
            "organisation": user.affiliations.get().organisation_id,
            "organisation_name": user.affiliations.get().organisation.name,
            "role": "admin",
        }
    ]


def test_token_auth_with_wrong_password_is_400():
    UserFactory(username="kenji")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "kenji", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_anonymous_gets_401():
    assert APIClient().get("/api/v1/organisations/").status_code == 401


def test_me_patch_changes_language_and_rejects_bad_time_zone():
    user = member()
    client = client_for(user)
    response = client.patch("/api/v1/me/", {"language": "ja", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 200
    assert (response.json()["language"], response.json()["time_zone"]) == ("ja", "Asia/Tokyo")
    response = client.patch("/api/v1/me/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert response.json() == {"time_zone": ["Unknown time zone 'Mars/Olympus'."]}
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "Asia/Tokyo"


def test_organisation_create_and_creator_becomes_admin():
    user = UserFactory()
    response = client_for(user).post(
        "/api/v1/organisations/",
        {
            "name": "Assam Bamboo Works",
            "country": "IN",
            "kind": "sme",
            "region": "IN-AS",
            "sectors": ["bamboo"],
            "offers": ["contract-manufacturing"],
            "seeks": ["investment"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["region"], body["sectors"], body["verified"]) == (
        "assam-bamboo-works",
        "IN-AS",
        ["bamboo"],
        False,
    )
    org = Organisation.objects.get(pk=body["id"])
    assert org.affiliations.get().user == user


def test_organisation_create_bad_input_is_400_with_field_errors_and_creates_nothing():
    response = client_for(UserFactory()).post(
        "/api/v1/organisations/",
        {
            "name": "",
            "country": "FR",
            "region": "XX-00",
            "sectors": ["warp-drives"],
            "founded_year": 1200,
            "website": "not a url",
        },
    )
    assert response.status_code == 400
    assert set(response.json()) == {
        "name",
        "country",
        "region",
        "sectors",
        "founded_year",
        "website",
    }
    assert Organisation.objects.count() == 0


def test_organisation_create_region_in_other_country_is_400():
    response = client_for(UserFactory()).post(
        "/api/v1/organisations/", {"name": "Mismatch", "country": "JP", "region": "IN-GJ"}
    )
    assert response.status_code == 400
    assert response.json() == {"region": ["The region must be in the organisation's country."]}


def test_organisation_update_by_admin_and_refused_for_foreign_member():
    admin = member()
    org = admin.affiliations.get().organisation
    foreign = member()
    response = client_for(foreign).patch(f"/api/v1/organisations/{org.pk}/", {"name": "Mine now"})
    assert response.status_code == 403
    response = client_for(admin).patch(
        f"/api/v1/organisations/{org.pk}/", {"name": "Better name", "sectors": ["tea"]}
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, list(org.sectors.values_list("slug", flat=True))) == ("Better name", ["tea"])


def test_organisation_representative_cannot_update():
    rep = member(role="representative")
    org = rep.affiliations.get().organisation
    assert (
        client_for(rep).patch(f"/api/v1/organisations/{org.pk}/", {"name": "x"}).status_code == 403
    )


def test_organisation_verified_cannot_be_set_by_client():
    admin = member()
    org = admin.affiliations.get().organisation
    client_for(admin).patch(f"/api/v1/organisations/{org.pk}/", {"verified": True})
    org.refresh_from_db()
    assert org.verified is False


def test_organisation_unknown_is_404():
    assert client_for(member()).get("/api/v1/organisations/999999/").status_code == 404


def test_organisation_filters_and_search():
    forum = PlatformFactory(slug="sme-forum")
    tea = Sector.objects.get(slug="tea")
    assam = OrganisationFactory(name="Assam Tea Estates", country="IN")
    assam.region_id = assam.region.__class__.objects.get(code="IN-AS").pk
    assam.save()
    assam.sectors.add(tea)
    MembershipFactory(organisation=assam, platform=forum, status=Membership.Status.APPROVED)
    OrganisationFactory(name="Osaka Dies", country="JP", kind="mid_sized", employees=400)
    client = client_for(member())

    def names(query):
        return sorted(
            o["name"] for o in client.get(f"/api/v1/organisations/?{query}").json()["results"]
        )

    assert names("sector=tea") == ["Assam Tea Estates"]
    assert names("north_east=true") == ["Assam Tea Estates"]
    assert names("platform=sme-forum") == ["Assam Tea Estates"]
    assert names("country=JP&kind=mid_sized&min_employees=300") == ["Osaka Dies"]
    assert names("search=dies") == ["Osaka Dies"]
    assert names("region=IN-AS") == ["Assam Tea Estates"]
    assert client.get("/api/v1/organisations/?country=FR").status_code == 400


@pytest.mark.parametrize("rows", [1, 40])
def test_organisation_list_query_count_is_constant(rows, django_assert_num_queries):
    for _ in range(rows):
        org = OrganisationFactory()
        org.sectors.add(*Sector.objects.all()[:3])
    client = client_for(StaffFactory())
    # count, page, sectors, offers, seeks (session auth is forced: no auth queries)
    with django_assert_num_queries(5):
        response = client.get("/api/v1/organisations/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_membership_list_query_count_is_constant(rows, django_assert_num_queries):
    for _ in range(rows):
        MembershipFactory()
    client = client_for(StaffFactory())
    with django_assert_num_queries(2):
        response = client.get("/api/v1/memberships/")
    assert response.json()["count"] == rows


def test_platforms_list():
    PlatformFactory(slug="startup-hub", name="India–Japan Startup Hub")
    response = client_for(member()).get("/api/v1/platforms/")
    assert [p["slug"] for p in response.json()] == ["startup-hub"]
    assert client_for(member()).get("/api/v1/platforms/startup-hub/").status_code == 200


def test_membership_apply_list_approve_flow(mailbox, on_commit):
    admin = member(email="md@gujarat-sme.example")
    org = admin.affiliations.get().organisation
    PlatformFactory(slug="business-council", name="India–Japan SME Business Council")
    client = client_for(admin)
    response = client.post(
        "/api/v1/memberships/",
        {
            "organisation": org.pk,
            "platform": "business-council",
            "application_note": "We make EV parts",
        },
    )
    assert response.status_code == 201, response.json()
    membership_id = response.json()["id"]
    assert response.json()["status"] == "applied"
    assert [m["id"] for m in client.get("/api/v1/memberships/").json()["results"]] == [
        membership_id
    ]
    # The applicant cannot approve itself.
    assert client.post(f"/api/v1/memberships/{membership_id}/approve/").status_code == 403
    staff = client_for(StaffFactory())
    with on_commit():
        response = staff.post(
            f"/api/v1/memberships/{membership_id}/approve/", {"reason": "Welcome"}
        )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    [mail] = mailbox.to("md@gujarat-sme.example")
    assert mail["Subject"] == "Welcome to India–Japan SME Business Council"
    # Deciding again is a clear 400.
    response = staff.post(f"/api/v1/memberships/{membership_id}/reject/", {"reason": "no"})
    assert response.status_code == 400
    assert response.json() == {
        "status": ["This membership is approved; it cannot become rejected."]
    }


def test_membership_reject_without_reason_is_400():
    membership = MembershipFactory()
    response = client_for(StaffFactory()).post(f"/api/v1/memberships/{membership.pk}/reject/", {})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the applicant a reason for the rejection."]}
    membership.refresh_from_db()
    assert membership.status == "applied"


def test_membership_foreign_member_cannot_see_or_apply_for_other_organisation():
    applicant = member()
    membership = MembershipFactory(organisation=applicant.affiliations.get().organisation)
    foreign = member()
    client = client_for(foreign)
    assert client.get("/api/v1/memberships/").json()["count"] == 0
    assert client.get(f"/api/v1/memberships/{membership.pk}/").status_code == 404
    assert client.post(f"/api/v1/memberships/{membership.pk}/approve/").status_code == 404
    response = client.post(
        "/api/v1/memberships/",
        {"organisation": membership.organisation_id, "platform": PlatformFactory().slug},
    )
    assert response.status_code == 403
    assert Membership.objects.count() == 1


def test_membership_apply_bad_input_is_400():
    admin = member()
    response = client_for(admin).post(
        "/api/v1/memberships/", {"organisation": 999999, "platform": "nope"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"organisation", "platform"}


def test_malformed_json_is_400_not_500():
    client = client_for(member())
    response = client.generic(
        "POST", "/api/v1/organisations/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_schema_and_docs_are_served():
    client = client_for(None)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/organisations/",
        "/api/v1/memberships/{id}/approve/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    } <= set(paths)
    assert client.get("/api/docs/").status_code == 200


def test_token_endpoint_is_throttled_with_retry_after():
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    original = ScopedRateThrottle.THROTTLE_RATES
    rates = {**original, "auth": "3/min"}
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        client = APIClient()
        codes = [
            client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        response = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
        assert int(response["Retry-After"]) > 0
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
        cache.clear()


@pytest.mark.parametrize("previous", ["rejected", "lapsed"])
def test_membership_rejected_or_lapsed_organisation_applies_again(previous):
    admin = member()
    organisation = admin.affiliations.get().organisation
    membership = MembershipFactory(
        organisation=organisation, status=previous, decision_reason="Incomplete profile"
    )
    response = client_for(admin).post(
        "/api/v1/memberships/",
        {
            "organisation": organisation.pk,
            "platform": membership.platform.slug,
            "application_note": "Profile completed",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == membership.pk
    assert response.json()["status"] == "applied"
    assert response.json()["decision_reason"] == ""
    assert Membership.objects.get().application_note == "Profile completed"


@pytest.mark.parametrize("current", ["applied", "approved", "suspended"])
def test_membership_open_or_approved_cannot_apply_again(current):
    admin = member()
    organisation = admin.affiliations.get().organisation
    membership = MembershipFactory(organisation=organisation, status=current)
    response = client_for(admin).post(
        "/api/v1/memberships/",
        {"organisation": organisation.pk, "platform": membership.platform.slug},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["platform"]
    assert "already has a membership" in response.json()["platform"][0]
    membership.refresh_from_db()
    assert membership.status == current
