"""Counterparts, asking to meet, the requests made and received, answering, taking back
(events/delegations/views/requests.py, events/delegations/counterparts.py)."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from events.delegations import services
from events.delegations.models import Delegation, MeetingRequest
from members.models import Capability, Sector
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain)).strip()


def capability(slug: str) -> Capability:
    return Capability.objects.get(slug=slug)


def close_requests(w) -> None:
    Delegation.objects.filter(pk=w.delegation.pk).update(
        requests_close_at=timezone.now() - dt.timedelta(minutes=1)
    )


# --- Counterparts ---------------------------------------------------------------------


@pytest.fixture
def profiles(ready):
    """Kato seeks distribution on this trip; Sneha offers it, Bamboo shares Kato's sector."""
    ready.app_kato.seeks.set([capability("distribution")])
    ready.sneha.offers.set([capability("distribution")])
    bamboo = Sector.objects.get(slug="bamboo")
    ready.kato.sectors.set([bamboo])
    ready.bamboo.sectors.set([bamboo])
    return ready


def test_counterparts_of_a_delegate_are_the_hosts_with_why_they_fit(profiles, pages):
    w = profiles
    response = pages(w.yuki).get(f"/delegations/{w.delegation.pk}/counterparts/")
    assert [c.organisation.name for c in response.context["counterparts"]] == [
        "Assam Bamboo Works",
        "Sneha Tea Estates",
    ]
    response = pages(w.kenji).get(f"/delegations/{w.delegation.pk}/counterparts/")
    found = {c.organisation.name: c for c in response.context["counterparts"]}
    assert list(found) == ["Sneha Tea Estates", "Assam Bamboo Works"]  # best match first
    sneha, bamboo = found["Sneha Tea Estates"], found["Assam Bamboo Works"]
    assert [c.slug for c in sneha.they_offer_what_you_seek] == ["distribution"]
    assert [s.slug for s in bamboo.shared_sectors] == ["bamboo"]
    assert (sneha.request_made is not None, sneha.request_received is not None) == (True, True)
    assert [d.city for d in bamboo.days] == ["Guwahati"]


def test_counterparts_page_text(profiles, pages):
    w = profiles
    body = text(pages(w.yuki).get(f"/delegations/{w.delegation.pk}/counterparts/"))
    assert "Hosts you can meet" in body
    assert "Meets the delegation: 10 Feb Ahmedabad" in body
    assert "You asked to meet" in body
    assert "Ask to meet Assam Bamboo Works" in body


def test_counterpart_cards_offer_a_message_link(profiles, pages):
    w = profiles
    response = pages(w.yuki).get(f"/delegations/{w.delegation.pk}/counterparts/")
    assert f'href="/messages/compose/?organisation={w.bamboo.pk}"' in response.content.decode()
    assert "Message Assam Bamboo Works" in text(response)


def test_counterparts_of_a_host_are_the_delegates(profiles, pages):
    w = profiles
    response = pages(w.asha).get(f"/delegations/{w.delegation.pk}/counterparts/")
    found = {c.organisation.name: c for c in response.context["counterparts"]}
    assert sorted(found) == ["Kato Precision", "Mori Foods"]
    assert found["Kato Precision"].application.objectives == "Find a tea partner"
    assert "Visiting firms you can meet" in text(response)


def test_counterparts_filters(profiles, pages):
    w = profiles
    url = f"/delegations/{w.delegation.pk}/counterparts/"
    client = pages(w.kenji)

    def names(query):
        return [c.organisation.name for c in client.get(url, query).context["counterparts"]]

    assert names({"sector": Sector.objects.get(slug="bamboo").pk}) == ["Assam Bamboo Works"]
    assert names({"capability": capability("distribution").pk}) == ["Sneha Tea Estates"]
    assert names({"day": w.day2.pk}) == ["Assam Bamboo Works"]
    bad = client.get(url, {"sector": "not-a-sector", "day": "99999"})
    assert sorted(bad.context["form"].errors) == ["day", "sector"]
    assert bad.context["counterparts"] is None


