"""Accounts (django-allauth) as members use them: throttled failed logins, sign-up with a
confirmed address, and an invitation accepted when its address is confirmed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from members.models import Affiliation
from members.services import representative_invite
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."


@pytest.fixture(autouse=True)
def fresh_throttles():
    """allauth counts failed logins in the cache (Redis in CI), which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def log_in(client: Client, login: str, password: str):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_sixth_wrong_password_for_one_account_is_refused_with_a_clear_message():
    UserFactory(username="asha", email="asha@example.com")
    for attempt, login in enumerate(
        ["asha", "ASHA", "asha@example.com", "asha", "Asha@Example.com"]
    ):
        # From different clients, by username or by email: the limit is the account's.
        client = Client(REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        response = log_in(client, login, "wrong-password")
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()
    sixth = log_in(Client(REMOTE_ADDR="10.0.0.9"), "asha", "wrong-password")
    assert TOO_MANY in sixth.content.decode()
    # Even the right password waits until the window has passed.
    right = log_in(Client(REMOTE_ADDR="10.0.0.10"), "asha", "pass-word-123")
    assert TOO_MANY in right.content.decode()
    assert "_auth_user_id" not in right.wsgi_request.session
    # Another account is not affected.
    UserFactory(username="ravi")
    assert log_in(Client(REMOTE_ADDR="10.0.0.11"), "ravi", "pass-word-123").status_code == 302


def test_eleventh_failed_login_from_one_client_is_refused():
    client = Client(REMOTE_ADDR="192.0.2.7")
    for n in range(10):
        response = log_in(client, f"nobody{n}", "wrong-password")
        assert TOO_MANY not in response.content.decode()
    assert TOO_MANY in log_in(client, "nobody-else", "wrong-password").content.decode()


def test_signup_bad_input_is_a_field_error_and_saves_nothing(mailbox):
    UserFactory(username="taken", email="taken@example.com")
    response = Client().post(
        "/accounts/signup/",
        {"email": "taken@example.com", "username": "", "password1": "short", "password2": "x"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    for field in ("username", "password1"):
        assert f'id="id_{field}_errors"' in body, field
    assert 'aria-invalid="true"' in body
    assert get_user_model().objects.count() == 1
    assert mailbox.messages == []


def test_signing_up_with_an_invited_address_makes_a_representative(on_commit, mailbox):
    admin = member()
    organisation = admin.affiliations.get().organisation
    with on_commit():
        representative_invite(actor=admin, organisation=organisation, email="new@example.com")
    mailbox.wait_for(1)
    mailbox.clear()
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "username": "newcomer",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    newcomer = get_user_model().objects.get(username="newcomer")
    assert not Affiliation.objects.filter(user=newcomer).exists()
    [mail] = mailbox.wait_for(1)
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailbox.text(mail)).group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    client.post(path)
    affiliation = Affiliation.objects.get(user=newcomer)
    assert (affiliation.organisation, affiliation.role) == (organisation, "representative")
