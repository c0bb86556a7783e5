"""Every write of delegations: applications, decisions, hosts, meeting requests, schedules.

Places on a delegation are taken in one place per transaction: `_lock_delegation` takes the
delegation's row lock (`forum_site.locking.lock_row`: with a timeout) and
`accepted_count` changes under it; the check constraint `delegation_never_overfilled` is
the backstop. Schedule versions move queued → running → done/failed by conditional UPDATEs
so a task delivered twice does the work once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    DelegationStatus,
    HostUnavailability,
    MeetingRequest,
    ScheduleVersion,
    SolverStatus,
    VersionStatus,
)
from forum_site.locking import Busy, lock_row
from forum_site.permissions import require_staff
from members.models import Affiliation, Membership, Organisation
from members.selectors import organisation_acting_for

log = logging.getLogger(__name__)

# Statuses in which meeting requests may still change.
REQUESTS_OPEN = {
    DelegationStatus.OPEN,
    DelegationStatus.CLOSED,
    DelegationStatus.SCHEDULING,
    DelegationStatus.SCHEDULED,
}
SCHEDULABLE = REQUESTS_OPEN | {DelegationStatus.IN_PROGRESS}


BUSY = "Many decisions are being made on this delegation right now; please try again."


def _lock_delegation(delegation_id: int) -> Delegation:
    """The single place where a transaction locks a delegation (must run inside atomic)."""
    return lock_row(Delegation, delegation_id, busy=BUSY)


def _active_org_ids(user: AbstractBaseUser, *, admin: bool = False) -> set[int]:
    qs = Affiliation.objects.filter(user=user, is_active=True)
    if admin:
        qs = qs.filter(role=Affiliation.Role.ADMIN)
    return set(qs.values_list("organisation_id", flat=True))


def _resolve_organisation(
    actor: AbstractBaseUser,
    organisation: Organisation | None,
    *,
    candidates: set[int],
    what: str,
    admin: bool = False,
) -> Organisation:
    """The organisation `actor` acts for in this delegation (staff may name any)."""
    return organisation_acting_for(
        user=actor,
        organisation=organisation,
        candidates=candidates,
        admin=admin,
        staff_may_choose=True,
        none=f"None of your organisations can {what}.",
        several="You represent several organisations; choose the one you act for.",
    )


# --- Applications ---------------------------------------------------------------------------


def _check_applications_open(delegation: Delegation, now: dt.datetime) -> None:
    if delegation.status != DelegationStatus.OPEN:
        raise ValidationError(
            {"delegation": f"This delegation is {delegation.get_status_display().lower()}."}
        )
    if delegation.applications_open_at and now < delegation.applications_open_at:
        raise ValidationError({"delegation": "Applications have not opened yet."})
    if delegation.applications_close_at and now >= delegation.applications_close_at:
        raise ValidationError({"delegation": "Applications have closed."})


def _check_people(organisation: Organisation, people: Iterable) -> list:
    people = list(people)
    allowed = set(
        Affiliation.objects.filter(
            organisation=organisation, is_active=True, user__in=people
        ).values_list("user_id", flat=True)
    )
    strangers = [p for p in people if p.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"representatives": f"{strangers[0]} does not represent {organisation}."}
        )
    return people


def application_submit(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation | None = None,
    objectives: str = "",
    seeks: str = "",
    offers: str = "",
    representatives: Iterable = (),
    preferred_counterparts: Iterable[Organisation] = (),
) -> DelegationApplication:
    """An organisation admin applies for the organisation to travel with the delegation.

    A withdrawn application may be submitted again; any other existing one is refused.
    """
    now = timezone.now()
    organisation = _resolve_organisation(
        actor,
        organisation,
        candidates=set(
            Organisation.objects.filter(country=delegation.delegate_country).values_list(
                "pk", flat=True
            )
        ),
        what=f"travel with this delegation (it takes {delegation.delegate_country} companies)",
        admin=True,
    )
    _check_applications_open(delegation, now)
    if organisation.country != delegation.delegate_country:
        raise ValidationError(
            {
                "organisation": f"This delegation takes companies from "
                f"{'Japan' if delegation.delegate_country == 'JP' else 'India'}."
            }
        )
    if not Membership.objects.filter(
        organisation=organisation,
        platform_id=delegation.platform_id,
        status=Membership.Status.APPROVED,
    ).exists():
        raise ValidationError(
            {"organisation": f"{organisation} must be a member of {delegation.platform} to apply."}
        )
    people = _check_people(organisation, list(representatives) or [actor])
    counterparts = list(preferred_counterparts)
    if any(c.country != delegation.host_country for c in counterparts):
        raise ValidationError(
            {"preferred_counterparts": "Preferred counterparts are organisations you visit."}
        )
    fields = {"objectives": objectives, "seeks": seeks, "offers": offers}
    with transaction.atomic():
        existing = (
            DelegationApplication.objects.select_for_update()
            .filter(delegation=delegation, organisation=organisation)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    application = DelegationApplication.objects.create(
                        delegation=delegation,
                        organisation=organisation,
                        submitted_by=actor,
                        **fields,
                    )
            except IntegrityError:
                existing = DelegationApplication.objects.get(
                    delegation=delegation, organisation=organisation
                )
        if existing is not None:
            if existing.status != ApplicationStatus.WITHDRAWN:
                raise ValidationError(
                    {
                        "organisation": f"{organisation} has already applied "
                        f"({existing.get_status_display().lower()})."
                    }
                )
            application = existing
            application.status = ApplicationStatus.SUBMITTED
            application.submitted_by = actor
            application.reviewer, application.decided_at, application.decision_note = None, None, ""
            application.decision_notified_at = None
            for key, value in fields.items():
                setattr(application, key, value)
            application.save()
        application.representatives.set(people)
        application.preferred_counterparts.set(counterparts)
    return application


# target status -> statuses it may come from
DECISIONS = {
    ApplicationStatus.SHORTLISTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
    },
    ApplicationStatus.ACCEPTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
    },
    ApplicationStatus.WAITLISTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.ACCEPTED,
    },
    ApplicationStatus.REJECTED: {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.ACCEPTED,
    },
}


def application_decide(
    *, actor: AbstractBaseUser, application: DelegationApplication, status: str, note: str = ""
) -> DelegationApplication:
    """Shortlist, accept, waitlist or reject; the applicant's admins are emailed after commit.

    Accepting takes a place under the delegation's lock and is refused when none is left.
    """
    from events.delegations.tasks import notify_application_decision

    require_staff(actor, "decide on delegation applications")
    if status not in DECISIONS:
        raise ValidationError({"status": f"Cannot set an application to {status!r}."})
    with transaction.atomic():
        delegation = _lock_delegation(application.delegation_id)
        current = DelegationApplication.objects.select_for_update().get(pk=application.pk)
        if current.status == status:
            raise ValidationError(
                {"status": f"The application is already {current.get_status_display().lower()}."}
            )
        if current.status not in DECISIONS[status]:
            raise ValidationError(
                {
                    "status": f"This application is {current.get_status_display().lower()}; it "
                    f"cannot become {ApplicationStatus(status).label.lower()}."
                }
            )
        delta = (status == ApplicationStatus.ACCEPTED) - (
            current.status == ApplicationStatus.ACCEPTED
        )
        if delta > 0 and delegation.accepted_count >= delegation.places:
            raise ValidationError(
                {
                    "status": f"All {delegation.places} places are taken; waitlist the "
                    "application or free a place first."
                }
            )
        if delta:
            Delegation.objects.filter(pk=delegation.pk).update(
                accepted_count=F("accepted_count") + delta
            )
        current.status = status
        current.reviewer = actor
        current.decided_at = timezone.now()
        current.decision_note = note
        current.decision_notified_at = None
        current.save(
            update_fields=[
                "status",
                "reviewer",
                "decided_at",
                "decision_note",
                "decision_notified_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: notify_application_decision.delay(current.pk))
    return current


def application_decide_many(
    *, actor: AbstractBaseUser, applications: Iterable[DelegationApplication], status: str, note=""
) -> tuple[int, list[str]]:
    """Decide on several applications, each in its own transaction (a full delegation
    refuses the rest, not the ones already accepted). Returns (done, error messages)."""
    done, errors = 0, []
    for application in applications:
        try:
            application_decide(actor=actor, application=application, status=status, note=note)
            done += 1
        except (ValidationError, PermissionDenied, Busy) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            errors.append(f"{application.organisation}: {text}")
    return done, errors


def application_withdraw(
    *, actor: AbstractBaseUser, application: DelegationApplication
) -> DelegationApplication:
    """The applicant withdraws (an accepted application frees its place)."""
    if application.organisation_id not in _active_org_ids(actor, admin=True):
        raise PermissionDenied("Only the organisation's admins can withdraw its application.")
    with transaction.atomic():
        delegation = _lock_delegation(application.delegation_id)
        current = DelegationApplication.objects.select_for_update().get(pk=application.pk)
        if current.status in {ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED}:
            raise ValidationError(
                {"status": f"The application is already {current.get_status_display().lower()}."}
            )
        if current.status == ApplicationStatus.ACCEPTED:
            Delegation.objects.filter(pk=delegation.pk).update(
                accepted_count=F("accepted_count") - 1
            )
        current.status = ApplicationStatus.WITHDRAWN
        current.save(update_fields=["status", "updated_at"])
    return current


def application_notify_decision(*, application_id: int) -> bool:
    """Email the applicant's admins about the current decision, once."""
    from events.delegations.emails import send_application_decision

    claimed = DelegationApplication.objects.filter(
        pk=application_id, decision_notified_at__isnull=True, status__in=list(DECISIONS)
    ).update(decision_notified_at=timezone.now())
    if not claimed:
        return False
    application = (
        DelegationApplication.objects.select_related("delegation", "organisation")
        .filter(pk=application_id)
        .first()
    )
    try:
        send_application_decision(application)
    except Exception:
        DelegationApplication.objects.filter(pk=application_id).update(decision_notified_at=None)
        raise
    return True


