"""The trip: a delegation, its days (one city each), the daily grid's breaks and the group
activities (site visits, briefings) during which delegates have no meetings."""

import datetime as dt
import zoneinfo

from django.db import models
from django.db.models import F, Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from events.models import validate_time_zone


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
    # After this, members can no longer make, take back or answer meeting requests, nor
    # change when they cannot meet (staff still can).
    requests_close_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Meeting requests and availability are read-only for members after this.",
    )
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