def test_counterparts_need_an_accepted_delegate_or_a_host(world, pages):
    services.application_submit(actor=world.yuki, delegation=world.delegation, objectives="x")
    for user in (world.yuki, world.outsider):  # submitted only; no part at all
        assert pages(user).get(f"/delegations/{world.delegation.pk}/counterparts/").status_code == (
            404
        )


@pytest.mark.parametrize("rows", [1, 5])
def test_counterparts_query_count_is_constant(rows, ready, pages, django_assert_num_queries):
    for i in range(rows):
        host = OrganisationFactory(country="IN", name=f"Host {i}")
        host.sectors.set(Sector.objects.all()[:2])
        host.offers.set(Capability.objects.all()[:2])
        services.host_add(
            actor=ready.staff, delegation=ready.delegation, organisation=host, days=[ready.day1]
        )
    client = pages(ready.kenji)
    # session, user, unread badge, delegation, participants ×2, my organisations, the organisation, days,
    # hosts (+ sectors, offers, seeks, days), my application (+ offers, seeks), my own
    # seeks, offers and sectors, match scores (+ platforms), requests, filter choices ×3
    with django_assert_num_queries(26):
        response = client.get(f"/delegations/{ready.delegation.pk}/counterparts/")
    assert len(response.context["counterparts"]) == rows + 2


# --- Asking to meet ---------------------------------------------------------------------


