"""The scheduler integration end to end: problem from the database → task → version saved →
publish → itinerary emails with .ics (parsed back), revisions, infeasible problems, and the
real worker."""

import datetime as dt
import time

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.delegations import services
from events.delegations.models import Delegation, ScheduledMeeting, ScheduleVersion
from events.delegations.tasks import delegation_schedule
from tests.worlds import accept_and_host, build_world, with_requests

pytestmark = pytest.mark.django_db


def run(w, on_commit) -> ScheduleVersion:
    with on_commit():
        version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    version.refresh_from_db()
    return version


def ics_of(message) -> icalendar.Calendar:
    parts = [p for p in message.iter_attachments() if p.get_filename() == "itinerary.ics"]
    assert len(parts) == 1
    return icalendar.Calendar.from_ical(parts[0].get_content())


def events_of(calendar) -> list[tuple[str, str, str]]:
    return sorted(
        (str(e["summary"]), e.decoded("dtstart").isoformat(), str(e["status"]))
        for e in calendar.walk("VEVENT")
    )


def test_schedule_run_solves_optimally_and_stores_the_version(ready, on_commit):
    started = time.perf_counter()
    version = run(ready, on_commit)
    assert (version.number, version.status, version.solver_status) == (1, "done", "optimal")
    assert (version.scheduled_weight, version.breaks, version.error) == (14, 0, "")
    meetings = list(ScheduledMeeting.objects.filter(version=version).order_by("starts_at"))
    assert len(meetings) == 3
    kato_meetings = [m for m in meetings if m.delegate_id == ready.kato.pk]
    # Kato is in the briefing 09:00–09:30 on day 1, and Bamboo only hosts on day 2.
    assert all(m.slot != "d1-0900" for m in kato_meetings)
    assert {m.city for m in meetings if m.host_id == ready.bamboo.pk} == {"Guwahati"}
    assert ready.delegation.__class__.objects.get(pk=ready.delegation.pk).status == "scheduling"
    assert time.perf_counter() - started < 10


def test_schedule_task_twice_does_the_work_once(ready):
    version = services.schedule_run(actor=ready.staff, delegation=ready.delegation, time_limit=5)
    assert delegation_schedule(version.pk) == "optimal"
    assert delegation_schedule(version.pk) is None
    assert ScheduledMeeting.objects.filter(version=version).count() == 3


def test_schedule_task_of_a_missing_version_returns_quietly(db):
    assert delegation_schedule(987654) is None


def test_schedule_without_requests_fails_with_a_reason(world, on_commit):
    accept_and_host(world)
    version = run(world, on_commit)
    assert (version.status, version.error) == (
        "failed",
        "There is no meeting request between an accepted delegate and a host.",
    )


def test_schedule_infeasible_pins_are_reported_and_cannot_be_published(ready, on_commit, mailbox):
    # Kato is pinned to meet Sneha and Bamboo at the same time on day 1; Bamboo is only
    # there on day 2, so the problem has no valid schedule.
    for request in ready.delegation.meeting_requests.filter(from_organisation=ready.kato):
        services.meeting_request_pin(
            actor=ready.staff, request=request, day=ready.day1, start=dt.time(9, 30)
        )
    mailbox.clear()
    version = run(ready, on_commit)
    assert (version.status, version.solver_status) == ("done", "infeasible")
    assert version.error.startswith("Infeasible: ")
    assert "Assam Bamboo Works" in version.error
    assert ScheduledMeeting.objects.filter(version=version).count() == 0
    with pytest.raises(ValidationError) as exc:
        services.schedule_publish(actor=ready.staff, version=version)
    assert exc.value.message_dict == {
        "version": ["Version 1 cannot be published: it is infeasible."]
    }
    assert Delegation.objects.get(pk=ready.delegation.pk).published_version_id is None
    assert mailbox.messages == []


def test_publish_emails_every_participant_their_itinerary_with_ics(ready, on_commit, mailbox):
    version = run(ready, on_commit)
    mailbox.clear()
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=version)
    # Delegates: their application's representatives (kenji, yuki); hosts: Sneha's named
    # representative (asha), Bamboo has none named so its admin (ravi).
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == [
        "asha@example.com",
        "kenji@example.com",
        "ravi@example.com",
        "yuki@example.com",
    ]
    kenji = mailbox.to("kenji@example.com")[0]
    assert kenji["Subject"].strip() == "旅程のご案内：Gujarat & Assam delegation（Kato Precision）"
    calendar = ics_of(kenji)
    meetings = {
        (m.host.name, m.starts_at)
        for m in ScheduledMeeting.objects.filter(version=version, delegate=ready.kato)
    }
    assert {
        (summary.removeprefix("Meeting: "), dt.datetime.fromisoformat(start))
        for summary, start, _ in events_of(calendar)
        if summary.startswith("Meeting: ")
    } == meetings
    assert [e for e in events_of(calendar) if not e[0].startswith("Meeting: ")] == [
        ("Briefing at JETRO Ahmedabad", "2026-02-10T09:00:00+05:30", "CONFIRMED")
    ]
    # kenji reads Japanese: dates as Japanese write them, times local to the city.
    assert "・2026年2月10日(火) 09:00–09:30（Ahmedabad）：Briefing at JETRO Ahmedabad" in (
        mailbox.text(kenji)
    )
    asha = mailbox.to("asha@example.com")[0]
    text = mailbox.text(asha)
    assert "meeting with Kato Precision, table" in text
    assert "meeting with Mori Foods, table" in text
    # Hosts do not attend the delegates' briefing.
    assert "Briefing" not in text
    online = f"Online: http://127.0.0.1:8000/delegations/{ready.delegation.pk}/itinerary/"
    assert online in text
    assert Delegation.objects.get(pk=ready.delegation.pk).status == "scheduled"


