"""Member pages: my account, the directory (the API's filters), an organisation's profile,
partner matches. Query counts are the same literal for one row and for many."""

import html
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from members.matchmaking import partner_matches
from members.models import Capability, Region, Sector
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    member,
)

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def found_ids(response) -> list[int]:
    return [o.pk for o in response.context["page"].object_list]


# --- My account -------------------------------------------------------------------------


@pytest.mark.parametrize("organisations", [1, 6])
def test_account_links_each_organisation_in_constant_queries(
    organisations, django_assert_num_queries
):
    person = member()
    for _ in range(organisations - 1):
        AffiliationFactory(user=person, role="representative")
    client = logged_in(person)
    with django_assert_num_queries(5):
        response = client.get("/account/")
    body = response.content.decode()
    for affiliation in person.affiliations.all():
        assert f'href="/organisations/{affiliation.organisation_id}/"' in body
    assert 'href="/organisations/new/"' in body
    # My registrations and my calendar feed live on the events pages; the account links there.
    assert 'href="/account/events/"' in body
    assert 'href="/account/events/#feed-title"' in body


def test_account_profile_bad_time_zone_is_a_field_error_and_saves_nothing():
    person = member(profile__time_zone="Asia/Tokyo")
    response = logged_in(person).post(
        "/account/", {"language": "en", "time_zone": "Mars/Olympus", "job_title": "CEO"}
    )
    assert response.status_code == 200
    assert 'id="id_time_zone_errors"' in response.content.decode()
    person.profile.refresh_from_db()
    assert (person.profile.time_zone, person.profile.job_title) == ("Asia/Tokyo", "")


# --- Directory ------------------------------------------------------------------------