# --- Hosts ----------------------------------------------------------------------------------


@transaction.atomic
def host_add(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation,
    days: Iterable[DelegationDay] = (),
    representatives: Iterable = (),
    note: str = "",
) -> DelegationHost:
    """Staff add a host organisation of the visited country (on given days; none = all)."""
    require_staff(actor, "manage delegation hosts")
    if organisation.country != delegation.host_country:
        raise ValidationError(
            {"organisation": "Hosts are organisations of the country the delegation visits."}
        )
    days = list(days)
    if any(d.delegation_id != delegation.pk for d in days):
        raise ValidationError({"days": "These days are not days of this delegation."})
    people = _check_people(organisation, representatives)
    try:
        with transaction.atomic():
            host = DelegationHost.objects.create(
                delegation=delegation, organisation=organisation, note=note
            )
    except IntegrityError as exc:
        raise ValidationError({"organisation": f"{organisation} is already a host."}) from exc
    host.days.set(days)
    host.representatives.set(people)
    return host


@transaction.atomic
def host_accept_invitation(
    *,
    representative: AbstractBaseUser,
    delegation: Delegation,
    organisation: Organisation,
    days: Iterable[DelegationDay],
    note: str = "",
) -> DelegationHost:
    """A representative of `organisation` accepted a staff invitation to host `delegation`
    on `days` (events/invitation_services.py checks the invitation: it is the credential).

    Creates the host, or adds the days and the representative to an existing one (a host
    with no days already hosts on every day).
    """
    if organisation.country != delegation.host_country:
        raise ValidationError(
            {"organisation": "Hosts are organisations of the country the delegation visits."}
        )
    if delegation.status in {DelegationStatus.COMPLETED, DelegationStatus.CANCELLED}:
        raise ValidationError(f"This delegation is {delegation.get_status_display().lower()}.")
    days = list(days)
    if any(d.delegation_id != delegation.pk for d in days):
        raise ValidationError({"days": "These days are not days of this delegation."})
    people = _check_people(organisation, [representative])
    host, created = DelegationHost.objects.select_for_update().get_or_create(
        delegation=delegation, organisation=organisation, defaults={"note": note}
    )
    if created:
        host.days.set(days)
    elif days and host.days.exists():
        host.days.add(*days)
    host.representatives.add(*people)
    return host


