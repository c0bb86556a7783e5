"""The admin backoffice as staff use it: accept in bulk, run the scheduler, look at the
grid, publish; every delegation admin page renders."""

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from events.delegations import selectors, services
from events.delegations.models import (
    DelegationApplication,
    MeetingRequest,
    ScheduledMeeting,
    ScheduleVersion,
)
from tests.worlds import accept_and_host, build_world, with_requests, with_visit

pytestmark = pytest.mark.django_db


def admin_client(w) -> Client:
    w.staff.is_superuser = True
    w.staff.save()
    client = Client()
    client.force_login(w.staff)
    return client


def test_staff_accept_run_inspect_and_publish_in_the_admin(on_commit, mailbox):
    w = build_world()
    apps = [
        services.application_submit(
            actor=w.kenji, delegation=w.delegation, objectives="Meet partners"
        ),
        services.application_submit(
            actor=w.yuki, delegation=w.delegation, objectives="Meet partners"
        ),
    ]
    client = admin_client(w)
    with on_commit():
        response = client.post(
            "/admin/delegations/delegationapplication/",
            {"action": "mark_accepted", "_selected_action": [a.pk for a in apps]},
            follow=True,
        )
    assert response.status_code == 200
    assert set(DelegationApplication.objects.values_list("status", flat=True)) == {"accepted"}
    assert sorted(m["To"] for m in mailbox.messages) == ["kenji@example.com", "yuki@example.com"]
    w.app_kato, w.app_mori = apps
    services.host_add(actor=w.staff, delegation=w.delegation, organisation=w.sneha, days=[w.day1])
    services.host_add(actor=w.staff, delegation=w.delegation, organisation=w.bamboo, days=[w.day2])
    with_requests(w)
    with on_commit():
        client.post(
            "/admin/delegations/delegation/",
            {"action": "run_scheduler", "_selected_action": [w.delegation.pk]},
        )
    version = ScheduleVersion.objects.get()
    assert (version.status, version.solver_status) == ("done", "optimal")
    grid = client.get(f"/admin/delegations/scheduleversion/{version.pk}/grid/")
    assert grid.status_code == 200
    html = grid.content.decode()
    agenda = f"/delegations/{w.delegation.pk}/itinerary/?organisation="
    assert (
        f'<a href="{agenda}{w.kato.pk}&amp;version=1">Kato Precision</a><br>× '
        f'<a href="{agenda}{w.sneha.pk}&amp;version=1">Sneha Tea Estates</a> ⇄'
    ) in html
    assert '<span class="status mutual">mutual</span><span class="status must-meet">' in html
    assert "— times in IST (Asia/Kolkata)" in html
    assert "Publish this version" in html
    mailbox.clear()
    with on_commit():
        client.post(
            "/admin/delegations/scheduleversion/",
            {"action": "publish", "_selected_action": [version.pk]},
        )
    version.refresh_from_db()
    assert version.published_at is not None
    assert len(mailbox.messages) == 4


