"""Serializers of the delegation API: thin shapes; the rules live in the services."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationDay,
    DelegationHost,
    MeetingPriority,
    MeetingRequest,
    RequestAnswer,
    ScheduledMeeting,
    ScheduleVersion,
    UnscheduledRequest,
)
from forum_site import fields as strict
from members.models import Capability, Organisation


class CapabilitySlugs(strict.ManyRelatedField):
    """A list of capability slugs, as organisations' `offers` and `seeks`; a string is read
    as comma-separated slugs (clients of the former free-text fields send one)."""

    def __init__(self, **kwargs):
        super().__init__(
            child_relation=strict.SlugRelatedField(
                slug_field="slug", queryset=Capability.objects.all()
            ),
            **kwargs,
        )

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


class DelegationOrganisationSerializer(strict.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "name_ja", "country"]


class DelegationPersonSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class DelegationDaySerializer(strict.ModelSerializer):
    class Meta:
        model = DelegationDay
        fields = ["id", "date", "city", "venue", "time_zone", "tables"]


class BreakSerializer(serializers.Serializer):
    title = serializers.CharField()
    start = strict.TimeField()
    end = strict.TimeField()


class DelegationSerializer(strict.ModelSerializer):
    platform = strict.SlugRelatedField(slug_field="slug", read_only=True)
    sectors = strict.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    days = DelegationDaySerializer(many=True, read_only=True)
    breaks = BreakSerializer(many=True, read_only=True)
    places_left = serializers.SerializerMethodField()
    schedule_published = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = [
            "id",
            "slug",
            "platform",
            "title",
            "title_ja",
            "description",
            "description_ja",
            "direction",
            "status",
            "sectors",
            "places",
            "places_left",
            "applications_open_at",
            "applications_close_at",
            "requests_close_at",
            "days",
            "first_slot_start",
            "last_slot_end",
            "slot_minutes",
            "breaks",
            "schedule_published",
        ]

    def get_places_left(self, obj) -> int:
        return max(obj.places - obj.accepted_count, 0)

    def get_schedule_published(self, obj) -> bool:
        return obj.published_version_id is not None


class ApplySerializer(serializers.Serializer):
    organisation = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The organisation applying; optional when you administer only one.",
    )
    objectives = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="What the organisation wants to achieve on the trip (required).",
    )
    seeks = CapabilitySlugs(required=False, help_text="Capability slugs, e.g. distribution.")
    offers = CapabilitySlugs(required=False, help_text="Capability slugs.")
    representatives = strict.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        many=True,
        required=False,
        help_text="People travelling (users representing the organisation); default: you.",
    )
    preferred_counterparts = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )


class ApplicationSerializer(strict.ModelSerializer):
    delegation_title = serializers.CharField(source="delegation.title", read_only=True)
    organisation = DelegationOrganisationSerializer(read_only=True)
    representatives = DelegationPersonSerializer(many=True, read_only=True)
    preferred_counterparts = serializers.SerializerMethodField()
    seeks = strict.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    offers = strict.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = DelegationApplication
        fields = [
            "id",
            "delegation",
            "delegation_title",
            "organisation",
            "status",
            "objectives",
            "seeks",
            "offers",
            "seeks_text",
            "offers_text",
            "representatives",
            "preferred_counterparts",
            "decided_at",
            "decision_note",
            "created_at",
        ]

    def get_preferred_counterparts(self, obj) -> list[dict]:
        return [{"id": o.id, "name": o.name} for o in obj.preferred_counterparts.all()]


DECISION_CHOICES = [
    (s.value, s.label)
    for s in (
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
    )
]


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DECISION_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class BulkDecisionSerializer(DecisionSerializer):
    applications = serializers.ListField(
        child=strict.IntegerField(), allow_empty=False, max_length=500
    )


class HostSerializer(strict.ModelSerializer):
    organisation = DelegationOrganisationSerializer(read_only=True)
    days = strict.PrimaryKeyRelatedField(many=True, read_only=True)
    cities = serializers.SerializerMethodField()

    class Meta:
        model = DelegationHost
        fields = ["id", "organisation", "days", "cities", "note"]

    def get_cities(self, obj) -> list[str]:
        return sorted({d.city for d in obj.days.all()})


class HostCreateSerializer(serializers.Serializer):
    organisation = strict.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    days = strict.PrimaryKeyRelatedField(
        queryset=DelegationDay.objects.all(), many=True, required=False
    )
    representatives = strict.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingRequestSerializer(strict.ModelSerializer):
    from_organisation = DelegationOrganisationSerializer(read_only=True)
    to_organisation = DelegationOrganisationSerializer(read_only=True)
    pinned = serializers.SerializerMethodField()
    mutual = serializers.BooleanField(
        read_only=True, default=False, help_text="The other organisation asked too."
    )

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "delegation",
            "from_organisation",
            "to_organisation",
            "priority",
            "note",
            "answer",
            "answered_at",
            "mutual",
            "dropped",
            "pinned",
            "created_at",
        ]

    def get_pinned(self, obj) -> dict | None:
        if obj.pinned_day_id is None:
            return None
        return {"day": obj.pinned_day_id, "date": obj.pinned_day.date, "start": obj.pinned_start}


class MeetingRequestCreateSerializer(serializers.Serializer):
    delegation = strict.PrimaryKeyRelatedField(queryset=Delegation.objects.all())
    to_organisation = strict.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    from_organisation = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Your organisation asking; optional when only one of yours takes part.",
    )
    priority = serializers.ChoiceField(choices=MeetingPriority.choices, default="normal")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=RequestAnswer.choices, help_text="accepted, or declined (no thanks)."
    )


class PinSerializer(serializers.Serializer):
    day = strict.PrimaryKeyRelatedField(queryset=DelegationDay.objects.all(), allow_null=True)
    start = strict.TimeField(allow_null=True)


class RunSerializer(serializers.Serializer):
    time_limit = strict.FloatField(
        required=False,
        min_value=0.5,
        max_value=24 * 3600,
        help_text="Seconds (at most a day); the scheduler stops at "
        "DELEGATION_SCHEDULER_TIME_LIMIT whatever is asked.",
    )


class ScheduledMeetingSerializer(strict.ModelSerializer):
    delegate = DelegationOrganisationSerializer(read_only=True)
    host = DelegationOrganisationSerializer(read_only=True)

    class Meta:
        model = ScheduledMeeting
        fields = [
            "slot",
            "starts_at",
            "ends_at",
            "city",
            "venue",
            "table",
            "delegate",
            "host",
            "weight",
            "mutual",
            "pinned",
            "locked",
            "visit",
            "travel_minutes",
        ]


class UnscheduledSerializer(strict.ModelSerializer):
    delegate = DelegationOrganisationSerializer(read_only=True)
    host = DelegationOrganisationSerializer(read_only=True)

    class Meta:
        model = UnscheduledRequest
        fields = ["request", "delegate", "host", "reason"]


VERSION_FIELDS = [
    "number",
    "status",
    "solver_status",
    "scheduled_weight",
    "breaks",
    "bound_breaks",
    # While it runs: the best figures so far (above), the proven weight bound, the moved
    # meetings when re-planning, the phase, the last report and a stop asked by staff.
    "weight_bound",
    "moved",
    "phase",
    "progress_at",
    "stop_requested_at",
    "seconds",
    "time_limit",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "published_at",
]


class ScheduleVersionSerializer(strict.ModelSerializer):
    class Meta:
        model = ScheduleVersion
        fields = VERSION_FIELDS


class ScheduleVersionDetailSerializer(strict.ModelSerializer):
    meetings = ScheduledMeetingSerializer(many=True, read_only=True)
    unscheduled = UnscheduledSerializer(many=True, read_only=True)

    class Meta:
        model = ScheduleVersion
        fields = [*VERSION_FIELDS, "meetings", "unscheduled"]


class ItineraryItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["meeting", "activity"])
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField()
    title = serializers.CharField(help_text="The counterpart's name, or the activity's title.")
    city = serializers.CharField()
    venue = serializers.CharField()
    table = strict.IntegerField(allow_null=True)


class ItinerarySerializer(serializers.Serializer):
    delegation = strict.IntegerField(source="delegation.pk")
    organisation = DelegationOrganisationSerializer()
    role = serializers.ChoiceField(choices=["delegate", "host"])
    version = strict.IntegerField(source="version.number", allow_null=True, default=None)
    items = ItineraryItemSerializer(many=True)
    ics_url = serializers.CharField()
    feed_url = serializers.CharField()
