from django.contrib.auth import get_user_model
from rest_framework import serializers

from forum_site import fields as strict
from forum_site.i18n import person_language, person_time_zone
from members.models import (
    ORGANISATION_PROFILE_FIELDS,
    Affiliation,
    Capability,
    Membership,
    Organisation,
    Platform,
    Region,
    Sector,
)


class SectorSerializer(strict.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "slug", "name", "name_ja", "description"]


class RegionSerializer(strict.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "country", "kind", "name", "name_ja", "is_north_east"]


class CapabilitySerializer(strict.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["id", "slug", "name", "name_ja"]


class OrganisationSerializer(strict.ModelSerializer):
    """Read and write shape of an organisation. Related objects are written by slug/code."""

    sectors = strict.SlugRelatedField(
        slug_field="slug", many=True, queryset=Sector.objects.all(), required=False
    )
    offers = strict.SlugRelatedField(
        slug_field="slug", many=True, queryset=Capability.objects.all(), required=False
    )
    seeks = strict.SlugRelatedField(
        slug_field="slug", many=True, queryset=Capability.objects.all(), required=False
    )
    region = strict.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    region_name = serializers.CharField(
        source="region.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            *ORGANISATION_PROFILE_FIELDS,
            "sectors",
            "region",
            "region_name",
            "offers",
            "seeks",
            "verified",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "verified", "created_at", "updated_at"]

    def validate(self, attrs):
        country = attrs.get("country", getattr(self.instance, "country", None))
        region = attrs.get("region", getattr(self.instance, "region", None))
        if region is not None and country and region.country != country:
            raise serializers.ValidationError(
                {"region": "The region must be in the organisation's country."}
            )
        return attrs


class PlatformSerializer(strict.ModelSerializer):
    organisers = strict.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Platform
        fields = [
            "id",
            "slug",
            "name",
            "name_ja",
            "description",
            "description_ja",
            "launched_on",
            "organisers",
        ]


class MembershipSerializer(strict.ModelSerializer):
    organisation = strict.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    platform = strict.SlugRelatedField(slug_field="slug", queryset=Platform.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    applied_by = serializers.CharField(
        source="applied_by.username", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "platform",
            "status",
            "application_note",
            "applied_by",
            "applied_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        # No UniqueTogetherValidator from the (organisation, platform) constraint:
        # `membership_apply` is the one rule (a rejected or lapsed organisation applies again).
        validators = []
        read_only_fields = [
            "status",
            "applied_by",
            "applied_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class MembershipDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AffiliationSerializer(strict.ModelSerializer):
    organisation = strict.PrimaryKeyRelatedField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["organisation", "organisation_name", "role"]


class MeSerializer(strict.ModelSerializer):
    # Never null: a person without a profile (staff made with createsuperuser) has the
    # site's defaults, as everywhere else (forum_site/i18n.py).
    job_title = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()
    affiliations = AffiliationSerializer(many=True, read_only=True, source="active_affiliations")

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "job_title",
            "language",
            "time_zone",
            "affiliations",
        ]

    def get_job_title(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.job_title if profile else ""

    def get_language(self, user) -> str:
        return person_language(user)

    def get_time_zone(self, user) -> str:
        return person_time_zone(user)


class MeUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    language = serializers.ChoiceField(required=False, choices=["en", "ja"])
    time_zone = serializers.CharField(required=False, max_length=64)

    def validate_time_zone(self, value: str) -> str:
        import zoneinfo

        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(f"Unknown time zone {value!r}.")
        return value


class MatchQuerySerializer(serializers.Serializer):
    limit = strict.IntegerField(min_value=1, max_value=100, default=20)


class MatchSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    score = strict.IntegerField()
    they_offer_what_you_seek = serializers.ListField(child=serializers.CharField())
    they_seek_what_you_offer = serializers.ListField(child=serializers.CharField())
    shared_sectors = serializers.ListField(child=serializers.CharField())
