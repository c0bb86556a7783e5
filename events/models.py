"""Events, registrations with waitlists, and personal calendar feed tokens."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Imported here too: the migrations name it events.models.validate_time_zone.
from forum_site.i18n import validate_time_zone


class EventKind(models.TextChoices):
    FORUM_SESSION = "forum_session", _("Forum session")
    COUNCIL_MEETING = "council_meeting", _("Council meeting")
    PITCH_SESSION = "pitch_session", _("Pitch session")
    WEBINAR = "webinar", _("Webinar")
    SITE_VISIT = "site_visit", _("Site visit")
    DELEGATION_BRIEFING = "delegation_briefing", _("Delegation briefing")


class EventVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members of the platform only")
    INVITATION = "invitation", _("Invitation only")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class RegistrationWindow(models.TextChoices):
    NOT_YET = "not_yet", _("Registration not open yet")
    OPEN = "open", _("Registration open")
    CLOSED = "closed", _("Registration closed")


# When and where an event takes place: a change to any of these (or to the status) is a
# new revision for calendar apps (RFC 5545 SEQUENCE).
EVENT_WHEN_WHERE = (
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "address",
    "city",
    "country",
    "online_url",
)


# The seat rule, once: a newcomer gets a seat while the event has one free (no capacity:
# unlimited), otherwise the end of the waitlist. Evaluated by the database on the locked row
# (`events/services/registrations.py: registration_create`).
SEAT_FREE = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))


class Event(models.Model):
    Kind = EventKind
    Visibility = EventVisibility
    Status = EventStatus

    platform = models.ForeignKey(
        "members.Platform", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Asia/Kolkata",
        validators=[validate_time_zone],
        help_text="The event's own time zone, e.g. Asia/Kolkata or Asia/Tokyo.",
    )
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True, db_index=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 code, e.g. IN, JP.")
    online_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats; empty means unlimited."
    )
    max_per_organisation = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Most registrations (confirmed or waitlisted) one organisation may hold.",
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=12, choices=EventVisibility.choices, default=EventVisibility.PUBLIC
    )
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    organiser_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organised_events", blank=True
    )
    organiser_organisations = models.ManyToManyField(
        "members.Organisation", related_name="organised_events", blank=True
    )
    sectors = models.ManyToManyField("members.Sector", related_name="events", blank=True)
    # Denormalised counters, changed only by the services under the event's row lock; the
    # check constraint below is the backstop against overbooking.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    waitlist_length = models.PositiveIntegerField(default=0, editable=False)
    # RFC 5545 SEQUENCE: bumped by the services when times, venue or status change.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "visibility", "starts_at"]),
            models.Index(fields=["platform", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values), name="event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=EventVisibility.values), name="event_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_never_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(max_per_organisation__isnull=True) | Q(max_per_organisation__gte=1),
                name="event_max_per_organisation_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def registration_deadline(self):
        """Without a closing time, registration closes when the event starts."""
        return self.registration_closes_at or self.starts_at

    def registration_window(self, now) -> str:
        """Where `now` falls in the registration window (a RegistrationWindow value)."""
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationWindow.NOT_YET
        if now >= self.registration_deadline:
            return RegistrationWindow.CLOSED
        return RegistrationWindow.OPEN

    @property
    def shown_online_url(self) -> str:
        """The online link as the reader may see it: events read through
        `events.selectors` carry `online_link` (empty for outsiders of a members-only event);
        an event read directly (a registrant's email, their own feed) shows its link."""
        return getattr(self, "online_link", self.online_url)

    def location_text(self) -> str:
        parts = [p for p in (self.venue, self.address, self.city) if p]
        if self.shown_online_url:
            parts.append(self.shown_online_url)
        return ", ".join(parts)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")


ACTIVE_REGISTRATION = ~Q(status=RegistrationStatus.CANCELLED)


class Registration(models.Model):
    """A person, for an organisation, at an event."""

    Status = RegistrationStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    # 1..n among the event's waitlisted registrations, in the order they joined; the order
    # never changes, positions close up when someone ahead leaves the waitlist.
    waitlist_position = models.IntegerField(null=True, blank=True)
    via_invitation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last state the person was emailed about ("confirmed", "waitlisted",
    # "event_cancelled"); the notification task claims a change with a conditional UPDATE.
    notified_state = models.CharField(max_length=16, blank=True, default="", editable=False)
    # When the sweeper last enqueued this registration's email (at most once per
    # REGISTRATION_SWEEP_EVERY_MINUTES, so a mail server down for hours meets no pile-up).
    notify_swept_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=ACTIVE_REGISTRATION,
                name="registration_one_active_per_person",
            ),
            # NULLs are distinct, so only waitlisted rows take part.
            models.UniqueConstraint(
                fields=["event", "waitlist_position"], name="registration_unique_waitlist_position"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=RegistrationStatus.WAITLISTED) & Q(waitlist_position__isnull=False)
                )
                | (~Q(status=RegistrationStatus.WAITLISTED) & Q(waitlist_position__isnull=True)),
                name="registration_position_iff_waitlisted",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event} ({self.get_status_display()})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a person's calendar feed URL. Revoking it means generating a new one.

    The token is kept (not only its hash) so the person can look the URL up again; it grants
    read access to their own confirmed events only.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class RegistrationReminder(models.Model):
    """The day-before reminder sent to a confirmed registrant (at most one per registration:
    inserting this row is the claim)."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Reminder for registration {self.registration_id}"
