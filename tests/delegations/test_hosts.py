"""Host organisations (events/delegations/services/hosts.py)."""

import pytest
from django.core.exceptions import ValidationError

from events.delegations import services

pytestmark = pytest.mark.django_db


def test_host_must_be_of_the_visited_country(world):
    with pytest.raises(ValidationError) as exc:
        services.host_add(actor=world.staff, delegation=world.delegation, organisation=world.kato)
    assert exc.value.message_dict == {
        "organisation": ["Hosts are organisations of the country the delegation visits."]
    }
