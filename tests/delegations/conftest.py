"""The delegation scenes every delegation test module starts from (tests/worlds.py)."""

import pytest

from tests.worlds import accept_and_host, build_world, with_requests


@pytest.fixture
def world(db):
    """Two Japanese applicants, two Indian hosts, nothing decided yet."""
    return build_world()


@pytest.fixture
def ready(world):
    """Both applicants accepted, both hosts added, meeting requests made."""
    return with_requests(accept_and_host(world))