def test_every_delegation_admin_page_renders(on_commit):
    w = with_visit(with_requests(accept_and_host(build_world())))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    client = admin_client(w)
    request = w.delegation.meeting_requests.first()
    for url in [
        "/admin/delegations/delegation/",
        f"/admin/delegations/delegation/{w.delegation.pk}/change/",
        "/admin/delegations/delegation/add/",
        "/admin/delegations/delegationapplication/",
        f"/admin/delegations/delegationapplication/{w.app_kato.pk}/change/",
        "/admin/delegations/delegationhost/",
        f"/admin/delegations/delegationhost/{w.host_sneha.pk}/change/",
        "/admin/delegations/delegationhost/add/",
        "/admin/delegations/meetingrequest/",
        f"/admin/delegations/meetingrequest/{request.pk}/change/",
        "/admin/delegations/meetingrequest/add/",
        "/admin/delegations/scheduleversion/",
        f"/admin/delegations/scheduleversion/{version.pk}/change/",
        f"/admin/delegations/scheduleversion/{version.pk}/grid/",
        f"/admin/delegations/scheduleversion/{version.pk}/progress/",
        "/admin/delegations/scheduledmeeting/",
        "/admin/delegations/sitevisit/",
        "/admin/delegations/sitevisit/add/",
        f"/admin/delegations/sitevisit/{w.visit.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_pin_through_the_change_form(on_commit):
    w = with_requests(accept_and_host(build_world()))
    client = admin_client(w)
    request = w.delegation.meeting_requests.get(from_organisation=w.mori)
    url = f"/admin/delegations/meetingrequest/{request.pk}/change/"
    response = client.post(
        url,
        {"priority": "high", "note": "", "pinned_day": w.day1.pk, "pinned_start": "10:45"},
    )
    assert response.status_code == 200  # the form shows the error
    assert "Not a slot start; choose one of 09:00, 09:30, 10:00, 11:00, 11:30." in (
        response.content.decode()
    )
    client.post(
        url, {"priority": "high", "note": "", "pinned_day": w.day1.pk, "pinned_start": "11:00"}
    )
    request.refresh_from_db()
    assert (request.priority, request.pinned_day, str(request.pinned_start)) == (
        "high",
        w.day1,
        "11:00:00",
    )


def test_admin_edit_priority_and_note_through_the_change_form():
    w = with_requests(accept_and_host(build_world()))
    client = admin_client(w)
    request = w.delegation.meeting_requests.get(from_organisation=w.mori)
    client.post(
        f"/admin/delegations/meetingrequest/{request.pk}/change/",
        {
            "priority": "must_meet",
            "note": "CEO flies in for this",
            "pinned_day": "",
            "pinned_start": "",
        },
    )
    request.refresh_from_db()
    assert (request.priority, request.note) == ("must_meet", "CEO flies in for this")


def test_admin_host_form_applies_the_services_host_rule():
    w = build_world()
    client = admin_client(w)
    response = client.post(
        "/admin/delegations/delegationhost/add/",
        {
            "delegation": w.delegation.pk,
            "organisation": w.kato.pk,
            "note": "",
            "unavailable-TOTAL_FORMS": "0",
            "unavailable-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form shows the error
    assert "Hosts are organisations of the country the delegation visits." in (
        response.content.decode()
    )
    assert not w.delegation.hosts.exists()


def test_grid_cells_carry_mutual_must_meet_and_pinned(on_commit):
    w = with_requests(accept_and_host(build_world()))
    bamboo = MeetingRequest.objects.get(from_organisation=w.kato, to_organisation=w.bamboo)
    services.meeting_request_pin(actor=w.staff, request=bamboo, day=w.day2, start=dt.time(11, 0))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    version.refresh_from_db()
    cells = {
        (cell.delegate.name, cell.host.name): (cell.statuses, cell.must_meet)
        for day in selectors.version_grid(version)
        for row in day["rows"]
        for cell in row["cells"]
        if cell
    }
    assert cells == {
        ("Kato Precision", "Sneha Tea Estates"): (["mutual", "must-meet"], True),
        ("Kato Precision", "Assam Bamboo Works"): (["pinned"], False),
        ("Mori Foods", "Sneha Tea Estates"): ([], False),
    }


def test_version_page_shows_local_times_and_the_run_figures(on_commit):
    w = with_requests(accept_and_host(build_world()))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    client = admin_client(w)
    html = client.get(f"/admin/delegations/scheduleversion/{version.pk}/change/").content.decode()
    meeting = ScheduledMeeting.objects.get(version=version, delegate=w.mori)
    local = meeting.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    end = meeting.ends_at.astimezone(local.tzinfo)
    assert f"Tue 10 Feb 2026, {local:%H:%M}–{end:%H:%M} IST (Asia/Kolkata)" in html
    assert 'id="schedule-progress"' in html and "data-running" not in html
    assert 'Scheduled weight</dt><dd id="progress-weight">14' in html
    assert "delegations/admin_progress.js" in html
    assert "Stop and keep the best schedule found" not in html  # it is done


def test_running_version_page_polls_and_staff_stop_it(on_commit):
    w = with_requests(accept_and_host(build_world()))
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    ScheduleVersion.objects.filter(pk=version.pk).update(
        status="running",
        phase="breaks",
        scheduled_weight=11,
        weight_bound=14,
        breaks=2,
        bound_breaks=0,
    )
    client = admin_client(w)
    progress = client.get(f"/admin/delegations/scheduleversion/{version.pk}/progress/")
    html = progress.content.decode()
    assert 'data-running="1"' in html
    assert "11 (at most 14)" in html and "2 (proven at least 0)" in html
    assert client.get(f"/admin/delegations/scheduleversion/{version.pk}/stop/").status_code == 405
    response = client.post(f"/admin/delegations/scheduleversion/{version.pk}/stop/", follow=True)
    assert "stopping; the best schedule found so far is kept." in response.content.decode()
    version.refresh_from_db()
    assert version.stop_requested_at is not None
    # The task sees the flag at its next look and stops (here: before it even solves).
    ScheduleVersion.objects.filter(pk=version.pk).update(status="queued")
    assert services.schedule_execute(version_id=version.pk) in {"optimal", "feasible"}


def test_lock_and_unlock_meetings_of_the_published_version(on_commit):
    w = with_requests(accept_and_host(build_world()))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    client = admin_client(w)
    meeting = ScheduledMeeting.objects.filter(version=version).first()
    url = "/admin/delegations/scheduledmeeting/"
    response = client.post(url, {"action": "lock", "_selected_action": [meeting.pk]}, follow=True)
    assert "Only meetings of the published schedule version can be locked." in (
        response.content.decode()
    )
    services.schedule_publish(actor=w.staff, version=version)
    client.post(url, {"action": "lock", "_selected_action": [meeting.pk]})
    assert ScheduledMeeting.objects.get(pk=meeting.pk).locked is True
    grid = client.get(f"/admin/delegations/scheduleversion/{version.pk}/grid/").content.decode()
    assert '<span class="status locked">locked</span>' in grid
    client.post(url, {"action": "unlock", "_selected_action": [meeting.pk]})
    assert ScheduledMeeting.objects.get(pk=meeting.pk).locked is False


def test_site_visit_form_applies_the_visitor_limit(on_commit):
    w = with_visit(accept_and_host(build_world()), visitor_limit=1)
    client = admin_client(w)
    response = client.post(
        "/admin/delegations/sitevisit/add/",
        {
            "delegation": w.delegation.pk,
            "site": w.estate.pk,
            "delegates": [w.kato.pk, w.mori.pk],
            "priority": "high",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "The site takes at most 1 visitor at once." in response.content.decode()


def test_grid_shows_site_visits_with_their_visitors(on_commit):
    w = with_visit(with_requests(accept_and_host(build_world())))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    html = admin_client(w).get(f"/admin/delegations/scheduleversion/{version.pk}/grid/")
    html = html.content.decode()
    assert "<th>Site visits</th>" in html
    agenda = f"/delegations/{w.delegation.pk}/itinerary/?organisation="
    assert (
        f'Sneha tea estate, Sanand: <a href="{agenda}{w.sneha.pk}&amp;version=1">Sneha Tea '
        f'Estates</a> with <a href="{agenda}{w.kato.pk}&amp;version=1">Kato Precision</a>, '
        f'<a href="{agenda}{w.mori.pk}&amp;version=1">Mori Foods</a>'
    ) in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_running_version_page_refreshes_itself_and_stops_in_a_browser(page):
    w = with_requests(accept_and_host(build_world()))
    admin_client(w)  # makes the secretariat a superuser
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    running = ScheduleVersion.objects.filter(pk=version.pk)
    running.update(status="running", phase="weight", scheduled_weight=11, weight_bound=14)
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.goto(f"/admin/delegations/scheduleversion/{version.pk}/change/")
    assert page.inner_text("#progress-weight") == "11 (at most 14)"
    # The worker stores better figures: the page shows them without a reload.
    running.update(phase="breaks", scheduled_weight=14, breaks=3, bound_breaks=1)
    expect(page.locator("#progress-weight")).to_have_text("14 (at most 14)", timeout=8000)
    assert page.inner_text("#progress-breaks") == "3 (proven at least 1)"
    page.get_by_role("button", name="Stop and keep the best schedule found").click()
    page.wait_for_selector(".messagelist")
    assert "stopping; the best schedule found so far is kept." in page.inner_text(".messagelist")
    assert running.get().stop_requested_at is not None
    # The run ends: the page reloads itself and shows the finished version.
    running.update(status="done", solver_status="feasible", phase="done")
    page.wait_for_selector("#schedule-progress:not([data-running])", timeout=8000)
    assert page.inner_text("#progress-status").startswith("Done / Feasible")


def test_grid_visit_of_high_priority_is_not_must_meet(on_commit):
    w = with_visit(with_requests(accept_and_host(build_world())))
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    version.refresh_from_db()
    visits = [
        v for day in selectors.version_grid(version) for row in day["rows"] for v in row["visits"]
    ]
    assert [(v.statuses, v.weight, [o.name for o in v.visitors]) for v in visits] == [
        (["visit"], 3, ["Kato Precision", "Mori Foods"])
    ]
