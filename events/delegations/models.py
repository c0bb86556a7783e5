"""Trade delegations: applications, hosts, meeting requests and schedule versions.

A delegation visits one city per day. Delegates (the accepted applicants' organisations)
and hosts (organisations of the visited country) ask to meet; the scheduler in
`events/scheduling/` places the meetings in the daily grid, and a published
`ScheduleVersion` is everybody's itinerary.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from events.models import validate_time_zone

__all__ = [
    "ApplicationStatus",
    "Delegation",
    "DelegationApplication",
    "DelegationBreak",
    "DelegationDay",
    "DelegationDirection",
    "DelegationHost",
    "DelegationStatus",
    "GroupActivity",
    "HostUnavailability",
    "MeetingPriority",
    "MeetingRequest",
    "PRIORITY_WEIGHT",
    "ScheduledMeeting",
    "ScheduleVersion",
    "SolverStatus",
    "UnscheduledRequest",
    "VersionStatus",
]


class DelegationDirection(models.TextChoices):
    JAPAN_TO_INDIA = "jp_to_in", _("Japan → India")
    INDIA_TO_JAPAN = "in_to_jp", _("India → Japan")


class DelegationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Applications closed")
    SCHEDULING = "scheduling", _("Scheduling")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Delegation(models.Model):
    Direction = DelegationDirection
    Status = DelegationStatus

    platform = models.ForeignKey(
        "members.Platform", on_delete=models.PROTECT, related_name="delegations"
    )
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(blank=True)
    direction = models.CharField(max_length=8, choices=DelegationDirection.choices)
    sectors = models.ManyToManyField("members.Sector", related_name="delegations", blank=True)
    places = models.PositiveSmallIntegerField(help_text="How many companies can take part.")
    applications_open_at = models.DateTimeField(null=True, blank=True)
    applications_close_at = models.DateTimeField(null=True, blank=True)
    # The daily meeting grid: slots of `slot_minutes` from `first_slot_start` until
    # `last_slot_end`, minus the breaks (DelegationBreak) and group activities.
    first_slot_start = models.TimeField(default=dt.time(9, 0))
    last_slot_end = models.TimeField(default=dt.time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    status = models.CharField(
        max_length=12, choices=DelegationStatus.choices, default=DelegationStatus.DRAFT
    )
    # Changed only by the services under the delegation's row lock; the check constraint
    # is the backstop against accepting more companies than there are places.
    accepted_count = models.PositiveSmallIntegerField(default=0, editable=False)
    published_version = models.ForeignKey(
        "ScheduleVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=DelegationDirection.values),
                name="delegation_direction_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DelegationStatus.values), name="delegation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(accepted_count__lte=F("places")), name="delegation_never_overfilled"
            ),
            models.CheckConstraint(
                condition=Q(last_slot_end__gt=F("first_slot_start")),
                name="delegation_grid_ordered",
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5), name="delegation_slot_minutes_min"
            ),
            models.CheckConstraint(
                condition=Q(applications_open_at__isnull=True)
                | Q(applications_close_at__isnull=True)
                | Q(applications_close_at__gt=F("applications_open_at")),
                name="delegation_application_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def delegate_country(self) -> str:
        return "JP" if self.direction == DelegationDirection.JAPAN_TO_INDIA else "IN"

    @property
    def host_country(self) -> str:
        return "IN" if self.direction == DelegationDirection.JAPAN_TO_INDIA else "JP"


class DelegationDay(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    city = models.CharField(max_length=100)
    venue = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    tables = models.PositiveSmallIntegerField(
        default=10, help_text="Meetings that can run at once at this day's venue."
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "date"], name="delegation_day_unique"),
            models.CheckConstraint(condition=Q(tables__gte=1), name="delegation_day_tables_min"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}, {self.city}"

    @property
    def location(self) -> str:
        """The scheduler's location id: the city."""
        return slugify(self.city) or "city"

    def at(self, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(self.date, time, tzinfo=zoneinfo.ZoneInfo(self.time_zone))


class DelegationBreak(models.Model):
    """A daily break in the meeting grid (lunch, coffee): no meetings then, on every day."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="breaks")
    title = models.CharField(max_length=100, default="Lunch")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="delegation_break_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%H:%M}–{self.end:%H:%M}"


class GroupActivity(models.Model):
    """A site visit, briefing or reception for the whole delegation: delegates have no
    meetings then."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="group_activities"
    )
    day = models.ForeignKey(DelegationDay, on_delete=models.CASCADE, related_name="activities")
    start = models.TimeField()
    end = models.TimeField()
    title = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day__date", "start"]
        verbose_name_plural = "group activities"
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="group_activity_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.day.date:%d %b} {self.start:%H:%M})"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DelegationApplication(models.Model):
    """An organisation's application to travel with a delegation (one per organisation)."""

    Status = ApplicationStatus

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="applications"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="delegation_applications"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="delegation_trips", blank=True
    )
    objectives = models.TextField(blank=True)
    seeks = models.TextField(blank=True)
    offers = models.TextField(blank=True)
    preferred_counterparts = models.ManyToManyField(
        "members.Organisation", related_name="+", blank=True
    )
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Set when the applicant's admins were emailed about the current decision; the
    # notification task claims it with a conditional UPDATE.
    decision_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "organisation"], name="delegation_application_unique_org"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="delegation_application_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["delegation", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.delegation} ({self.get_status_display()})"


