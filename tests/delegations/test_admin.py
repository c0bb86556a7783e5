"""The admin backoffice as staff use it: accept in bulk, run the scheduler, look at the
grid, publish; every delegation admin page renders."""

import datetime as dt

import pytest
from django.test import Client

from events.delegations import selectors, services
from events.delegations.models import DelegationApplication, MeetingRequest, ScheduleVersion
from tests.worlds import accept_and_host, build_world, with_requests

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
    assert "Kato Precision<br>× Sneha Tea Estates ⇄" in html
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
    w = with_requests(accept_and_host(build_world()))
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
        "/admin/delegations/scheduledmeeting/",
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
