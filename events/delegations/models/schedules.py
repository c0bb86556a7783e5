"""Schedule versions (one per scheduler run) with their meetings and the requests left out;
the published version is everybody's itinerary."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.delegations.models.delegations import Delegation, DelegationDay
from events.delegations.models.participants import MeetingRequest


class VersionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SolverStatus(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal")
    FEASIBLE = "feasible", _("Feasible (not proven optimal)")
    INFEASIBLE = "infeasible", _("Infeasible")
    UNKNOWN = "unknown", _("Unknown (nothing found in time)")


class ScheduleVersion(models.Model):
    """One run of the scheduler for a delegation; the published one is the itinerary."""

    Status = VersionStatus
    SolverStatus = SolverStatus

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="schedule_versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    solver_status = models.CharField(max_length=10, choices=SolverStatus.choices, blank=True)
    scheduled_weight = models.PositiveIntegerField(null=True, blank=True)
    breaks = models.PositiveIntegerField(null=True, blank=True)
    bound_breaks = models.PositiveIntegerField(null=True, blank=True)
    # While the run goes on, the figures above are the best found so far; with these, the
    # proven bound on the weight, the moved meetings (re-planning) and when they were seen.
    weight_bound = models.PositiveIntegerField(null=True, blank=True)
    moved = models.PositiveIntegerField(null=True, blank=True)
    phase = models.CharField(max_length=8, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    # Staff asked to stop the run: the task ends it with the best schedule found so far.
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    time_limit = models.FloatField(null=True, blank=True)
    problem = models.JSONField(null=True, blank=True)
    solution = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The version published before this one (what participants were emailed last).
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Claimed by the publication task so each itinerary email goes out once.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["delegation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "number"], name="schedule_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="schedule_version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | Q(status=VersionStatus.DONE, solver_status__in=["optimal", "feasible"]),
                name="schedule_version_published_only_if_solved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegation} — schedule v{self.number}"

    @property
    def publishable(self) -> bool:
        return self.status == VersionStatus.DONE and self.solver_status in {
            SolverStatus.OPTIMAL,
            SolverStatus.FEASIBLE,
        }


class ScheduledMeeting(models.Model):
    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="meetings")
    request = models.ForeignKey(
        MeetingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.ForeignKey(DelegationDay, on_delete=models.CASCADE, related_name="+")
    slot = models.CharField(max_length=32, help_text="The scheduler's slot id, e.g. d1-0900.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    city = models.CharField(max_length=100)
    venue = models.CharField(max_length=200, blank=True)
    # None for a site visit (it takes no table of the venue).
    table = models.PositiveSmallIntegerField(null=True, blank=True)
    delegate = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(default=1)
    mutual = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    # Locked by staff on the published version: a re-run keeps it in this slot.
    locked = models.BooleanField(default=False)
    # A site visit: one row per visiting delegate, all with the same visit and site.
    visit = models.ForeignKey(
        "SiteVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "HostSite", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    travel_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a site visit: minutes from the day's venue."
    )

    class Meta:
        ordering = ["starts_at", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "slot", "table"], name="scheduled_meeting_one_per_table"
            ),
            models.UniqueConstraint(
                fields=["version", "slot", "delegate"], name="scheduled_meeting_delegate_once"
            ),
            models.UniqueConstraint(
                fields=["version", "slot", "host"],
                condition=Q(visit__isnull=True),
                name="scheduled_meeting_host_once",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "delegate"]),
            models.Index(fields=["version", "host"]),
        ]

    def __str__(self) -> str:
        where = f"table {self.table}" if self.table else (self.venue or self.city)
        return f"{self.delegate} × {self.host} at {self.starts_at:%d %b %H:%M}, {where}"


class UnscheduledRequest(models.Model):
    """A requested meeting (or site visit: `visit`) the version does not schedule."""

    version = models.ForeignKey(
        ScheduleVersion, on_delete=models.CASCADE, related_name="unscheduled"
    )
    request = models.ForeignKey(
        MeetingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delegate = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    visit = models.ForeignKey(
        "SiteVisit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delegate} × {self.host}: {self.reason}"
