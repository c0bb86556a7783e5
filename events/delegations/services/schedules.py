"""Schedule versions: run (queue), execute (solve in the task), publish, notify.

A version moves queued → running → done/failed by conditional UPDATEs, so a task delivered
twice does the work once; a version left running by a worker that died is taken over once
it is stale. Publishing is claimed the same way (`notified_at`), so each email goes once.
"""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events.delegations.emails import send_itineraries
from events.delegations.models import (
    Delegation,
    DelegationStatus,
    ScheduledMeeting,
    ScheduleVersion,
    SolverStatus,
    VersionStatus,
)
from events.delegations.problem import DelegationProblemError, build_problem, save_solution
from events.delegations.services.common import REQUESTS_OPEN, lock_delegation
from events.scheduling import ProblemError, Progress, check, solve
from forum_site.permissions import require_staff

log = logging.getLogger(__name__)

SCHEDULABLE = REQUESTS_OPEN | {DelegationStatus.IN_PROGRESS}
# A running version whose worker died is taken over after twice its time limit and this.
STALE_GRACE_SECONDS = 120
# How often a running version's progress is stored and its stop flag read (seconds).
PROGRESS_EVERY = 1.0


def scheduler_time_limit() -> float:
    return float(settings.DELEGATION_SCHEDULER_TIME_LIMIT)


# --- Run: a queued version ------------------------------------------------------------------


def _next_number(delegation: Delegation) -> int:
    """Under the delegation's lock, so that two runs do not take the same number."""
    latest = ScheduleVersion.objects.filter(delegation=delegation).aggregate(n=Max("number"))
    return (latest["n"] or 0) + 1


def schedule_run(
    *, actor: AbstractBaseUser, delegation: Delegation, time_limit: float | None = None
) -> ScheduleVersion:
    """Create a queued schedule version; the task solves it after commit."""
    # The task module imports this one (a service and its own task).
    from events.delegations.tasks import delegation_schedule

    require_staff(actor, "run the scheduler")
    limit = min(float(time_limit or scheduler_time_limit()), scheduler_time_limit())
    if limit <= 0:
        raise ValidationError({"time_limit": "The time limit must be positive."})
    with transaction.atomic():
        delegation = lock_delegation(delegation.pk)
        if delegation.status not in SCHEDULABLE:
            raise ValidationError(
                {
                    "delegation": f"A {delegation.get_status_display().lower()} delegation "
                    "cannot be scheduled."
                }
            )
        version = ScheduleVersion.objects.create(
            delegation=delegation,
            number=_next_number(delegation),
            created_by=actor,
            time_limit=limit,
        )
        if delegation.status in {DelegationStatus.OPEN, DelegationStatus.CLOSED}:
            Delegation.objects.filter(pk=delegation.pk).update(status=DelegationStatus.SCHEDULING)
        transaction.on_commit(lambda: _enqueue(delegation_schedule, version.pk))
    return version


def _enqueue(task, version_id: int) -> None:
    """To the worker; without a broker (DELEGATION_SCHEDULER_THREAD, the demo) to a thread of
    this process, so that the request returns and staff watch the run as with a worker."""
    if not settings.DELEGATION_SCHEDULER_THREAD:
        task.delay(version_id)
        return
    thread = threading.Thread(
        target=_execute_in_thread, args=(version_id,), name=f"schedule-{version_id}", daemon=True
    )
    thread.start()


def _execute_in_thread(version_id: int) -> None:
    try:
        schedule_execute(version_id=version_id)
    except Exception:  # recorded on the version by schedule_execute; nobody else to tell
        log.exception("delegation scheduler thread failed on version %s", version_id)
    finally:
        connection.close()  # the thread's own connection


# --- Execute: solve a version (the task) ----------------------------------------------------


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
    limit = version.time_limit or scheduler_time_limit()
    if now < version.started_at + dt.timedelta(seconds=2 * limit + STALE_GRACE_SECONDS):
        return False
    return bool(
        ScheduleVersion.objects.filter(
            pk=version_id, status=VersionStatus.RUNNING, started_at=version.started_at
        ).update(started_at=now)
    )


def _fail(version_id: int, message: str, problem: dict | None = None) -> str:
    """Record why the version has no schedule, where staff see it."""
    ScheduleVersion.objects.filter(pk=version_id).update(
        status=VersionStatus.FAILED, error=message, problem=problem, finished_at=timezone.now()
    )
    return VersionStatus.FAILED


def _store_progress(version_id: int, p: Progress) -> None:
    """The best figures so far, where staff watch the run (the admin page polls them)."""
    ScheduleVersion.objects.filter(pk=version_id, status=VersionStatus.RUNNING).update(
        phase=p.phase[:8],
        scheduled_weight=p.scheduled_weight,
        weight_bound=p.weight_bound,
        moved=p.moved,
        breaks=p.breaks,
        bound_breaks=p.bound,
        seconds=p.seconds,
        progress_at=timezone.now(),
    )


def _stop_requested(version_id: int) -> bool:
    return ScheduleVersion.objects.filter(pk=version_id, stop_requested_at__isnull=False).exists()


