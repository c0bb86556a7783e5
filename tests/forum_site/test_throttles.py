"""Throttles count the client the server saw: a client that rotates X-Forwarded-For does
not escape them (FORUM_TRUSTED_PROXIES is 0 unless proxies are configured)."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_token_endpoint_throttle_holds_when_x_forwarded_for_rotates():
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "asha", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(21)
    ]
    assert codes == [400] * 20 + [429]


def test_login_failures_are_counted_per_account_whatever_the_forwarded_address():
    member(username="asha")
    client = Client()
    for i in range(5):
        response = client.post(
            "/accounts/login/",
            {"login": "asha", "password": f"wrong-{i}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        assert response.status_code == 200
    blocked = client.post(
        "/accounts/login/",
        {"login": "asha", "password": "pass-word-123"},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    # Even the right password waits: too many failed attempts for this account.
    assert blocked.status_code == 200
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_failures_are_counted_per_client_across_accounts():
    for n in range(11):
        member(username=f"p{n}")
    client = Client()
    codes = []
    for n in range(11):
        response = client.post(
            "/accounts/login/",
            {"login": f"p{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        codes.append(response.status_code)
    assert codes == [200] * 11
    assert "Too many failed login attempts. Try again later." in response.content.decode()


def test_invitation_answer_throttle_holds_when_x_forwarded_for_rotates():
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/invitations/accept/",
            {"token": "not-a-token"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(31)
    ]
    assert codes == [404] * 30 + [429]
