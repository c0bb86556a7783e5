"""Every kind of page works under the Content-Security-Policy: the portal, the admin, the
Swagger UI and Redoc load everything from our origin and break no directive."""

import pytest

from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_pages_load_under_the_policy_without_violations(page, live_server):
    page.add_init_script(WATCH)
    outside = []
    # Anything fetched from elsewhere (a request the policy blocks gets no response).
    page.on(
        "response",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto("/")
    assert violations(page) == []
    page.goto("/api/docs/")
    page.wait_for_selector("#swagger-ui .opblock-tag")
    assert violations(page) == []
    page.goto("/api/redoc/")
    page.wait_for_selector("text=Japan–India SME Platform API")
    # Redoc's "API docs by Redocly" badge points at its CDN: the policy blocks it (nothing
    # is fetched from outside); that is the only refusal on the page.
    assert violations(page) == ["img-src https://cdn.redoc.ly/redoc/logo-mini.svg"]
    StaffFactory(username="secretariat", is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.goto("/admin/events/event/add/")
    page.wait_for_selector("#event_form")
    assert violations(page) == []
    page.goto("/account/")  # the admin login is a portal login too
    assert page.inner_text("h1") == "My account"
    assert violations(page) == []
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []


def test_security_headers_on_every_kind_of_response(client):
    for path in ("/", "/api/v1/", "/api/docs/", "/admin/login/"):
        response = client.get(path)
        assert "default-src 'self'" in response["Content-Security-Policy"], path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["X-Frame-Options"] == "DENY", path
