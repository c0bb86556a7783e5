"""The delegation scenes every delegation test module starts from (tests/worlds.py)."""

import pytest
from django.apps import apps
from django.test import Client

from events.delegations import services
from members.reference_data import seed
from tests.worlds import accept_and_host, build_world, with_requests


@pytest.fixture
def world(db):
    """Two Japanese applicants, two Indian hosts, nothing decided yet."""
    return build_world()


@pytest.fixture
def ready(world):
    """Both applicants accepted, both hosts added, meeting requests made."""
    return with_requests(accept_and_host(world))


@pytest.fixture
def published(ready, on_commit):
    """`ready` with version 1 of the schedule solved and published (emails sent)."""
    with on_commit():
        version = services.schedule_run(
            actor=ready.staff, delegation=ready.delegation, time_limit=5
        )
    version.refresh_from_db()
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=version)
    ready.version = version
    return ready


@pytest.fixture
def pages():
    """A browser-like client logged in as `user` (pages, not the API)."""

    def client(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return client


@pytest.fixture
def reference_data(transactional_db):
    """Sectors, regions and capabilities again: a transactional test before this one may
    have flushed what the migrations seeded."""
    seed(apps)