@transaction.atomic
def host_set_unavailable(
    *,
    actor: AbstractBaseUser,
    host: DelegationHost,
    ranges: Iterable[tuple[DelegationDay, dt.time, dt.time]],
) -> DelegationHost:
    """Replace a host's unavailable time ranges (staff or the host's admins)."""
    if not actor.is_staff and host.organisation_id not in _active_org_ids(actor, admin=True):
        raise PermissionDenied("Only staff or the host's admins can change its availability.")
    rows = []
    for day, start, end in ranges:
        if day.delegation_id != host.delegation_id:
            raise ValidationError({"unavailable": f"{day} is not a day of this delegation."})
        if end <= start:
            raise ValidationError({"unavailable": "Each range must end after it starts."})
        rows.append(HostUnavailability(host=host, day=day, start=start, end=end))
    HostUnavailability.objects.filter(host=host).delete()
    HostUnavailability.objects.bulk_create(rows)
    return host


def host_remove(*, actor: AbstractBaseUser, host: DelegationHost) -> None:
    require_staff(actor, "manage delegation hosts")
    host.delete()


# --- Meeting requests -----------------------------------------------------------------------


def _participants(delegation: Delegation) -> tuple[set[int], set[int]]:
    from events.delegations.selectors import participant_org_ids

    return participant_org_ids(delegation=delegation)


