import pytest
from rest_framework.test import APIClient

from members.models import Capability, Membership, Sector
from tests.factories import MembershipFactory, OrganisationFactory, PlatformFactory, member

pytestmark = pytest.mark.django_db


def caps(*slugs):
    return Capability.objects.filter(slug__in=slugs)


def test_matches_rank_complementary_partners_of_the_other_country():
    indian = OrganisationFactory(name="Sneha Farms", country="IN")
    indian.seeks.set(caps("investment", "technology-transfer"))
    indian.offers.set(caps("contract-manufacturing"))
    indian.sectors.set(Sector.objects.filter(slug="poultry"))

    investor = OrganisationFactory(name="Mitsui", country="JP", verified=True)
    investor.offers.set(caps("investment", "technology-transfer"))
    investor.sectors.set(Sector.objects.filter(slug="poultry"))
    buyer = OrganisationFactory(name="Kato Foods", country="JP")
    buyer.seeks.set(caps("contract-manufacturing"))
    OrganisationFactory(name="Unrelated KK", country="JP")  # nothing in common
    same_country = OrganisationFactory(name="Other Indian", country="IN")
    same_country.offers.set(caps("investment"))

    client = APIClient()
    client.force_authenticate(member(organisation=indian, platform=PlatformFactory()))
    response = client.get(f"/api/v1/organisations/{indian.pk}/matches/")
    assert response.status_code == 200
    body = response.json()
    assert [(m["organisation"]["name"], m["score"]) for m in body] == [
        ("Mitsui", 3 * 2 + 2 + 1),
        ("Kato Foods", 3),
    ]
    assert body[0]["they_offer_what_you_seek"] == ["investment", "technology-transfer"]
    assert body[0]["shared_sectors"] == ["poultry"]
    assert body[1]["they_seek_what_you_offer"] == ["contract-manufacturing"]


def test_matches_count_shared_platform():
    platform = PlatformFactory()
    me = OrganisationFactory(country="JP")
    me.sectors.set(Sector.objects.filter(slug="tea"))
    a = OrganisationFactory(name="A", country="IN")
    b = OrganisationFactory(name="B", country="IN")
    for org in (a, b):
        org.sectors.set(Sector.objects.filter(slug="tea"))
    for org in (me, b):
        MembershipFactory(organisation=org, platform=platform, status=Membership.Status.APPROVED)
    client = APIClient()
    client.force_authenticate(member(organisation=me))
    body = client.get(f"/api/v1/organisations/{me.pk}/matches/").json()
    assert [(m["organisation"]["name"], m["score"]) for m in body] == [("B", 3), ("A", 2)]


@pytest.mark.parametrize("rows", [1, 25])
def test_matches_query_count_is_constant(rows, django_assert_num_queries):
    me = OrganisationFactory(country="IN")
    me.sectors.set(Sector.objects.filter(slug="bamboo"))
    for _ in range(rows):
        other = OrganisationFactory(country="JP")
        other.sectors.set(Sector.objects.filter(slug__in=["bamboo", "tea"]))
        other.offers.set(caps("investment"))
    client = APIClient()
    client.force_authenticate(member(organisation=me, platform=PlatformFactory()))
    # organisation, the person's organisations, membership, its seeks/offers/sectors, its
    # platforms, ranking, 3 prefetches
    with django_assert_num_queries(11):
        response = client.get(f"/api/v1/organisations/{me.pk}/matches/?limit=50")
    assert len(response.json()) == rows


def test_matches_bad_limit_is_400_and_unknown_is_404():
    org = OrganisationFactory()
    client = APIClient()
    client.force_authenticate(member(organisation=org, platform=PlatformFactory()))
    assert client.get(f"/api/v1/organisations/{org.pk}/matches/?limit=0").json() == {
        "limit": ["Ensure this value is greater than or equal to 1."]
    }
    assert client.get("/api/v1/organisations/999999/matches/").status_code == 404


def test_matches_are_for_the_organisations_own_people_once_it_is_a_member():
    org = OrganisationFactory(country="IN")
    outsider, insider = APIClient(), APIClient()
    outsider.force_authenticate(member())
    insider.force_authenticate(member(organisation=org))
    url = f"/api/v1/organisations/{org.pk}/matches/"
    assert outsider.get(url).json() == {"detail": f"You are not a representative of {org}."}
    refused = insider.get(url)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Partner matches are open to member organisations. Once a platform has approved "
        "your membership, your best counterparts across India and Japan are listed here.",
    )
    MembershipFactory(organisation=org, platform=PlatformFactory(), status="approved")
    assert insider.get(url).status_code == 200