def test_directory_needs_an_account_like_the_api():
    response = Client().get("/directory/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.fixture
def directory():
    """Six organisations across India and Japan with tags, regions and a platform."""
    council = PlatformFactory(slug="business-council")
    tea = Sector.objects.get(slug="tea")
    auto = Sector.objects.get(slug="robotics")
    tech = Capability.objects.get(slug="technology-transfer")
    jv = Capability.objects.get(slug="joint-venture")
    assam = Region.objects.get(code="IN-AS")
    gujarat = Region.objects.get(code="IN-GJ")
    osaka = Region.objects.get(code="JP-27")
    rows = [
        ("Sneha Tea", "IN", "sme", assam, 120, True, [tea], [jv], [tech]),
        ("Gujarat Gears", "IN", "mid_sized", gujarat, 900, False, [auto], [tech], [jv]),
        ("Assam Startups", "IN", "startup", assam, 8, False, [tea, auto], [], [tech]),
        ("Kato Robotics", "JP", "sme", osaka, 45, True, [auto], [tech], [jv]),
        ("Mori Tea Machines", "JP", "sme", osaka, 60, False, [tea], [tech], []),
        ("Osaka Chamber", "JP", "industry_body", osaka, None, True, [], [], []),
    ]
    made = {}
    for name, country, kind, region, staff, verified, sectors, offers, seeks in rows:
        o = OrganisationFactory(
            name=name, country=country, kind=kind, region=region, employees=staff, verified=verified
        )
        o.sectors.set(sectors)
        o.offers.set(offers)
        o.seeks.set(seeks)
        made[name] = o
    MembershipFactory(organisation=made["Kato Robotics"], platform=council, status="approved")
    MembershipFactory(organisation=made["Mori Tea Machines"], platform=council, status="applied")
    return made


QUERIES = [
    "country=JP",
    "kind=sme",
    "sector=tea",
    "region=IN-AS",
    "north_east=true",
    "offers=technology-transfer",
    "seeks=joint-venture",
    "min_employees=50&max_employees=500",
    "verified=true",
    "platform=business-council",
    "search=tea",
    "country=IN&sector=robotics&search=gears",
    "",
]


@pytest.mark.parametrize("query", QUERIES)
def test_directory_finds_what_the_api_finds(directory, query):
    person = member()
    page = logged_in(person).get(f"/directory/?{query}")
    api = APIClient()
    api.force_authenticate(person)
    expected = [row["id"] for row in api.get(f"/api/v1/organisations/?{query}").json()["results"]]
    assert found_ids(page) == expected
    assert page.context["page"].paginator.count == len(expected)


def test_directory_filters_narrow_the_list(directory):
    client = logged_in(member())
    names = lambda q: [o.name for o in client.get(f"/directory/?{q}").context["page"]]  # noqa: E731
    assert names("country=JP&offers=technology-transfer") == ["Kato Robotics", "Mori Tea Machines"]
    assert names("north_east=true") == ["Assam Startups", "Sneha Tea"]
    assert names("platform=business-council") == ["Kato Robotics"]


def test_directory_bad_filter_is_a_field_error_and_lists_nothing(directory):
    response = logged_in(member()).get("/directory/?min_employees=many&country=XX")
    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert 'id="id_min_employees_errors"' in body
    assert 'id="id_country_errors"' in body
    assert 'aria-invalid="true"' in body


def test_directory_paginates_and_keeps_the_filters():
    for n in range(45):
        OrganisationFactory(name=f"Org {n:02}", country="JP")
    client = logged_in(member())
    first = client.get("/directory/?country=JP")
    assert len(first.context["page"].object_list) == 20
    assert 'href="?country=JP&amp;page=2"' in first.content.decode()
    last = client.get("/directory/?country=JP&page=3")
    assert [o.name for o in last.context["page"]] == [f"Org {n}" for n in range(40, 45)]
    assert "Page 3 of 3" in text(last)
    # A page past the end shows the last one rather than an error.
    assert client.get("/directory/?country=JP&page=99").context["page"].number == 3


@pytest.mark.parametrize("rows", [1, 25])
def test_directory_query_count_is_constant(rows, django_assert_num_queries):
    for _ in range(rows):
        o = OrganisationFactory(country="JP")
        o.sectors.set(Sector.objects.all()[:3])
    client = logged_in(member())
    with django_assert_num_queries(13):
        response = client.get("/directory/?country=JP")
    assert response.status_code == 200


# --- An organisation's profile ------------------------------------------------------------


def test_profile_in_the_readers_language():
    organisation = OrganisationFactory(
        name="Kato Precision",
        name_ja="加藤精密",
        description="Precision parts.",
        description_ja="精密部品。",
        country="JP",
    )
    organisation.sectors.add(Sector.objects.get(slug="tea"))
    client = logged_in(member(profile__language="en"))
    english = text(client.get(f"/organisations/{organisation.pk}/"))
    assert "Kato Precision" in english and "Precision parts." in english
    assert "Tea" in english
    japanese_reader = logged_in(member(profile__language="ja"))
    japanese = text(japanese_reader.get(f"/organisations/{organisation.pk}/"))
    assert "加藤精密" in japanese and "精密部品。" in japanese
    assert "Precision parts." not in japanese
    assert Sector.objects.get(slug="tea").name_ja in japanese


def test_profile_unknown_organisation_is_404():
    assert logged_in(member()).get("/organisations/999999/").status_code == 404


@pytest.mark.parametrize("platforms", [1, 3])
def test_profile_query_count_is_constant(platforms, django_assert_num_queries):
    organisation = OrganisationFactory()
    organisation.sectors.set(Sector.objects.all()[:platforms])
    for _ in range(platforms):
        MembershipFactory(organisation=organisation, status="approved")
    client = logged_in(member())
    with django_assert_num_queries(9):
        response = client.get(f"/organisations/{organisation.pk}/")
    assert len(response.context["organisation"].approved_memberships) == platforms


def test_profile_shows_management_links_to_its_admins_only():
    admin = member()
    organisation = admin.affiliations.get().organisation
    own = logged_in(admin).get(f"/organisations/{organisation.pk}/").content.decode()
    assert f'href="/organisations/{organisation.pk}/edit/"' in own
    assert f'href="/organisations/{organisation.pk}/representatives/"' in own
    other = logged_in(member()).get(f"/organisations/{organisation.pk}/").content.decode()
    assert "/edit/" not in other and "/representatives/" not in other


# --- Partner matches ------------------------------------------------------------------------


def test_matches_for_a_member_organisation_with_the_reasons(directory):
    asha = member(organisation=directory["Sneha Tea"], role="representative")
    MembershipFactory(organisation=directory["Sneha Tea"], status="approved")
    response = logged_in(asha).get(f"/organisations/{directory['Sneha Tea'].pk}/matches/")
    assert response.status_code == 200
    shown = [row["match"].organisation.pk for row in response.context["matches"]]
    expected = [m.organisation.pk for m in partner_matches(organisation=directory["Sneha Tea"])]
    assert shown == expected == [directory["Kato Robotics"].pk, directory["Mori Tea Machines"].pk]
    body = text(response)
    assert "They offer what you seek: Technology transfer" in body
    assert "They seek what you offer: Joint venture" in body
    assert "Shared sectors: Tea" in body
    assert "Message" in body  # the inbox: a Message button on each match


def test_matches_are_for_member_organisations(directory):
    asha = member(organisation=directory["Sneha Tea"])
    response = logged_in(asha).get(f"/organisations/{directory['Sneha Tea'].pk}/matches/")
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert "open to member organisations" in text(response)


def test_matches_are_for_the_organisations_people_only(directory):
    outsider = member()
    response = logged_in(outsider).get(f"/organisations/{directory['Sneha Tea'].pk}/matches/")
    assert response.status_code == 403


def test_message_button_links_to_the_inbox(directory):
    asha = member(organisation=directory["Sneha Tea"])
    MembershipFactory(organisation=directory["Sneha Tea"], status="approved")
    body = logged_in(asha).get(f"/organisations/{directory['Sneha Tea'].pk}/matches/")
    kato = directory["Kato Robotics"].pk
    assert f'href="/messages/compose/?organisation={kato}"' in body.content.decode()
    profile = logged_in(asha).get(f"/organisations/{kato}/").content.decode()
    assert f'href="/messages/compose/?organisation={kato}"' in profile


@pytest.mark.parametrize("matches", [1, 8])
def test_matches_query_count_is_constant(matches, django_assert_num_queries):
    tea = Sector.objects.get(slug="tea")
    asha = member(platform=PlatformFactory())
    organisation = asha.affiliations.get().organisation
    organisation.sectors.add(tea)
    for _ in range(matches):
        OrganisationFactory(country="JP").sectors.add(tea)
    client = logged_in(asha)
    with django_assert_num_queries(19):
        response = client.get(f"/organisations/{organisation.pk}/matches/")
    assert len(response.context["matches"]) == matches


def test_directory_offers_partner_matches_to_people_of_an_organisation():
    asha = member()
    organisation = asha.affiliations.get().organisation
    body = logged_in(asha).get("/directory/").content.decode()
    assert f'href="/organisations/{organisation.pk}/matches/"' in body


def test_account_time_zone_select_keeps_the_choice_and_its_attributes():
    person = member(profile__time_zone="Asia/Tokyo")
    body = logged_in(person).get("/account/").content.decode()
    assert '<option value="Asia/Tokyo" selected>Asia/Tokyo</option>' in body
    assert (
        '<select name="time_zone" aria-describedby="id_time_zone_help" class="form-select"' in body
    )


def test_directory_choice_filters_offer_any_instead_of_dashes():
    body = logged_in(member()).get("/directory/?kind=sme").content.decode()
    assert "---------" not in body
    assert '<option value="sme" selected>SME</option>' in body
