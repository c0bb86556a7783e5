from django.utils.translation import gettext as _
from rest_framework import serializers

from events.calendar import event_url
from events.models import EVENT_WHEN_WHERE, Event, Registration
from forum_site import fields as strict
from forum_site.links import absolute_url
from members.models import Organisation

LIST_FIELDS = [
    "id",
    "slug",
    "platform__slug",
    "platform__name",
    "kind",
    "title",
    "title_ja",
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "city",
    "country",
    "online_link",
    "capacity",
    "seats_taken",
    "waitlist_length",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
    "status",
]


class EventListSerializer(serializers.Serializer):
    """The list shape. The list view builds these dicts from `.values()` rows directly (see
    `event_list_rows`) to stay fast; this class documents the shape for the schema."""

    id = strict.IntegerField()
    slug = serializers.CharField()
    platform = serializers.CharField(help_text="Platform slug.")
    platform_name = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    title_ja = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField()
    venue = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    online_url = serializers.CharField()
    capacity = strict.IntegerField(allow_null=True)
    seats_left = strict.IntegerField(allow_null=True, help_text="null: unlimited.")
    waitlist_length = strict.IntegerField()
    registration_opens_at = serializers.DateTimeField(allow_null=True)
    registration_closes_at = serializers.DateTimeField(allow_null=True)
    visibility = serializers.CharField()
    status = serializers.CharField()
    sectors = serializers.ListField(child=serializers.CharField())


def _iso(value):
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def event_list_rows(rows: list[dict], sectors: dict[int, list[str]]) -> list[dict]:
    out = []
    for r in rows:
        capacity = r["capacity"]
        out.append(
            {
                "id": r["id"],
                "slug": r["slug"],
                "platform": r["platform__slug"],
                "platform_name": r["platform__name"],
                "kind": r["kind"],
                "title": r["title"],
                "title_ja": r["title_ja"],
                "starts_at": _iso(r["starts_at"]),
                "ends_at": _iso(r["ends_at"]),
                "time_zone": r["time_zone"],
                "venue": r["venue"],
                "city": r["city"],
                "country": r["country"],
                "online_url": r["online_link"],
                "capacity": capacity,
                "seats_left": None if capacity is None else max(capacity - r["seats_taken"], 0),
                "waitlist_length": r["waitlist_length"],
                "registration_opens_at": _iso(r["registration_opens_at"]),
                "registration_closes_at": _iso(r["registration_closes_at"]),
                "visibility": r["visibility"],
                "status": r["status"],
                "sectors": sectors.get(r["id"], []),
            }
        )
    return out


class MyRegistrationSerializer(strict.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "status", "waitlist_position", "organisation"]


class EventDetailSerializer(strict.ModelSerializer):
    platform = serializers.CharField(source="platform.slug")
    platform_name = serializers.CharField(source="platform.name")
    sectors = strict.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    organisers = strict.SlugRelatedField(
        slug_field="name", many=True, read_only=True, source="organiser_organisations"
    )
    seats_left = strict.IntegerField(read_only=True, allow_null=True)
    online_url = serializers.CharField(
        source="shown_online_url",
        read_only=True,
        help_text="The online link; empty for people who may not attend (members-only).",
    )
    my_registration = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "slug",
            "platform",
            "platform_name",
            "kind",
            "title",
            "title_ja",
            "description",
            "description_ja",
            *EVENT_WHEN_WHERE,
            "capacity",
            "seats_taken",
            "seats_left",
            "waitlist_length",
            "max_per_organisation",
            "registration_opens_at",
            "registration_closes_at",
            "visibility",
            "status",
            "sequence",
            "sectors",
            "organisers",
            "my_registration",
            "ics_url",
            "page_url",
        ]

    def get_my_registration(self, event) -> dict | None:
        registration = self.context.get("my_registration")
        return MyRegistrationSerializer(registration).data if registration else None

    def get_ics_url(self, event) -> str:
        return absolute_url("event-ics", event.pk)

    def get_page_url(self, event) -> str:
        return event_url(event)


class RegisterSerializer(serializers.Serializer):
    organisation = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The organisation you register for; needed only if you represent several.",
    )


def registration_message(registration: Registration) -> str:
    """What a registration's state means for the person, in their language."""
    if registration.status == Registration.Status.WAITLISTED:
        return _(
            "The event is full. You are number %(position)s on the waitlist; we will email "
            "you if a seat becomes free."
        ) % {"position": registration.waitlist_position}
    if registration.status == Registration.Status.CONFIRMED:
        return _("You are confirmed.")
    if registration.status == Registration.Status.CANCELLED:
        return _("Your registration is cancelled.")
    return _("You have been checked in.")


class RegistrationSerializer(strict.ModelSerializer):
    event_title = serializers.CharField(source="event.title", read_only=True)
    event_starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)
    event_status = serializers.CharField(source="event.status", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "event_title",
            "event_starts_at",
            "event_status",
            "organisation",
            "organisation_name",
            "status",
            "waitlist_position",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "message",
        ]
        read_only_fields = fields

    def get_message(self, registration) -> str:
        return registration_message(registration)


class AttendeeSerializer(serializers.Serializer):
    registration = strict.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    organisation = serializers.CharField()
    country = serializers.CharField()
    status = serializers.CharField()
    waitlist_position = strict.IntegerField(allow_null=True)
    registered_at = serializers.DateTimeField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class CheckInSerializer(serializers.Serializer):
    registration = strict.IntegerField()


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
