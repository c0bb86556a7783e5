from django.contrib.auth import get_user_model
from rest_framework import serializers

from events.invitations.models import Invitation, InvitationStatus
from events.invitations.services import Audience
from forum_site import fields as strict
from members.models import Country, Organisation, OrganisationKind, Platform, Sector


class InvitationSerializer(strict.ModelSerializer):
    state = serializers.CharField(
        read_only=True,
        help_text="The status, or `expired` for an unanswered invitation past its deadline.",
    )
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    registration_status = serializers.CharField(
        source="registration.status", read_only=True, default=None, allow_null=True
    )
    waitlist_position = strict.IntegerField(
        source="registration.waitlist_position", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "event",
            "email",
            "name",
            "state",
            "status",
            "language",
            "time_zone",
            "user",
            "organisation",
            "organisation_name",
            "created_at",
            "sent_at",
            "attempts",
            "next_attempt_at",
            "last_error",
            "failed_at",
            "reminders_sent",
            "last_reminded_at",
            "expires_at",
            "responded_at",
            "decline_reason",
            "registration",
            "registration_status",
            "waitlist_position",
            "revoked_at",
        ]
        read_only_fields = fields


class AudienceSerializer(serializers.Serializer):
    platform = strict.SlugRelatedField(slug_field="slug", queryset=Platform.objects.all())
    sectors = strict.SlugRelatedField(
        slug_field="slug", queryset=Sector.objects.all(), many=True, required=False
    )
    country = serializers.ChoiceField(choices=Country.choices, required=False, allow_blank=True)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=OrganisationKind.choices), required=False
    )

    def validate(self, attrs) -> Audience:
        return Audience(
            platform=attrs["platform"],
            sectors=attrs.get("sectors", []),
            country=attrs.get("country", ""),
            kinds=attrs.get("kinds", []),
        )


class InvitationCreateSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        help_text="One person per item: `email`, `Name <email>` or `email, Name[, ja]`. "
        "Reported line numbers are positions in this list, from 1.",
        max_length=20_000,
    )
    users = strict.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        many=True,
        required=False,
    )
    organisations = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="Each organisation's active representatives are invited.",
    )
    audience = AudienceSerializer(required=False)
    language = serializers.ChoiceField(
        choices=[("en", "English"), ("ja", "Japanese")],
        default="en",
        help_text="Language of the email to addresses that match no account.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expires_at = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        if not (
            attrs.get("emails")
            or attrs.get("users")
            or attrs.get("organisations")
            or attrs.get("audience")
        ):
            raise serializers.ValidationError(
                "Give emails, users, organisations or an audience to invite."
            )
        return attrs


class InviteLineSerializer(serializers.Serializer):
    line = strict.IntegerField(allow_null=True)
    text = serializers.CharField()
    reason = serializers.CharField()


class InviteResultSerializer(serializers.Serializer):
    created = strict.IntegerField()
    created_emails = serializers.ListField(child=serializers.EmailField())
    merged = InviteLineSerializer(many=True)
    invalid = InviteLineSerializer(many=True)


class InvitationStatsSerializer(serializers.Serializer):
    total = strict.IntegerField()
    pending = strict.IntegerField()
    sending = strict.IntegerField()
    sent = strict.IntegerField()
    failed = strict.IntegerField()
    accepted = strict.IntegerField()
    declined = strict.IntegerField()
    revoked = strict.IntegerField()
    expired = strict.IntegerField()


class AcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    organisation = strict.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="One of the organisations you represent (when you represent several).",
    )
    organisation_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Without an organisation on the platform: its name (created for you).",
    )
    country = serializers.ChoiceField(choices=Country.choices, required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DeclineSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InvitationStatus.choices)
    event = strict.IntegerField(allow_null=True)
    delegation = strict.IntegerField(allow_null=True)
    registration_status = serializers.CharField(allow_null=True)
    waitlist_position = strict.IntegerField(allow_null=True)
    message = serializers.CharField()
