"""The itinerary page, its calendar file and the personal feed
(events/delegations/views/itinerary.py, events/delegations/itineraries.py)."""

import html
import re
import zoneinfo

import icalendar
import pytest

from events.delegations import services
from events.delegations.models import MeetingRequest, ScheduledMeeting
from tests.factories import OrganisationFactory, member
from tests.worlds import with_visit

pytestmark = pytest.mark.django_db

TOKYO, KOLKATA = zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("Asia/Kolkata")


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain)).strip()


def span(meeting, zone, abbreviation) -> str:
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return f"{start:%H:%M}–{end:%H:%M} {abbreviation} ({zone.key})"


def test_itinerary_in_the_readers_zone_with_the_citys_local_time(published, pages):
    w = published
    w.kenji.profile.time_zone = "Asia/Tokyo"
    w.kenji.profile.save()
    response = pages(w.kenji).get(f"/delegations/{w.delegation.pk}/itinerary/")
    body = text(response)
    sneha = ScheduledMeeting.objects.get(version=w.version, delegate=w.kato, host=w.sneha)
    # kenji reads Japanese: the meeting in his zone, then the city's local time.
    assert f"{span(sneha, TOKYO, 'JST')} · Ahmedabad 現地時間 {span(sneha, KOLKATA, 'IST')}" in body
    assert "面談相手： Sneha Tea Estates" in body
    assert "時刻はお使いのタイムゾーン（Asia/Tokyo）で表示しています。" in body
    assert "2026年02月10日 · Ahmedabad, GIFT City Club" in body
    assert "Briefing at JETRO Ahmedabad" in body


def test_itinerary_in_the_citys_zone_names_it_once(published, pages):
    w = published
    response = pages(w.yuki).get(f"/delegations/{w.delegation.pk}/itinerary/")
    mori = ScheduledMeeting.objects.get(version=w.version, delegate=w.mori)
    body = text(response)
    assert span(mori, KOLKATA, "IST") in body
    assert " in Ahmedabad" not in body
    assert "Meeting with Sneha Tea Estates" in body
    assert "Table" in body


def test_itinerary_links_and_print_layout(published, pages):
    w = published
    body = pages(w.yuki).get(f"/delegations/{w.delegation.pk}/itinerary/").content.decode()
    assert f'href="/delegations/{w.delegation.pk}/itinerary.ics"' in body
    feed = re.search(r'href="(webcal://127\.0\.0\.1:8000/calendar/[^"]+/delegations\.ics)"', body)
    assert feed is not None
    assert 'class="itinerary-day mb-4 page-break"' in body  # day 1 of 2
    assert "data-print" in body


def test_itinerary_shows_what_changed_since_the_last_version(published, pages, on_commit):
    w = published
    request = MeetingRequest.objects.get(from_organisation=w.kato, to_organisation=w.bamboo)
    services.meeting_request_drop(actor=w.staff, request=request)
    with on_commit():
        revision = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    revision.refresh_from_db()
    with on_commit():
        services.schedule_publish(actor=w.staff, version=revision)
    w.kenji.profile.language = "en"
    w.kenji.profile.save()
    body = text(pages(w.kenji).get(f"/delegations/{w.delegation.pk}/itinerary/"))
    assert "What changed since the last version" in body
    assert "meeting with Assam Bamboo Works" in body
    assert "Schedule version 2, published" in body


def test_itinerary_before_publication(ready, pages):
    body = text(pages(ready.yuki).get(f"/delegations/{ready.delegation.pk}/itinerary/"))
    assert "The meeting schedule is not published yet" in body
    assert "Briefing at JETRO Ahmedabad" in body


def test_itinerary_ics_download(published, pages):
    w = published
    response = pages(w.yuki).get(f"/delegations/{w.delegation.pk}/itinerary.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="itinerary-{w.delegation.slug}.ics"'
    )
    events = list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    assert sorted(str(e["summary"]) for e in events) == [
        "Briefing at JETRO Ahmedabad",
        "Meeting: Sneha Tea Estates",
    ]
    assert {str(e["url"]) for e in events} == {
        f"http://127.0.0.1:8000/delegations/{w.delegation.pk}/itinerary/"
    }