def test_publish_notification_is_sent_once(ready, on_commit, mailbox):
    version = run(ready, on_commit)
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=version)
    mailbox.clear()
    assert services.schedule_notify_published(version_id=version.pk) == 0
    assert mailbox.messages == []


def _pin(w, request, meeting_or_time, day=None):
    if isinstance(meeting_or_time, ScheduledMeeting):
        day, start = (
            meeting_or_time.day,
            meeting_or_time.starts_at.astimezone(
                dt.timezone(dt.timedelta(hours=5, minutes=30))
            ).time(),
        )
    else:
        start = meeting_or_time
    services.meeting_request_pin(actor=w.staff, request=request, day=day, start=start)


def test_publish_revision_emails_only_those_whose_meetings_changed(ready, on_commit, mailbox):
    first = run(ready, on_commit)
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=first)
    requests = ready.delegation.meeting_requests
    kato_sneha = ScheduledMeeting.objects.get(version=first, delegate=ready.kato, host=ready.sneha)
    mori_sneha = ScheduledMeeting.objects.get(version=first, delegate=ready.mori)
    # Revision 2: the Sneha meetings stay where they are; Kato × Bamboo is dropped.
    _pin(
        ready,
        requests.get(
            from_organisation=ready.kenji.affiliations.get().organisation,
            to_organisation=ready.sneha,
        ),
        kato_sneha,
    )
    _pin(ready, requests.get(from_organisation=ready.mori), mori_sneha)
    services.meeting_request_drop(
        actor=ready.staff, request=requests.get(to_organisation=ready.bamboo)
    )
    second = run(ready, on_commit)
    mailbox.clear()
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=second)
    assert sorted(m["To"] for m in mailbox.messages) == ["kenji@example.com", "ravi@example.com"]
    ravi = mailbox.to("ravi@example.com")[0]
    assert ravi["Subject"] == "Itinerary changed: Gujarat & Assam delegation (Assam Bamboo Works)"
    assert "- Removed: Wed 11 Feb 2026, " in mailbox.text(ravi)
    assert [(e[0], e[2]) for e in events_of(ics_of(ravi))] == [
        ("Meeting: Kato Precision", "CANCELLED")
    ]

    # Revision 3: Mori × Sneha moves to another slot.
    taken = {mori_sneha.slot, kato_sneha.slot}
    free = [t for t in ("0930", "1000", "1100", "1130") if f"d1-{t}" not in taken]
    new_start = dt.time(int(free[0][:2]), int(free[0][2:]))
    _pin(ready, requests.get(from_organisation=ready.mori), new_start, day=ready.day1)
    third = run(ready, on_commit)
    mailbox.clear()
    with on_commit():
        services.schedule_publish(actor=ready.staff, version=third)
    assert sorted(m["To"] for m in mailbox.messages) == ["asha@example.com", "yuki@example.com"]
    yuki = mailbox.to("yuki@example.com")[0]
    assert "~ Moved: meeting with Sneha Tea Estates from Tue 10 Feb 2026, " in mailbox.text(yuki)
    moved = [e for e in ics_of(yuki).walk("VEVENT") if str(e["summary"]).startswith("Meeting")]
    assert [(int(e["sequence"]), e.decoded("dtstart").strftime("%H:%M")) for e in moved] == [
        (3, new_start.strftime("%H:%M"))
    ]


def test_publish_is_refused_twice_and_for_non_staff(ready, on_commit):
    version = run(ready, on_commit)
    with pytest.raises(PermissionDenied):
        services.schedule_publish(actor=ready.kenji, version=version)
    services.schedule_publish(actor=ready.staff, version=version)
    with pytest.raises(ValidationError) as exc:
        services.schedule_publish(actor=ready.staff, version=version)
    assert exc.value.message_dict == {"version": ["Version 1 is already published."]}


@pytest.mark.worker
def test_schedule_task_runs_once_on_the_real_worker(celery_worker, transactional_db):
    w = with_requests(accept_and_host(build_world()))
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    # The on-commit enqueue ran (autocommit): the worker claims and solves the version.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.status in {"done", "failed"}:
            break
        time.sleep(0.2)
    assert (version.status, version.solver_status) == ("done", "optimal")
    # Delivered again (as after a crash or a duplicate delivery): nothing happens twice.
    delegation_schedule.delay(version.pk)
    time.sleep(2)
    assert ScheduledMeeting.objects.filter(version=version).count() == 3


def test_infeasible_reason_names_the_culprit_first(ready, on_commit):
    for request in ready.delegation.meeting_requests.filter(from_organisation=ready.kato):
        services.meeting_request_pin(
            actor=ready.staff, request=request, day=ready.day1, start=dt.time(9, 30)
        )
    version = run(ready, on_commit)
    assert version.error.startswith(
        "Infeasible: required, but Assam Bamboo Works is unavailable in fixed slot d1-0930;"
    )