def _solve(version: ScheduleVersion, problem: dict, workers: int | None) -> tuple[dict, bool]:
    """Solve in a thread while this one stores the progress and reads the stop flag every
    PROGRESS_EVERY seconds: the solver's callbacks only hand figures over, so the database
    is used from this thread (and its connection) alone. Returns (solution, stopped)."""
    latest: list[Progress] = []
    stop = threading.Event()
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["solution"] = solve(
                problem,
                time_limit=version.time_limit or scheduler_time_limit(),
                workers=workers or settings.DELEGATION_SCHEDULER_WORKERS,
                seed=0,
                progress=latest.append,
                stop=stop,
            )
        except BaseException as exc:  # handed to the calling thread, which raises it
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=f"schedule-v{version.pk}", daemon=True)
    thread.start()
    stored = 0
    while thread.is_alive():
        thread.join(PROGRESS_EVERY)
        if len(latest) > stored:
            stored = len(latest)
            _store_progress(version.pk, latest[-1])
        if thread.is_alive() and not stop.is_set() and _stop_requested(version.pk):
            stop.set()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["solution"], stop.is_set()


def schedule_execute(*, version_id: int, workers: int | None = None) -> str | None:
    """Solve a queued version: build the problem, solve, check, store. Returns the solver
    status, or None when there was nothing to do (gone, or done by another run)."""
    if not _claim_version(version_id):
        return None
    version = ScheduleVersion.objects.select_related("delegation").get(pk=version_id)
    try:
        problem = build_problem(version.delegation)
    except DelegationProblemError as exc:
        return _fail(version_id, str(exc))
    if not problem["meetings"]:
        message = "There is no meeting request between an accepted delegate and a host."
        return _fail(version_id, message, problem)
    try:
        solution, stopped = _solve(version, problem, workers)
    except ProblemError as exc:
        return _fail(version_id, f"The scheduler refused the problem: {exc}", problem)
    except Exception as exc:  # the scheduler crashed: record it where staff can see it
        log.exception("delegation scheduler failed on version %s", version_id)
        _fail(version_id, f"The scheduler failed: {exc.__class__.__name__}: {exc}", problem)
        raise
    errors = check(problem, solution)
    if errors:
        message = "The schedule did not pass the check: " + "; ".join(errors[:5])
        return _fail(version_id, message, problem)
    save_solution(version, problem, solution)
    if stopped:
        note = f"Stopped by staff after {solution.get('seconds', 0):.0f} s"
        version.error = (
            f"{note}: the best schedule found is kept."
            if version.publishable
            else f"{note}. {version.error}"
        )
        version.save(update_fields=["error"])
    return version.solver_status


def schedule_stop(*, actor: AbstractBaseUser, version: ScheduleVersion) -> ScheduleVersion:
    """Stop a run: a running version ends within a few seconds with the best schedule found
    so far (solver status feasible, publishable); a queued one does not start."""
    require_staff(actor, "stop the scheduler")
    now = timezone.now()
    versions = ScheduleVersion.objects.filter(pk=version.pk)
    stopped = versions.filter(status=VersionStatus.QUEUED).update(
        status=VersionStatus.FAILED,
        stop_requested_at=now,
        finished_at=now,
        error="Stopped by staff before it started.",
    ) or versions.filter(status=VersionStatus.RUNNING).update(stop_requested_at=now)
    if not stopped:
        raise ValidationError(
            {"version": _("Version %(number)s is not running.") % {"number": version.number}}
        )
    version.refresh_from_db()
    return version


def scheduled_meeting_lock(
    *, actor: AbstractBaseUser, meetings: QuerySet[ScheduledMeeting], locked: bool
) -> int:
    """Lock (or unlock) meetings of a published version: re-runs keep a locked meeting in
    its slot. A site visit is locked as a whole. Returns the rows changed."""
    require_staff(actor, "lock meetings")
    rows = list(meetings.select_related("version__delegation"))
    stray = [m for m in rows if m.version.delegation.published_version_id != m.version_id]
    if stray:
        raise ValidationError(
            {"meetings": _("Only meetings of the published schedule version can be locked.")}
        )
    changed = 0
    for version_id in {m.version_id for m in rows}:
        mine = [m for m in rows if m.version_id == version_id]
        visits = {m.visit_id for m in mine if m.visit_id}
        same = ScheduledMeeting.objects.filter(version_id=version_id)
        changed += same.filter(pk__in=[m.pk for m in mine if not m.visit_id]).update(locked=locked)
        changed += same.filter(visit_id__in=visits).update(locked=locked)
    return changed


# --- Publish and notify ---------------------------------------------------------------------


def _check_publishable(delegation: Delegation, version: ScheduleVersion) -> None:
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


def schedule_publish(*, actor: AbstractBaseUser, version: ScheduleVersion) -> ScheduleVersion:
    """Make `version` the delegation's itinerary; participants are emailed after commit
    (everybody the first time; for a revision, those whose meetings changed)."""
    # The task module imports this one (a service and its own task).
    from events.delegations.tasks import notify_schedule_published

    require_staff(actor, "publish schedules")
    with transaction.atomic():
        delegation = lock_delegation(version.delegation_id)
        version = ScheduleVersion.objects.select_for_update().get(pk=version.pk)
        _check_publishable(delegation, version)
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
        # Give the claim back so that the task's retry sends it.
        ScheduleVersion.objects.filter(pk=version_id).update(notified_at=None)
        raise