class DelegationHost(models.Model):
    """An organisation of the visited country meeting the delegation on given days."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="hosts")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="delegation_hostings"
    )
    days = models.ManyToManyField(DelegationDay, related_name="hosts")
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="delegation_hostings", blank=True
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "organisation"], name="delegation_host_unique_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} hosting {self.delegation}"


class HostUnavailability(models.Model):
    host = models.ForeignKey(DelegationHost, on_delete=models.CASCADE, related_name="unavailable")
    day = models.ForeignKey(DelegationDay, on_delete=models.CASCADE, related_name="+")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["day__date", "start"]
        verbose_name_plural = "host unavailability"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="host_unavailability_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day.date:%d %b} {self.start:%H:%M}–{self.end:%H:%M}"


class MeetingPriority(models.TextChoices):
    MUST_MEET = "must_meet", _("Must meet")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


PRIORITY_WEIGHT = {MeetingPriority.MUST_MEET: 5, MeetingPriority.HIGH: 3, MeetingPriority.NORMAL: 1}


class MeetingRequest(models.Model):
    """One organisation asking to meet another (delegate → host or host → delegate).

    Requests of the same pair in both directions are one mutual meeting of double weight.
    Staff may drop a request (kept, not scheduled) or pin it to a slot (it must then take
    place exactly there).
    """

    Priority = MeetingPriority

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="meeting_requests"
    )
    from_organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(
        max_length=10, choices=MeetingPriority.choices, default=MeetingPriority.NORMAL
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dropped = models.BooleanField(default=False, help_text="Dropped by staff: not scheduled.")
    pinned_day = models.ForeignKey(
        DelegationDay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pinned_start = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "from_organisation", "to_organisation"],
                name="meeting_request_unique_pair",
            ),
            models.CheckConstraint(
                condition=~Q(from_organisation=F("to_organisation")),
                name="meeting_request_not_self",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=MeetingPriority.values),
                name="meeting_request_priority_valid",
            ),
            models.CheckConstraint(
                condition=Q(pinned_day__isnull=True, pinned_start__isnull=True)
                | Q(pinned_day__isnull=False, pinned_start__isnull=False),
                name="meeting_request_pin_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation}"

    @property
    def weight(self) -> int:
        return PRIORITY_WEIGHT[self.priority]


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
    table = models.PositiveSmallIntegerField()
    delegate = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(default=1)
    mutual = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)

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
                fields=["version", "slot", "host"], name="scheduled_meeting_host_once"
            ),
        ]
        indexes = [
            models.Index(fields=["version", "delegate"]),
            models.Index(fields=["version", "host"]),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} × {self.host} at {self.starts_at:%d %b %H:%M}, table {self.table}"


class UnscheduledRequest(models.Model):
    version = models.ForeignKey(
        ScheduleVersion, on_delete=models.CASCADE, related_name="unscheduled"
    )
    request = models.ForeignKey(
        MeetingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delegate = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delegate} × {self.host}: {self.reason}"
