"""Site visits: a host's own premises (a factory, a tea estate) and the visits delegates pay
there, alone or as a group, within the site's visitor limit and the travel time from the
day's venue."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.delegations.models.delegations import Delegation
from events.delegations.models.participants import DelegationHost, MeetingPriority


class HostSite(models.Model):
    """Premises of a host firm where delegates can visit it (scheduler location `site-<id>`)."""

    host = models.ForeignKey(DelegationHost, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200, help_text="E.g. “Kato India plant, Sanand”.")
    name_ja = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    visitor_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The most delegates at the site at once (empty: no limit).",
    )
    travel_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Minutes from the day's venue in the city to the site, one way."
    )

    class Meta:
        ordering = ["host", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visitor_limit__isnull=True) | Q(visitor_limit__gte=1),
                name="host_site_visitor_limit_min",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        """The scheduler's location id."""
        return f"site-{self.pk}"


class SiteVisit(models.Model):
    """Delegates visiting a host at its site, together (a group visit) in one slot."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="visits")
    site = models.ForeignKey(HostSite, on_delete=models.CASCADE, related_name="visits")
    delegates = models.ManyToManyField("members.Organisation", related_name="+")
    priority = models.CharField(
        max_length=10, choices=MeetingPriority.choices, default=MeetingPriority.HIGH
    )
    note = models.TextField(blank=True)
    dropped = models.BooleanField(default=False, help_text="Dropped by staff: not scheduled.")

    class Meta:
        ordering = ["delegation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__in=MeetingPriority.values), name="site_visit_priority_valid"
            )
        ]

    def __str__(self) -> str:
        return _("Visit to %(site)s") % {"site": self.site}
