"""The availability grid page (events/delegations/views/availability.py)."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from events.delegations.models import DelegateUnavailability, Delegation, HostUnavailability
from tests.factories import DelegationDayFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain)).strip()


def test_a_delegate_ticks_the_slots_it_cannot_meet(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/availability/"
    client = pages(ready.yuki)
    page = client.get(url)
    body = page.content.decode()
    assert f'value="{ready.day1.pk}-0930"' in body
    # The briefing is the delegation's: shown, not a box to tick.
    assert f'value="{ready.day1.pk}-0900"' not in body
    assert "09:00–09:30 · Briefing at JETRO Ahmedabad" in text(page)
    response = client.post(url, {"busy": [f"{ready.day1.pk}-0930", f"{ready.day1.pk}-1000"]})
    assert response["Location"] == url
    assert [(u.start, u.end) for u in DelegateUnavailability.objects.all()] == [
        (dt.time(9, 30), dt.time(10, 30))
    ]
    again = client.get(url).content.decode()
    assert f'value="{ready.day1.pk}-0930" id="busy-{ready.day1.pk}-0930" checked' in again
    # Nothing ticked: every slot is free again.
    client.post(url, {})
    assert DelegateUnavailability.objects.count() == 0


def test_a_host_sees_only_its_days(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/availability/"
    response = pages(ready.asha).get(url)
    assert [e["day"] for e in response.context["grid"]] == [ready.day1]
    pages(ready.asha).post(url, {"busy": [f"{ready.day1.pk}-1130"]})
    assert [(u.start, u.end) for u in HostUnavailability.objects.all()] == [
        (dt.time(11, 30), dt.time(12, 0))
    ]


def test_a_slot_not_on_the_grid_is_a_field_error_and_saves_nothing(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/availability/"
    response = pages(ready.asha).post(
        url, {"busy": [f"{ready.day1.pk}-1130", f"{ready.day2.pk}-0900"]}
    )
    assert list(response.context["form"].errors) == ["busy"]
    assert 'id="id_busy_errors"' in response.content.decode()
    assert HostUnavailability.objects.count() == 0


def test_availability_is_read_only_after_the_deadline(ready, pages):
    Delegation.objects.filter(pk=ready.delegation.pk).update(
        requests_close_at=timezone.now() - dt.timedelta(minutes=1)
    )
    url = f"/delegations/{ready.delegation.pk}/availability/"
    page = pages(ready.yuki).get(url)
    assert "The deadline for meeting requests has passed." in text(page)
    assert "disabled" in page.content.decode()
    response = pages(ready.yuki).post(url, {"busy": [f"{ready.day1.pk}-0930"]})
    assert "The deadline for meeting requests has passed." in text(response)
    assert DelegateUnavailability.objects.count() == 0


def test_availability_of_another_organisation_is_a_404(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/availability/"
    assert pages(ready.outsider).get(url).status_code == 404
    assert pages(ready.yuki).get(f"{url}?organisation={ready.kato.pk}").status_code == 404
    assert pages(ready.yuki).post(f"{url}?organisation={ready.kato.pk}", {}).status_code == 404
    assert pages(ready.yuki).get(f"{url}?organisation=abc").status_code == 404


@pytest.mark.parametrize("days", [1, 4])
def test_availability_query_count_is_constant(days, ready, pages, django_assert_num_queries):
    for i in range(days):
        DelegationDayFactory(delegation=ready.delegation, date=dt.date(2026, 3, 1 + i))
    client = pages(ready.yuki)
    # session, user, unread badge, delegation, participants ×2, my organisations, the organisation,
    # days, host record, ranges ×2, activities, breaks
    with django_assert_num_queries(14):
        response = client.get(f"/delegations/{ready.delegation.pk}/availability/")
    assert len(response.context["grid"]) == days + 2
