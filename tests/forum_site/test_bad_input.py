"""No input, however odd, gets a 500: ids that are not ids, JSON nested a thousand deep,
NUL characters, page numbers past the end of any table. Walked over every API route."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forum_site.parsers import MAX_DEPTH
from tests.factories import StaffFactory, member
from tests.routes import api_routes, concrete, methods

NOT_IDS = ["abc", "1.5", "9" * 25, "-1", "%C2%B2"]
UNSTORABLE = {"search": ["Text may not contain the NUL character or unpaired surrogates."]}


def clients():
    anonymous = APIClient()
    person = APIClient()
    person.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member()).key}")
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=StaffFactory()).key}")
    return {"anonymous": anonymous, "member": person, "staff": staff}


def routes_with_ids():
    for route, pattern in api_routes():
        if "(?P<" in route.replace("(?P<format>", "") and "format" not in route:
            yield route, pattern


@pytest.mark.django_db
def test_a_non_id_in_any_id_place_is_a_404_for_everyone():
    failures, checked = [], 0
    for who, client in clients().items():
        for route, pattern in routes_with_ids():
            for value in NOT_IDS:
                path = concrete(route, value)
                # A slug route (platforms) takes "abc": then it must only not fail.
                takes_it = pattern.pattern.regex.match(path.lstrip("/")[len("api/v1/") :])
                for method in methods(pattern):
                    response = client.generic(method, path)
                    checked += 1
                    wrong = response.status_code >= 500 if takes_it else response.status_code != 404
                    if wrong:
                        failures.append(f"{who} {method} {path} -> {response.status_code}")
    assert failures == []
    assert checked > 300


@pytest.mark.django_db
def test_json_nested_a_thousand_deep_is_a_400_everywhere():
    body = "[" * 1000 + "]" * 1000
    failures = []
    for who, client in clients().items():
        for route, pattern in api_routes():
            if "format" in route:
                continue
            for method in set(methods(pattern)) & {"POST", "PUT", "PATCH"}:
                response = client.generic(
                    method, concrete(route), body, content_type="application/json"
                )
                if response.status_code >= 500:
                    failures.append(f"{who} {method} {route} -> {response.status_code}")
    assert failures == []
    refused = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert (refused.status_code, refused.json()) == (
        400,
        {"detail": f"JSON nested deeper than {MAX_DEPTH} levels is not accepted."},
    )


@pytest.mark.django_db
def test_nul_in_a_body_field_is_a_400_naming_the_field():
    client = clients()["member"]
    response = client.post(
        "/api/v1/memberships/",
        '{"platform": "\\u0000", "organisation": 1}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "platform": ["Text may not contain the NUL character or unpaired surrogates."]
    }
    nested = client.post(
        "/api/v1/organisations/",
        '{"name": "Kaveri", "country": "IN", "sectors": ["tea", "\\u0000"]}',
        content_type="application/json",
    )
    assert nested.json() == {
        "sectors.1": ["Text may not contain the NUL character or unpaired surrogates."]
    }


@pytest.mark.django_db
def test_nul_in_a_query_or_a_path_is_a_400_not_a_500():
    client = clients()["member"]
    response = client.get("/api/v1/events/?search=%00")
    assert (response.status_code, response.json()) == (400, UNSTORABLE)
    assert client.get("/api/v1/organisations/?search=%00").status_code == 400
    assert client.get("/calendar/%00.ics").status_code == 400
    assert client.get("/api/v1/platforms/%00/").status_code == 400


@pytest.mark.django_db
def test_a_page_number_past_any_table_is_a_404_on_every_list():
    failures = []
    staff = clients()["staff"]
    for route, pattern in api_routes():
        if "(?P<" in route or "GET" not in methods(pattern) or "format" in route:
            continue
        for page in ("100000000000000000000", "0", "abc"):
            response = staff.get(concrete(route), {"page": page})
            if response.status_code >= 500:
                failures.append(f"{route}?page={page} -> {response.status_code}")
    assert failures == []
    events = staff.get("/api/v1/events/", {"page": "100000000000000000000"})
    assert (events.status_code, events.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.django_db
def test_pages_answer_404_for_ids_that_are_not_ids():
    client = APIClient()
    for path in ("/events/abc/", f"/events/{'9' * 25}/", "/events/1.5.ics"):
        assert client.get(path).status_code == 404, path


def page_routes(resolver=None, prefix=""):
    """Every portal route (not the API, the admin or allauth) with a parameter in it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("api/", "admin/", "accounts/")):
            continue
        if isinstance(entry, URLResolver):
            yield from page_routes(entry, route)
        elif isinstance(entry, URLPattern) and "<" in route:
            yield route


@pytest.mark.django_db
def test_no_page_route_fails_on_an_id_a_database_cannot_hold(settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True  # a 500 would raise here instead of hiding
    staff = APIClient()
    staff.force_login(StaffFactory(is_superuser=True))
    checked = []
    for route in page_routes():
        for value in NOT_IDS[:3]:
            path = concrete(route, value)
            status = staff.get(path).status_code
            assert status in (301, 302, 400, 404, 410), f"{path} -> {status}"
            checked.append(path)
    assert len(checked) >= 30
