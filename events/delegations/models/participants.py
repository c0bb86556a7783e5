"""Who takes part and who asks to meet whom: applications (delegates), hosts and their
unavailable times, and meeting requests with their priority weights."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.delegations.models.delegations import Delegation, DelegationDay


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
    # The same capability lists as organisations (members.Capability): what the firm
    # offers and seeks on this trip.
    offers = models.ManyToManyField("members.Capability", related_name="+", blank=True)
    seeks = models.ManyToManyField("members.Capability", related_name="+", blank=True)
    # The free text of applications made when offers/seeks were free text (kept readable;
    # migration 0002 moved what matched a capability into the lists).
    offers_text = models.TextField(blank=True, editable=False)
    seeks_text = models.TextField(blank=True, editable=False)
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


class UnavailableRange(models.Model):
    """A time of one day when a participant cannot meet (the scheduler leaves it free)."""

    day = models.ForeignKey(DelegationDay, on_delete=models.CASCADE, related_name="+")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        abstract = True
        ordering = ["day__date", "start"]

    def __str__(self) -> str:
        return f"{self.day.date:%d %b} {self.start:%H:%M}–{self.end:%H:%M}"


class HostUnavailability(UnavailableRange):
    host = models.ForeignKey(DelegationHost, on_delete=models.CASCADE, related_name="unavailable")

    class Meta(UnavailableRange.Meta):
        verbose_name_plural = "host unavailability"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="host_unavailability_ordered"
            )
        ]


class DelegateUnavailability(UnavailableRange):
    """An accepted delegate's time when it cannot meet (besides the group activities)."""

    application = models.ForeignKey(
        DelegationApplication, on_delete=models.CASCADE, related_name="unavailable"
    )

    class Meta(UnavailableRange.Meta):
        verbose_name_plural = "delegate unavailability"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="delegate_unavailability_ordered"
            )
        ]


class MeetingPriority(models.TextChoices):
    MUST_MEET = "must_meet", _("Must meet")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


PRIORITY_WEIGHT = {MeetingPriority.MUST_MEET: 5, MeetingPriority.HIGH: 3, MeetingPriority.NORMAL: 1}


class RequestAnswer(models.TextChoices):
    """The asked organisation's answer; a declined request is never scheduled."""

    ACCEPTED = "accepted", pgettext_lazy("meeting request answer", "Accepted")
    DECLINED = "declined", pgettext_lazy("meeting request answer", "No thanks")


class MeetingRequest(models.Model):
    """One organisation asking to meet another (delegate → host or host → delegate).

    Requests of the same pair in both directions are one mutual meeting of double weight.
    Staff may drop a request (kept, not scheduled) or pin it to a slot (it must then take
    place exactly there). The asked organisation may answer: accepted, or "no thanks"
    (declined: never scheduled).
    """

    Priority = MeetingPriority
    Answer = RequestAnswer

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
    answer = models.CharField(max_length=8, choices=RequestAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__in=["", *RequestAnswer.values]),
                name="meeting_request_answer_valid",
            ),
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

    @property
    def declined(self) -> bool:
        return self.answer == RequestAnswer.DECLINED
