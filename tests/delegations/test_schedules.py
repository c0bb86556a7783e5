"""The scheduler integration end to end: problem from the database → task → version saved →
publish → itinerary emails with .ics (parsed back), revisions, infeasible problems, and the
real worker."""

import datetime as dt
import random
import time
import zoneinfo

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from events.delegations import services
from events.delegations.models import (
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    MeetingRequest,
    ScheduledMeeting,
    ScheduleVersion,
)
from events.delegations.tasks import delegation_schedule
from events.scheduling import check
from tests.factories import DelegationDayFactory, OrganisationFactory
from tests.worlds import accept_and_host, build_world, with_requests, with_visit

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


# --- Site visits ----------------------------------------------------------------------------


def test_site_visit_is_stored_one_row_per_visitor_at_the_site(ready, on_commit):
    w = with_visit(ready)
    version = run(w, on_commit)
    # Travel makes it harder to prove within the 5 s: a valid schedule is what counts here.
    assert (version.status, version.publishable) == ("done", True)
    assert check(version.problem, version.solution) == []
    rows = list(ScheduledMeeting.objects.filter(version=version, visit=w.visit))
    assert sorted((r.delegate_id, r.host_id, r.table, r.venue) for r in rows) == [
        (w.kato.pk, w.sneha.pk, None, "Sneha tea estate, Sanand"),
        (w.mori.pk, w.sneha.pk, None, "Sneha tea estate, Sanand"),
    ]
    assert len({r.slot for r in rows}) == 1
    # The travel rule: 40 minutes between the venue and the estate for everybody there.
    legs = version.solution["travel"]
    assert legs and all(leg["minutes"] == 40 for leg in legs)


def test_site_visit_over_the_visitor_limit_is_refused(ready):
    w = with_visit(ready, visitor_limit=1)
    with pytest.raises(ValidationError) as exc:
        services.validate_visit(delegation=w.delegation, site=w.estate, delegates=[w.kato, w.mori])
    assert exc.value.message_dict == {"delegates": ["The site takes at most 1 visitor at once."]}


# --- Stable re-planning ---------------------------------------------------------------------


def slots_of(version) -> dict:
    return {
        (m.delegate_id, m.host_id): m.slot for m in ScheduledMeeting.objects.filter(version=version)
    }


def publish(w, version, on_commit):
    with on_commit():
        services.schedule_publish(actor=w.staff, version=version)
    w.delegation.refresh_from_db()


def test_rerun_after_publication_keeps_every_meeting_where_it_was(published, on_commit, mailbox):
    w = published
    before = slots_of(w.version)
    # A delegate cancels (Mori no longer travels): the meetings that remain stay put.
    services.application_decide(actor=w.staff, application=w.app_mori, status="rejected")
    second = run(w, on_commit)
    assert sorted(p["meeting"] for p in second.problem["previous"]) == sorted(
        f"m-{d}-{h}" for d, h in before if d != w.mori.pk
    )
    assert second.moved == 0
    after = slots_of(second)
    assert after == {k: v for k, v in before.items() if k[0] != w.mori.pk}


def test_locked_meeting_never_moves(published, on_commit):
    w = published
    kato_sneha = ScheduledMeeting.objects.get(version=w.version, delegate=w.kato, host=w.sneha)
    services.scheduled_meeting_lock(
        actor=w.staff, meetings=ScheduledMeeting.objects.filter(pk=kato_sneha.pk), locked=True
    )
    # Mori × Sneha pinned to the locked meeting's slot: Sneha cannot be in both, and the
    # locked meeting does not give way — the version is infeasible, with the reason.
    mori = w.delegation.meeting_requests.get(from_organisation=w.mori)
    start = kato_sneha.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    services.meeting_request_pin(actor=w.staff, request=mori, day=w.day1, start=start.time())
    blocked = run(w, on_commit)
    assert (blocked.status, blocked.solver_status) == ("done", "infeasible")
    # Unpinned again, the re-run keeps the locked meeting (still locked) in its slot.
    services.meeting_request_pin(actor=w.staff, request=mori, day=None, start=None)
    again = run(w, on_commit)
    kept = ScheduledMeeting.objects.get(version=again, delegate=w.kato, host=w.sneha)
    assert (kept.slot, kept.locked) == (kato_sneha.slot, True)


