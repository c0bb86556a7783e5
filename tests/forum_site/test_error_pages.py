"""Refusals and missing pages are pages of the portal, in the reader's language."""

import pytest
from django.test import Client

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
