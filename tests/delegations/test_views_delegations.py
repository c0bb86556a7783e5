"""The delegation list and detail pages (events/delegations/views/delegations.py)."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from events.delegations import services
from events.delegations.models import Delegation
from members.models import Sector
from tests.factories import DelegationDayFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain)).strip()


def test_pages_need_a_login(world, client):
    response = client.get("/delegations/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/delegations/",
    )


def test_list_shows_the_trip_and_my_application(world, pages):
    world.delegation.sectors.set(Sector.objects.filter(slug="tea"))
    Delegation.objects.filter(pk=world.delegation.pk).update(
        applications_close_at=dt.datetime(2026, 1, 20, 12, 30, tzinfo=dt.UTC)
    )
    services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Tea partners"
    )
    DelegationFactory(title="Secret draft", status="draft", platform=world.platform)
    body = text(pages(world.yuki).get("/delegations/"))
    assert "Gujarat & Assam delegation" in body
    assert "Secret draft" not in body
    assert "Days 10 Feb 2026 – 11 Feb 2026" in body
    assert "Cities Ahmedabad, Guwahati" in body
    assert "Places left 3 of 3" in body
    assert "Applications until 20 Jan 2026, 18:00 (Asia/Kolkata)" in body
    assert "Application of Mori Foods : Submitted" in body


def test_list_in_japanese_for_a_japanese_reader(world, pages):
    world.delegation.title_ja = "グジャラート・アッサム訪問団"
    world.delegation.save()
    body = text(pages(world.kenji).get("/delegations/"))
    assert "グジャラート・アッサム訪問団" in body
    assert "2026年02月10日 – 2026年02月11日" in body


@pytest.mark.parametrize("rows", [1, 6])
def test_list_query_count_is_constant(rows, world, pages, django_assert_num_queries):
    for i in range(rows):
        delegation = DelegationFactory(platform=world.platform)
        delegation.sectors.set(Sector.objects.all()[:3])
        DelegationDayFactory(delegation=delegation, city=f"City {i}")
        DelegationDayFactory(delegation=delegation)
    client = pages(world.yuki)
    # session, user, unread badge, delegations, sectors, days, breaks, my applications
    with django_assert_num_queries(8):
        response = client.get("/delegations/")
    listed = response.context["upcoming"] + response.context["past"]
    assert len(listed) == rows + 1


def test_detail_shows_the_programme_and_the_apply_button(world, pages):
    response = pages(world.yuki).get(f"/delegations/{world.delegation.pk}/")
    body = text(response)
    assert "10 Feb 2026 · Ahmedabad, GIFT City Club" in body
    assert "09:00–09:30 (Asia/Kolkata) · Briefing at JETRO Ahmedabad" in body
    assert "30-minute meetings from 09:00 to 12:00, local time of each city" in body
    assert "(break 10:30–11:00)" in body
    assert f'href="/delegations/{world.delegation.pk}/apply/"' in response.content.decode()


def test_detail_says_why_one_cannot_apply(world, pages):
    Delegation.objects.filter(pk=world.delegation.pk).update(
        applications_close_at=timezone.now() - dt.timedelta(days=1)
    )
    response = pages(world.yuki).get(f"/delegations/{world.delegation.pk}/")
    assert "Applications have closed." in text(response)
    assert "/apply/" not in response.content.decode()
    # An Indian firm cannot apply to a Japanese delegation.
    indian = text(pages(world.asha).get(f"/delegations/{world.delegation.pk}/"))
    assert "Apply to travel" not in indian


def test_detail_of_a_participant_has_the_tabs(ready, pages):
    body = pages(ready.kenji).get(f"/delegations/{ready.delegation.pk}/").content.decode()
    d = ready.delegation.pk
    for url in [f"/delegations/{d}/counterparts/", f"/delegations/{d}/itinerary/"]:
        assert f'href="{url}"' in body


def test_draft_delegation_is_a_404(world, pages):
    draft = DelegationFactory(status="draft", platform=world.platform)
    assert pages(world.yuki).get(f"/delegations/{draft.pk}/").status_code == 404
    assert pages(world.staff).get(f"/delegations/{draft.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_detail_query_count_is_constant(rows, world, pages, django_assert_num_queries):
    world.delegation.sectors.set(Sector.objects.all()[:rows])
    for i in range(rows):
        DelegationDayFactory(delegation=world.delegation, date=dt.date(2026, 3, 1 + i))
    client = pages(world.yuki)
    # session, user, unread badge, delegation, sectors, days, breaks, activities, my applications,
    # participants (applications, hosts), my organisations, organisations that may apply
    with django_assert_num_queries(13):
        client.get(f"/delegations/{world.delegation.pk}/")