def test_only_meetings_of_the_published_version_can_be_locked(ready, on_commit):
    version = run(ready, on_commit)
    with pytest.raises(ValidationError) as exc:
        services.scheduled_meeting_lock(
            actor=ready.staff,
            meetings=ScheduledMeeting.objects.filter(version=version),
            locked=True,
        )
    assert exc.value.message_dict == {
        "meetings": ["Only meetings of the published schedule version can be locked."]
    }
    with pytest.raises(PermissionDenied):
        services.scheduled_meeting_lock(
            actor=ready.kenji, meetings=ScheduledMeeting.objects.none(), locked=True
        )


def test_revision_email_tells_only_the_changed_what_changed_in_their_zone(
    published, on_commit, mailbox
):
    w = published
    w.kenji.profile.time_zone = "Asia/Tokyo"
    w.kenji.profile.save()
    bamboo = ScheduledMeeting.objects.get(version=w.version, delegate=w.kato, host=w.bamboo)
    # Kato's meeting with Bamboo moves to another slot of day 2; nothing else changes.
    other = next(
        t for t in ("09:00", "09:30", "10:00", "11:00") if f"d2-{t[:2]}{t[3:]}" != bamboo.slot
    )
    request = w.delegation.meeting_requests.get(to_organisation=w.bamboo)
    services.meeting_request_pin(
        actor=w.staff, request=request, day=w.day2, start=dt.time.fromisoformat(other)
    )
    second = run(w, on_commit)
    assert second.moved == 1
    mailbox.clear()
    publish(w, second, on_commit)
    assert sorted(m["To"] for m in mailbox.messages) == ["kenji@example.com", "ravi@example.com"]
    kenji = mailbox.text(mailbox.to("kenji@example.com")[0])
    moved = ScheduledMeeting.objects.get(version=second, delegate=w.kato, host=w.bamboo)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    new_tokyo = f"{moved.starts_at.astimezone(tokyo):%H:%M}–{moved.ends_at.astimezone(tokyo):%H:%M} JST (Asia/Tokyo)"
    old_tokyo = f"{bamboo.starts_at.astimezone(tokyo):%H:%M}–{bamboo.ends_at.astimezone(tokyo):%H:%M} JST (Asia/Tokyo)"
    assert "～ 変更：Assam Bamboo Works との面談 2026年2月11日(水) " in kenji
    assert (
        f"（お客様の時間 2026年2月11日(水) {old_tokyo} → 2026年2月11日(水) {new_tokyo}）" in kenji
    )
    assert f"/delegations/{w.delegation.pk}/itinerary/" in kenji
    ravi = mailbox.text(mailbox.to("ravi@example.com")[0])
    assert "~ Moved: meeting with Kato Precision from Wed 11 Feb 2026, " in ravi
    assert "for you" not in ravi  # ravi keeps the city's zone


# --- Progress and stopping ------------------------------------------------------------------


def test_stop_a_queued_version_before_it_starts(ready):
    version = services.schedule_run(actor=ready.staff, delegation=ready.delegation, time_limit=5)
    stopped = services.schedule_stop(actor=ready.staff, version=version)
    assert (stopped.status, stopped.error) == ("failed", "Stopped by staff before it started.")
    assert delegation_schedule(version.pk) is None
    with pytest.raises(ValidationError) as exc:
        services.schedule_stop(actor=ready.staff, version=stopped)
    assert exc.value.message_dict == {"version": ["Version 1 is not running."]}


def test_progress_is_stored_and_final_figures_kept(ready, on_commit):
    version = run(ready, on_commit)
    assert (version.phase, version.scheduled_weight, version.breaks) == ("done", 14, 0)


def big_delegation(w, *, delegates: int = 24, hosts: int = 24, per_delegate: int = 9):
    """The `w` delegation with many delegates, hosts and requests on a full-day grid: a
    problem the scheduler needs well over several seconds to prove."""
    rng = random.Random(7)
    Delegation.objects.filter(pk=w.delegation.pk).update(
        first_slot_start=dt.time(9, 0), last_slot_end=dt.time(17, 0), places=delegates + 5
    )
    day3 = DelegationDayFactory(
        delegation=w.delegation, date=dt.date(2026, 2, 12), city="Guwahati", tables=6
    )
    days = [w.day1, w.day2, day3]
    DelegationDay.objects.filter(pk__in=[d.pk for d in days]).update(tables=6)
    delegate_orgs = [OrganisationFactory(country="JP") for _ in range(delegates)]
    host_orgs = [OrganisationFactory(country="IN") for _ in range(hosts)]
    for org in delegate_orgs:
        DelegationApplication.objects.create(
            delegation=w.delegation, organisation=org, status="accepted", objectives="x"
        )
    for i, org in enumerate(host_orgs):
        host = DelegationHost.objects.create(delegation=w.delegation, organisation=org)
        host.days.set([days[i % 3]] if i % 4 else [])
    requests = []
    for org in delegate_orgs:
        for target in rng.sample(host_orgs, per_delegate):
            priority = rng.choice(["must_meet", "high", "normal", "normal"])
            requests.append(
                MeetingRequest(
                    delegation=w.delegation,
                    from_organisation=org,
                    to_organisation=target,
                    priority=priority,
                )
            )
    MeetingRequest.objects.bulk_create(requests)
    return w


