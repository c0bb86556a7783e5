"""Refusals and missing pages are pages of the portal, in the reader's language."""

import pytest
from django.db import IntegrityError
from django.test import Client

from events import selectors
from forum_site.locking import Busy
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_portal_page():
    response = Client().get("/events/999999/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<h1 class="h2">見つかりません</h1>' in body
    assert 'class="navbar' in body


def test_a_refusal_says_why_in_the_layout():
    other = OrganisationFactory(name="Kato Precision")
    client = Client()
    client.force_login(member())
    response = client.get(f"/organisations/{other.pk}/edit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<h1 class="h2">Not allowed</h1>' in body
    assert 'class="navbar' in body


def test_a_page_that_cannot_have_its_lock_says_try_again(monkeypatch):
    def busy(user):
        raise Busy("Many people are doing this right now; please try again in a moment.")

    monkeypatch.setattr(selectors, "upcoming_events_for_user", busy)
    response = Client().get("/events/")
    assert (response.status_code, response["Retry-After"]) == (503, "2")
    body = response.content.decode()
    assert '<h1 class="h2">Please try again</h1>' in body
    assert "Many people are doing this right now; please try again in a moment." in body


def test_a_database_error_that_is_a_bug_is_not_answered_try_again(monkeypatch):
    def broken(user):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(selectors, "upcoming_events_for_user", broken)
    with pytest.raises(IntegrityError):
        Client().get("/events/")  # a 500 (the test client re-raises it)