def meeting_request_create(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    to_organisation: Organisation,
    from_organisation: Organisation | None = None,
    priority: str = MeetingRequest.Priority.NORMAL,
    note: str = "",
) -> MeetingRequest:
    """A delegate asks to meet a host, or a host a delegate (staff may add any such pair)."""
    if delegation.status not in REQUESTS_OPEN:
        raise ValidationError(
            {"delegation": f"This delegation is {delegation.get_status_display().lower()}."}
        )
    if priority not in MeetingRequest.Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})
    delegates, hosts = _participants(delegation)
    from_organisation = _resolve_organisation(
        actor,
        from_organisation,
        candidates=delegates | hosts,
        what="request meetings in this delegation",
    )
    validate_pair(
        delegation=delegation, from_organisation=from_organisation, to_organisation=to_organisation
    )
    try:
        with transaction.atomic():
            return MeetingRequest.objects.create(
                delegation=delegation,
                from_organisation=from_organisation,
                to_organisation=to_organisation,
                priority=priority,
                note=note,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"to_organisation": f"{from_organisation} already asked to meet {to_organisation}."}
        ) from exc


def meeting_request_delete(*, actor: AbstractBaseUser, request: MeetingRequest) -> None:
    """The requesting organisation's people (or staff) take a request back."""
    if not actor.is_staff and request.from_organisation_id not in _active_org_ids(actor):
        raise PermissionDenied("Only the requesting organisation can delete its request.")
    if not actor.is_staff and request.delegation.status not in REQUESTS_OPEN:
        raise ValidationError({"delegation": "Requests of this delegation can no longer change."})
    request.delete()


def meeting_request_drop(
    *, actor: AbstractBaseUser, request: MeetingRequest, dropped: bool = True
) -> MeetingRequest:
    """Staff drop a request from scheduling (kept for the record) or restore it."""
    require_staff(actor, "drop meeting requests")
    request.dropped = dropped
    request.save(update_fields=["dropped"])
    return request


def meeting_request_edit(
    *, actor: AbstractBaseUser, request: MeetingRequest, priority: str, note: str
) -> MeetingRequest:
    """Staff change a request's priority or note (the scheduler weighs the priority)."""
    require_staff(actor, "edit meeting requests")
    if priority not in MeetingRequest.Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})
    request.priority, request.note = priority, note
    request.save(update_fields=["priority", "note"])
    return request


