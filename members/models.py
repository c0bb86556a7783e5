"""The member directory: sectors, regions, organisations, people, platforms, memberships."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum_site.i18n import validate_time_zone


class Country(models.TextChoices):
    INDIA = "IN", _("India")
    JAPAN = "JP", _("Japan")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")


class Sector(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    name_ja = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RegionKind(models.TextChoices):
    STATE = "state", _("State")
    UNION_TERRITORY = "union_territory", _("Union territory")
    PREFECTURE = "prefecture", _("Prefecture")


class Region(models.Model):
    Kind = RegionKind

    code = models.CharField(max_length=8, unique=True, help_text="ISO 3166-2, e.g. IN-GJ, JP-27")
    country = models.CharField(max_length=2, choices=Country.choices)
    kind = models.CharField(max_length=20, choices=RegionKind.choices)
    name = models.CharField(max_length=80)
    name_ja = models.CharField(max_length=80, blank=True)
    is_north_east = models.BooleanField(
        default=False, help_text="One of India's eight north-eastern states."
    )

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__in=Country.values), name="region_country_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_north_east=False) | Q(country=Country.INDIA),
                name="region_north_east_only_in_india",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Capability(models.Model):
    """What an organisation offers or seeks: technology transfer, joint venture, …"""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    name_ja = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    SME = "sme", _("SME")
    MID_SIZED = "mid_sized", _("Mid-sized enterprise (chuken)")
    STARTUP = "startup", _("Startup")
    LARGE = "large", _("Large company")
    INDUSTRY_BODY = "industry_body", _("Industry body")
    GOVERNMENT = "government", _("Government agency")
    RESEARCH = "research", _("University / research")


class RevenueBand(models.TextChoices):
    UNDER_1M = "lt_1m", _("Under USD 1 million")
    FROM_1M = "1m_10m", _("USD 1–10 million")
    FROM_10M = "10m_50m", _("USD 10–50 million")
    FROM_50M = "50m_250m", _("USD 50–250 million")
    OVER_250M = "gt_250m", _("Over USD 250 million")


# What an organisation's admins may edit about it (the slug and `verified` are not theirs).
ORGANISATION_PROFILE_FIELDS = (
    "name",
    "name_ja",
    "country",
    "kind",
    "employees",
    "revenue_band",
    "founded_year",
    "website",
    "description",
    "description_ja",
)


class Organisation(models.Model):
    Kind = OrganisationKind
    RevenueBand = RevenueBand

    name = models.CharField(max_length=200)
    name_ja = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=220, unique=True)
    country = models.CharField(max_length=2, choices=Country.choices)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.SME
    )
    employees = models.PositiveIntegerField(null=True, blank=True)
    revenue_band = models.CharField(max_length=10, choices=RevenueBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1600), MaxValueValidator(2100)]
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(blank=True)
    sectors = models.ManyToManyField(Sector, related_name="organisations", blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    offers = models.ManyToManyField(Capability, related_name="offered_by", blank=True)
    seeks = models.ManyToManyField(Capability, related_name="sought_by", blank=True)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["country", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__in=Country.values), name="organisation_country_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(revenue_band__in=["", *RevenueBand.values]),
                name="organisation_revenue_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=1600, founded_year__lte=2100),
                name="organisation_founded_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What the platform knows about a person beyond Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    job_title = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="profile_language_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class AffiliationRole(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    REPRESENTATIVE = "representative", _("Representative")


class Affiliation(models.Model):
    """A person representing an organisation, as its admin or as a representative."""

    Role = AffiliationRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(
        max_length=20, choices=AffiliationRole.choices, default=AffiliationRole.REPRESENTATIVE
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="affiliation_unique_user_organisation"
            ),
            models.CheckConstraint(
                condition=Q(role__in=AffiliationRole.values), name="affiliation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.organisation}"


class Platform(models.Model):
    """The Japan–India SME Forum, the India–Japan SME Business Council, the Startup Hub."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_ja = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_ja = models.TextField(blank=True)
    launched_on = models.DateField(null=True, blank=True)
    organisers = models.ManyToManyField(
        Organisation, related_name="organised_platforms", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed")


class Membership(models.Model):
    Status = MembershipStatus

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED
    )
    application_note = models.TextField(blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Set when the applicant has been emailed about the current decision; guards the
    # notification task against sending twice.
    decision_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "platform"], name="membership_unique_org_platform"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values), name="membership_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="applied") | Q(decided_at__isnull=False),
                name="membership_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.platform} ({self.get_status_display()})"


class RepresentativeInvitation(models.Model):
    """An organisation admin asked someone without a confirmed account to represent it.

    The person signs up (or adds the address to their account); when they confirm this
    address they become a representative and the invitation is accepted.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="representative_invitations"
    )
    # Stored lower-cased: addresses are matched case-insensitively when confirmed.
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    # The language of the invitation email (the inviting admin's at the time).
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="representative_invitation_one_open_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.organisation}"
