"""People and helpers shared by the messaging tests.

Asha (Sneha Farms) and Kenji (Mitsui) represent approved member organisations of the
forum; `outsider` represents another one and takes part in nothing.
"""

import pytest
from rest_framework.test import APIClient

from members.messaging import services
from members.messaging.models import Conversation
from members.models import Affiliation
from tests.factories import PlatformFactory, member


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.MESSAGING_RATE = "100000/min"


@pytest.fixture
def platform():
    return PlatformFactory(slug="sme-forum")


@pytest.fixture
def asha(platform):
    return member(
        platform=platform,
        username="asha",
        first_name="Asha",
        last_name="Reddy",
        email="asha@sneha.example",
    )


@pytest.fixture
def kenji(platform):
    return member(
        platform=platform,
        username="kenji",
        first_name="Kenji",
        last_name="Sato",
        email="kenji@mitsui.example",
    )


@pytest.fixture
def outsider(platform):
    """A member of another (approved) organisation who takes part in nothing."""
    return member(platform=platform, username="outsider", email="out@elsewhere.example")


@pytest.fixture
def client_for():
    """`client_for(user)`: an API client logged in as `user`."""

    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def start():
    """`start(actor, *recipients, **kwargs)`: a conversation started through the service."""

    def start(actor, *recipients, subject="Follow-up", body="Hello", **kwargs) -> Conversation:
        return services.conversation_start(
            actor=actor,
            subject=subject,
            body=body,
            recipient_ids=[r.pk for r in recipients],
            **kwargs,
        )

    return start


@pytest.fixture
def org_of():
    """`org_of(user)`: the organisation the person represents."""
    return lambda user: Affiliation.objects.get(user=user).organisation