def test_itinerary_of_another_organisation_is_a_404(published, pages):
    w = published
    base = f"/delegations/{w.delegation.pk}"
    for url in [f"{base}/itinerary/", f"{base}/itinerary.ics"]:
        assert pages(w.outsider).get(url).status_code == 404
        assert pages(w.yuki).get(f"{url}?organisation={w.kato.pk}").status_code == 404
    # Staff read anybody's agenda, of any version (the admin grid links here).
    staff = pages(w.staff).get(f"{base}/itinerary/?organisation={w.kato.pk}&version=1")
    assert staff.status_code == 200
    assert "Itinerary of Kato Precision" in text(staff)
    assert (
        pages(w.staff).get(f"{base}/itinerary/?organisation={w.kato.pk}&version=9").status_code
        == 404
    )
    # A member's ?version= is ignored: they read the published itinerary.
    assert pages(w.yuki).get(f"{base}/itinerary/?version=9").status_code == 200


@pytest.mark.parametrize("rows", [1, 4])
def test_itinerary_query_count_is_constant(
    rows, ready, pages, on_commit, django_assert_num_queries
):
    ready.delegation.places = 10
    ready.delegation.save()
    for i in range(rows):
        host = OrganisationFactory(country="IN", name=f"Host {i}")
        services.host_add(
            actor=ready.staff, delegation=ready.delegation, organisation=host, days=[ready.day2]
        )
        services.meeting_request_create(
            actor=ready.kenji, delegation=ready.delegation, to_organisation=host
        )
    member(organisation=OrganisationFactory(country="IN"))
    with on_commit():
        version = services.schedule_run(
            actor=ready.staff, delegation=ready.delegation, time_limit=5
        )
    version.refresh_from_db()
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=version)
    client = pages(ready.kenji)
    client.get(f"/delegations/{ready.delegation.pk}/itinerary/")
    # session, user, unread badge, delegation, participants ×2, my organisations, the organisation,
    # version, is delegate, meetings, activities, days, host record, feed token
    with django_assert_num_queries(15):
        response = client.get(f"/delegations/{ready.delegation.pk}/itinerary/")
    meetings = [i for d in response.context["days"] for i in d["items"] if i["kind"] == "meeting"]
    assert len(meetings) == rows + 2


def test_itinerary_offers_a_message_link_to_each_counterpart(published, pages):
    body = pages(published.yuki).get(f"/delegations/{published.delegation.pk}/itinerary/")
    html_text = body.content.decode()
    assert f'href="/messages/compose/?organisation={published.sneha.pk}"' in html_text
    assert "Message Sneha Tea Estates" in text(body)


def test_itinerary_shows_site_visits_and_the_travel_between_places(ready, pages, on_commit):
    w = with_visit(ready)
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    version.refresh_from_db()
    with on_commit():
        services.schedule_publish(actor=w.staff, version=version)
    visit = ScheduledMeeting.objects.filter(version=version, visit=w.visit).first()
    mori = ScheduledMeeting.objects.get(version=version, delegate=w.mori, visit=None)
    body = text(pages(w.yuki).get(f"/delegations/{w.delegation.pk}/itinerary/"))
    assert "Site visit: Sneha tea estate, Sanand Hosted by Sneha Tea Estates" in body
    # Mori's city meeting and the visit are on the same day: the way there or back.
    there = "→ Travel to Sneha tea estate, Sanand (40 min)"
    back = f"→ Travel to {mori.venue} (40 min)"
    assert (there if mori.starts_at < visit.starts_at else back) in body
    host = text(pages(w.asha).get(f"/delegations/{w.delegation.pk}/itinerary/"))
    assert "Site visit: Sneha tea estate, Sanand Visitors: Kato Precision, Mori Foods" in host
    kenji = text(pages(w.kenji).get(f"/delegations/{w.delegation.pk}/itinerary/"))
    assert "視察：Sneha tea estate, Sanand" in kenji
    assert "分）" in kenji
