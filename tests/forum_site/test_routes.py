"""Every API route declares who may use it: an anonymous client is refused everywhere
except on the few routes that are public on purpose (Sentry walks its routes the same way)."""

import pytest
from rest_framework.test import APIClient

from tests.routes import api_routes, concrete

PUBLIC = {
    "/api/v1/",  # the browsable root lists the routes, nothing else
    "/api/v1/auth/token/",  # where anonymous clients log in
    # Published public events are public (the calendar and the public pages show them too);
    # anything else there is filtered out for anonymous clients (tests/events/test_api.py).
    "/api/v1/events/",
    "/api/v1/events/1/",
    "/api/v1/events/1/ics/",
    # The invitee answers with the token from the email, logged in or not.
    "/api/v1/invitations/accept/",
    "/api/v1/invitations/decline/",
}


@pytest.mark.django_db
def test_every_api_route_refuses_anonymous_clients():
    client = APIClient()
    checked = 0
    opened = []
    for route, pattern in api_routes():
        path = concrete(route)
        if path in PUBLIC or "format" in route:
            continue
        view = pattern.callback
        actions = getattr(view, "actions", None) or {}
        methods = [m.upper() for m in actions] or ["GET"]
        for method in methods:
            response = client.generic(method, path)
            if response.status_code not in (401, 403):
                opened.append(f"{method} {path} -> {response.status_code}")
            checked += 1
    assert opened == [], "\n".join(opened)
    assert checked >= 10