def validate_pin(*, delegation: Delegation, day: DelegationDay | None, start) -> None:
    from events.delegations.problem import day_slot_starts

    if (day is None) != (start is None):
        raise ValidationError({"pinned_start": "Give both the day and the start time, or neither."})
    if day is None:
        return
    if day.delegation_id != delegation.pk:
        raise ValidationError({"pinned_day": "This day is not a day of the delegation."})
    starts = {s for s, _ in day_slot_starts(delegation)}
    if start.hour * 60 + start.minute not in starts or start.second:
        choices = ", ".join(f"{s // 60:02d}:{s % 60:02d}" for s in sorted(starts))
        raise ValidationError({"pinned_start": f"Not a slot start; choose one of {choices}."})


def validate_pair(
    *, delegation: Delegation, from_organisation: Organisation, to_organisation: Organisation
) -> None:
    """A request is between an accepted delegate and a host of the delegation."""
    delegates, hosts = _participants(delegation)
    a, b = from_organisation.pk, to_organisation.pk
    if (a in delegates and b in hosts) or (a in hosts and b in delegates):
        return
    if a not in delegates | hosts:
        raise PermissionDenied(f"{from_organisation} does not take part in this delegation.")
    raise ValidationError(
        {
            "to_organisation": "Meetings are between a delegate and a host; "
            f"{to_organisation} is not on the other side."
        }
    )


def meeting_request_pin(
    *,
    actor: AbstractBaseUser,
    request: MeetingRequest,
    day: DelegationDay | None,
    start: dt.time | None,
) -> MeetingRequest:
    """Staff fix the slot of a meeting (day and start time of a grid slot); None unpins.

    A pinned meeting must take place there: a pin that cannot be honoured makes the next
    schedule infeasible, with the reason.
    """

    require_staff(actor, "pin meetings")
    validate_pin(delegation=request.delegation, day=day, start=start)
    request.pinned_day, request.pinned_start = day, start
    request.save(update_fields=["pinned_day", "pinned_start"])
    return request


# --- Schedules ------------------------------------------------------------------------------


def scheduler_time_limit() -> float:
    return float(getattr(settings, "DELEGATION_SCHEDULER_TIME_LIMIT", 30))