def test_ask_to_meet_with_priority_and_note(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/counterparts/{ready.bamboo.pk}/request/"
    client = pages(ready.yuki)
    assert "Ask to meet Assam Bamboo Works" in text(client.get(url))
    response = client.post(url, {"priority": "must_meet", "note": "Bamboo packaging"})
    assert response["Location"] == f"/delegations/{ready.delegation.pk}/requests/"
    request = MeetingRequest.objects.get(from_organisation=ready.mori, to_organisation=ready.bamboo)
    assert (request.priority, request.note, request.created_by) == (
        "must_meet",
        "Bamboo packaging",
        ready.yuki,
    )


def test_bad_request_input_is_a_field_error_and_saves_nothing(ready, pages):
    url = f"/delegations/{ready.delegation.pk}/counterparts/{ready.bamboo.pk}/request/"
    response = pages(ready.yuki).post(url, {"priority": "urgent", "note": "x" * 2001})
    assert sorted(response.context["form"].errors) == ["note", "priority"]
    empty = pages(ready.yuki).post(url, {})
    assert list(empty.context["form"].errors) == ["priority"]
    assert not MeetingRequest.objects.filter(
        to_organisation=ready.bamboo, from_organisation=ready.mori
    ).exists()


def test_asking_someone_not_on_the_other_side_is_a_404(ready, pages):
    d = ready.delegation.pk
    for org in (ready.kato, ready.other, ready.mori):
        url = f"/delegations/{d}/counterparts/{org.pk}/request/"
        assert pages(ready.yuki).post(url, {"priority": "normal"}).status_code == 404


def test_after_the_deadline_requests_are_read_only_on_the_pages(ready, pages):
    close_requests(ready)
    d = ready.delegation.pk
    url = f"/delegations/{d}/counterparts/{ready.bamboo.pk}/request/"
    page = text(pages(ready.yuki).get(url))
    assert "The deadline for meeting requests has passed." in page
    response = pages(ready.yuki).post(url, {"priority": "normal"})
    assert "The deadline for meeting requests has passed." in text(response)
    assert MeetingRequest.objects.filter(delegation=ready.delegation).count() == 4
    listing = pages(ready.asha).get(f"/delegations/{d}/requests/").content.decode()
    assert "/answer/" not in listing and "/withdraw/" not in listing
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    answered = pages(ready.asha).post(
        f"/delegations/requests/{mori.pk}/answer/", {"answer": "declined"}, follow=True
    )
    assert "The deadline for meeting requests has passed." in text(answered)
    assert MeetingRequest.objects.get(pk=mori.pk).answer == ""


# --- Requests made and received ------------------------------------------------------------


def test_requests_page_shows_made_received_and_mutual(ready, pages):
    body = text(pages(ready.asha).get(f"/delegations/{ready.delegation.pk}/requests/"))
    assert "Kato Precision Priority: Normal · Mutual: they asked you too" in body
    assert "Mori Foods Priority: Normal" in body
    assert "Accept Mori Foods" in body
    assert "No thanks to Mori Foods" in body


def test_answer_accept_then_no_thanks(ready, pages):
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    url = f"/delegations/requests/{mori.pk}/answer/"
    client = pages(ready.asha)
    accepted = client.post(url, {"answer": "accepted"}, follow=True)
    assert "You accepted the request of Mori Foods." in text(accepted)
    assert "Your answer: Accepted" in text(accepted)
    declined = client.post(url, {"answer": "declined"}, follow=True)
    assert "it will not be scheduled" in text(declined)
    assert MeetingRequest.objects.get(pk=mori.pk).answer == "declined"
    # The requester sees the answer.
    seen = text(pages(ready.yuki).get(f"/delegations/{ready.delegation.pk}/requests/"))
    assert "Their answer: No thanks" in seen


def test_a_bad_answer_changes_nothing(ready, pages):
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    url = f"/delegations/requests/{mori.pk}/answer/"
    response = pages(ready.asha).post(url, {"answer": "perhaps"}, follow=True)
    assert "Choose accept or no thanks." in text(response)
    assert pages(ready.asha).get(url).status_code == 405
    # Only the organisation asked answers; others do not even see it.
    refused = pages(ready.yuki).post(url, {"answer": "accepted"}, follow=True)
    assert "Only the organisation asked can answer this request." in text(refused)
    assert pages(ready.outsider).post(url, {"answer": "accepted"}).status_code == 404
    assert MeetingRequest.objects.get(pk=mori.pk).answer == ""


def test_take_back_a_request_after_confirming(ready, pages):
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    url = f"/delegations/requests/{mori.pk}/withdraw/"
    client = pages(ready.yuki)
    assert "Take back the request?" in text(client.get(url))
    assert MeetingRequest.objects.filter(pk=mori.pk).exists()
    response = client.post(url, follow=True)
    assert "Your request is taken back." in text(response)
    assert not MeetingRequest.objects.filter(pk=mori.pk).exists()


def test_the_recipient_cannot_take_a_request_back(ready, pages):
    mori = MeetingRequest.objects.get(from_organisation=ready.mori)
    response = pages(ready.asha).post(f"/delegations/requests/{mori.pk}/withdraw/", follow=True)
    assert "Only the requesting organisation can delete its request." in text(response)
    assert MeetingRequest.objects.filter(pk=mori.pk).exists()


@pytest.mark.parametrize("rows", [1, 5])
def test_requests_page_query_count_is_constant(rows, ready, pages, django_assert_num_queries):
    for _ in range(rows):
        user = member(organisation=OrganisationFactory(country="JP"), platform=ready.platform)
        app = services.application_submit(actor=user, delegation=ready.delegation, objectives="x")
        ready.delegation.places += 1
        ready.delegation.save()
        services.application_decide(actor=ready.staff, application=app, status="accepted")
        services.meeting_request_create(
            actor=user, delegation=ready.delegation, to_organisation=ready.sneha
        )
    client = pages(ready.asha)
    # session, user, unread badge, delegation, participants ×2, my organisations, the organisation,
    # requests
    with django_assert_num_queries(9):
        response = client.get(f"/delegations/{ready.delegation.pk}/requests/")
    assert len(response.context["received"]) == rows + 2
