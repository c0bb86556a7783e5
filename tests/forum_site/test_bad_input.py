"""No input, however odd, gets a 500: ids that are not ids, JSON nested a thousand deep,
NUL characters, page numbers past the end of any table. Walked over every API route."""

import re
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.delegations.models import MeetingRequest
from forum_site.i18n import sentence
from forum_site.parsers import MAX_DEPTH
from members.models import Organisation
from tests.factories import EventFactory, StaffFactory, member
from tests.routes import api_routes, concrete, methods
from tests.worlds import accept_and_host, build_world, with_requests

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
            assert status in (301, 302, 400, 404, 405, 410), f"{path} -> {status}"
            checked.append(path)
    assert len(checked) >= 30


# --- Lax input made strict (forum_site/fields.py) ---------------------------------------


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


NOT_A_LIST = ['Expected a list of items but got type "dict".']


@pytest.mark.django_db
def test_an_object_is_not_an_empty_list_of_sectors_offers_or_seeks():
    client = token_client(member())
    for field in ("sectors", "offers", "seeks"):
        response = client.post(
            "/api/v1/organisations/", {"name": "Kaveri", "country": "IN", field: {}}, format="json"
        )
        assert (response.status_code, response.json()) == (400, {field: NOT_A_LIST})
    assert not Organisation.objects.filter(name="Kaveri").exists()


@pytest.mark.django_db
def test_an_object_is_not_an_empty_list_of_people_or_organisations_to_invite():
    event = EventFactory()
    client = token_client(StaffFactory())
    for field in ("users", "organisations"):
        response = client.post(
            f"/api/v1/events/{event.pk}/invitations/", {field: {}}, format="json"
        )
        assert (response.status_code, response.json()) == (400, {field: NOT_A_LIST})
    assert event.invitations.count() == 0


@pytest.mark.django_db
def test_a_fraction_or_a_boolean_is_not_an_id():
    person = member()
    own = person.affiliations.get().organisation
    event = EventFactory()
    client = token_client(person)
    for value, kind in ((1.5, "float"), (float(own.pk), "float"), (True, "bool"), ({}, "dict")):
        response = client.post(
            f"/api/v1/events/{event.pk}/register/", {"organisation": value}, format="json"
        )
        assert (response.status_code, response.json()) == (
            400,
            {"organisation": [f"Incorrect type. Expected pk value, received {kind}."]},
        )
    too_big = client.post(
        f"/api/v1/events/{event.pk}/register/", {"organisation": 2**63}, format="json"
    )
    assert too_big.json() == {"organisation": [f'Invalid pk "{2**63}" - object does not exist.']}
    assert event.registrations.count() == 0


@pytest.mark.django_db
def test_a_pinned_day_of_one_and_a_half_is_refused():
    w = with_requests(accept_and_host(build_world()))
    request = MeetingRequest.objects.get(from_organisation=w.mori)
    response = token_client(w.staff).post(
        f"/api/v1/delegation-requests/{request.pk}/pin/",
        {"day": w.day1.pk + 0.5, "start": "11:00"},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"day": ["Incorrect type. Expected pk value, received float."]},
    )
    request.refresh_from_db()
    assert request.pinned_day_id is None


@pytest.mark.django_db
def test_a_time_limit_must_be_a_number_a_scheduler_can_use():
    w = build_world()
    url = f"/api/v1/delegations/{w.delegation.pk}/schedules/"
    client = token_client(w.staff)
    for value, message in (
        (True, "A valid number is required."),
        ("soon", "A valid number is required."),
        (2**63, "Ensure this value is less than or equal to 86400."),
        (0.1, "Ensure this value is greater than or equal to 0.5."),
    ):
        response = client.post(url, {"time_limit": value}, format="json")
        assert (response.status_code, response.json()) == (400, {"time_limit": [message]})
    assert w.delegation.schedule_versions.count() == 0


@pytest.mark.django_db
def test_a_name_that_ends_with_a_full_stop_ends_the_message_once():
    w = build_world()
    w.sneha.name = "Sneha Farms Pvt. Ltd."
    w.sneha.save(update_fields=["name"])
    response = token_client(w.staff).post(
        f"/api/v1/delegations/{w.delegation.pk}/hosts/",
        {"organisation": w.sneha.pk, "representatives": [w.ravi.pk]},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"representatives": ["ravi does not represent Sneha Farms Pvt. Ltd."]},
    )


def test_sentence_keeps_one_full_stop_and_an_ellipsis():
    message = "%(person)s does not represent %(organisation)s."
    assert sentence(message, {"person": "Ravi", "organisation": "Kato Ltd."}) == (
        "Ravi does not represent Kato Ltd."
    )
    assert sentence(message, {"person": "Ravi", "organisation": "Kato"}) == (
        "Ravi does not represent Kato."
    )
    assert (
        sentence(message, {"person": "Ravi", "organisation": "Kato..."})
        == ("Ravi does not represent Kato...."[:-1])
    )


LENIENT = re.compile(
    r"serializers\.(IntegerField|FloatField|TimeField|PrimaryKeyRelatedField|SlugRelatedField"
    r"|ManyRelatedField|ModelSerializer)\b"
)


def test_every_api_serializer_takes_the_strict_fields():
    root = Path(__file__).resolve().parents[2]
    modules = [p for p in root.glob("*/**/api/*.py") if ".venv" not in p.parts]
    assert len([p for p in modules if p.name == "serializers.py"]) == 5
    lenient = [
        f"{path.relative_to(root)}:{number}"
        for path in modules
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LENIENT.search(line)
    ]
    assert lenient == []


@pytest.mark.django_db
def test_too_many_form_fields_is_a_json_400_on_the_api_and_a_page_elsewhere(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = token_client(StaffFactory())
    fields = "&".join(f"applications={n}" for n in range(20))
    for method in ("post", "patch"):
        response = getattr(client, method)(
            "/api/v1/delegation-applications/decide/",
            fields,
            content_type="application/x-www-form-urlencoded",
        )
        assert response["Content-Type"] == "application/json", method
        assert response.status_code in {400, 405}
    refused = client.post(
        "/api/v1/delegation-applications/decide/",
        fields,
        content_type="application/x-www-form-urlencoded",
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "detail": "The number of GET/POST parameters exceeded "
            "settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        },
    )
    page = client.post("/accounts/login/", fields, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404():
    response = APIClient().get("/api/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert APIClient().get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_body_past_the_upload_limit_is_a_json_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = token_client(member()).post(
        "/api/v1/organisations/", {"name": "K" * 2000, "country": "IN"}, format="json"
    )
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {
        "detail": "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
    }