def schedule_run(
    *, actor: AbstractBaseUser, delegation: Delegation, time_limit: float | None = None
) -> ScheduleVersion:
    """Create a queued schedule version; the task solves it after commit."""
    from events.delegations.tasks import delegation_schedule

    require_staff(actor, "run the scheduler")
    limit = min(float(time_limit or scheduler_time_limit()), scheduler_time_limit())
    if limit <= 0:
        raise ValidationError({"time_limit": "The time limit must be positive."})
    with transaction.atomic():
        delegation = _lock_delegation(delegation.pk)
        if delegation.status not in SCHEDULABLE:
            raise ValidationError(
                {
                    "delegation": f"A {delegation.get_status_display().lower()} delegation "
                    "cannot be scheduled."
                }
            )
        number = (
            ScheduleVersion.objects.filter(delegation=delegation).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        version = ScheduleVersion.objects.create(
            delegation=delegation, number=number, created_by=actor, time_limit=limit
        )
        if delegation.status in {DelegationStatus.OPEN, DelegationStatus.CLOSED}:
            Delegation.objects.filter(pk=delegation.pk).update(status=DelegationStatus.SCHEDULING)
        transaction.on_commit(lambda: delegation_schedule.delay(version.pk))
    return version


def _claim_version(version_id: int) -> bool:
    now = timezone.now()
    if ScheduleVersion.objects.filter(pk=version_id, status=VersionStatus.QUEUED).update(
        status=VersionStatus.RUNNING, started_at=now
    ):
        return True
    # A worker that died mid-run left the version running: after its time limit and a
    # grace period, a redelivered task takes it over.
    version = ScheduleVersion.objects.filter(pk=version_id, status=VersionStatus.RUNNING).first()
    if version is None or version.started_at is None:
        return False
    stale = version.started_at + dt.timedelta(seconds=2 * (version.time_limit or 30) + 120)
    if now < stale:
        return False
    return bool(
        ScheduleVersion.objects.filter(
            pk=version_id, status=VersionStatus.RUNNING, started_at=version.started_at
        ).update(started_at=now)
    )


def schedule_execute(*, version_id: int, workers: int | None = None) -> str | None:
    """Solve a queued version: build the problem, solve, check, store. Returns the solver
    status, or None when there was nothing to do (gone, or done by another run)."""
    from events.delegations.problem import DelegationProblemError, build_problem, save_solution
    from events.scheduling import ProblemError, check, solve

    if not _claim_version(version_id):
        return None
    version = ScheduleVersion.objects.select_related("delegation").get(pk=version_id)

    def fail(message: str, problem=None) -> str:
        ScheduleVersion.objects.filter(pk=version_id).update(
            status=VersionStatus.FAILED,
            error=message,
            problem=problem,
            finished_at=timezone.now(),
        )
        return VersionStatus.FAILED

    try:
        problem = build_problem(version.delegation)
    except DelegationProblemError as exc:
        return fail(str(exc))
    if not problem["meetings"]:
        return fail("There is no meeting request between an accepted delegate and a host.", problem)
    try:
        solution = solve(
            problem,
            time_limit=version.time_limit or scheduler_time_limit(),
            workers=workers or getattr(settings, "DELEGATION_SCHEDULER_WORKERS", 2),
            seed=0,
        )
    except ProblemError as exc:
        return fail(f"The scheduler refused the problem: {exc}", problem)
    except Exception as exc:  # the scheduler crashed: record it where staff can see it
        log.exception("delegation scheduler failed on version %s", version_id)
        fail(f"The scheduler failed: {exc.__class__.__name__}: {exc}", problem)
        raise
    errors = check(problem, solution)
    if errors:
        return fail("The schedule did not pass the check: " + "; ".join(errors[:5]), problem)
    save_solution(version, problem, solution)
    return version.solver_status


def schedule_publish(*, actor: AbstractBaseUser, version: ScheduleVersion) -> ScheduleVersion:
    """Make `version` the delegation's itinerary; participants are emailed after commit
    (everybody the first time; for a revision, those whose meetings changed)."""
    from events.delegations.tasks import notify_schedule_published

    require_staff(actor, "publish schedules")
    with transaction.atomic():
        delegation = _lock_delegation(version.delegation_id)
        version = ScheduleVersion.objects.select_for_update().get(pk=version.pk)
        if not version.publishable:
            if version.solver_status == SolverStatus.INFEASIBLE:
                detail = "it is infeasible"
            elif version.status != VersionStatus.DONE:
                detail = f"it is {version.get_status_display().lower()}"
            else:
                detail = "no schedule was found"
            raise ValidationError(
                {"version": f"Version {version.number} cannot be published: {detail}."}
            )
        if version.published_at is not None and delegation.published_version_id == version.pk:
            raise ValidationError({"version": f"Version {version.number} is already published."})
        version.previous_id = delegation.published_version_id
        version.published_at = timezone.now()
        version.published_by = actor
        version.notified_at = None
        version.save(update_fields=["previous", "published_at", "published_by", "notified_at"])
        Delegation.objects.filter(pk=delegation.pk).update(
            published_version=version,
            status=DelegationStatus.SCHEDULED
            if delegation.status in REQUESTS_OPEN
            else delegation.status,
        )
        transaction.on_commit(lambda: notify_schedule_published.delay(version.pk))
    return version


def schedule_notify_published(*, version_id: int) -> int:
    """Email the participants of a published version, once. Returns the emails sent."""
    from events.delegations.emails import send_itineraries

    claimed = ScheduleVersion.objects.filter(
        pk=version_id, published_at__isnull=False, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    version = ScheduleVersion.objects.select_related("delegation", "previous").get(pk=version_id)
    if version.delegation.published_version_id != version.pk:
        return 0  # superseded before the email went out; the newer version tells everyone
    try:
        return send_itineraries(version)
    except Exception:
        ScheduleVersion.objects.filter(pk=version_id).update(notified_at=None)
        raise


def delegation_set_status(*, actor: AbstractBaseUser, delegation: Delegation, status: str):
    require_staff(actor, "change a delegation's status")
    if status not in DelegationStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    Delegation.objects.filter(pk=delegation.pk).update(status=status)
    delegation.refresh_from_db()
    return delegation