@pytest.mark.worker
def test_real_worker_reports_progress_and_stops_with_the_best_schedule(
    celery_worker, transactional_db
):
    w = big_delegation(build_world())
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=120)
    reports = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(reports) < 3:
        version.refresh_from_db()
        assert version.status in {"queued", "running"}, version.error
        if version.progress_at is not None:
            reports.add(version.progress_at)
        time.sleep(0.3)
    # Several reports seen while it ran: the figures of the best schedule so far.
    assert len(reports) >= 3
    assert version.scheduled_weight is not None and version.phase in {"weight", "breaks", "sat"}
    stopped_at = time.monotonic()
    services.schedule_stop(actor=w.staff, version=version)
    while time.monotonic() < stopped_at + 30:
        version.refresh_from_db()
        if version.status in {"done", "failed"}:
            break
        time.sleep(0.3)
    assert time.monotonic() - stopped_at < 15
    assert (version.status, version.solver_status) == ("done", "feasible")
    assert version.error.startswith("Stopped by staff after ")
    assert version.error.endswith(": the best schedule found is kept.")
    assert version.seconds < 100
    assert check(version.problem, version.solution) == []
    stored = ScheduledMeeting.objects.filter(version=version).count()
    assert stored == len(version.solution["scheduled"]) > 0
    assert version.publishable


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_run_goes_on_in_a_thread_that_can_be_stopped(settings):
    """`make run` has no worker: the version is solved in a thread of the web process, so
    the admin page shows its progress and the stop button works as with a worker."""
    settings.DELEGATION_SCHEDULER_THREAD = True
    w = big_delegation(build_world(), delegates=12, hosts=12, per_delegate=6)
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.progress_at is not None or version.status in {"done", "failed"}:
            break
        time.sleep(0.2)
    if version.status == "running":
        services.schedule_stop(actor=w.staff, version=version)
    while time.monotonic() < deadline + 30 and version.status in {"queued", "running"}:
        time.sleep(0.2)
        version.refresh_from_db()
    assert version.status == "done" and version.publishable, version.error
    assert check(version.problem, version.solution) == []


def test_api_version_carries_the_run_figures_and_locks(published, on_commit):
    w = published
    client = APIClient()
    client.force_login(w.staff)
    body = client.get(f"/api/v1/delegations/{w.delegation.pk}/schedules/1/").json()
    assert {k: body[k] for k in ("phase", "moved", "weight_bound", "stop_requested_at")} == {
        "phase": "done",
        "moved": None,
        "weight_bound": body["weight_bound"],
        "stop_requested_at": None,
    }
    assert {(m["locked"], m["visit"]) for m in body["meetings"]} == {(False, None)}


def test_rerun_after_a_no_thanks_and_new_unavailability_moves_only_what_must(published, on_commit):
    w = published
    before = slots_of(w.version)
    mori = w.delegation.meeting_requests.get(from_organisation=w.mori)
    services.meeting_request_answer(actor=w.asha, request=mori, answer="declined")
    # Bamboo now cannot meet in the slot of its meeting with Kato: that one has to move.
    bamboo = ScheduledMeeting.objects.get(version=w.version, host=w.bamboo)
    local = bamboo.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    w.host_bamboo.unavailable.create(
        day=w.day2, start=local.time(), end=(local + dt.timedelta(minutes=30)).time()
    )
    second = run(w, on_commit)
    after = slots_of(second)
    assert second.moved == 1
    assert after[(w.kato.pk, w.sneha.pk)] == before[(w.kato.pk, w.sneha.pk)]
    assert after[(w.kato.pk, w.bamboo.pk)] != before[(w.kato.pk, w.bamboo.pk)]
    assert (w.mori.pk, w.sneha.pk) not in after
