import django_filters

from members.models import Membership, Organisation

# The directory's free-text search (`?search=`), the API's and the page's.
ORGANISATION_SEARCH_FIELDS = ["name", "name_ja", "description", "sectors__name"]


class OrganisationFilter(django_filters.FilterSet):
    sector = django_filters.CharFilter(
        field_name="sectors__slug", distinct=True, help_text="Sector slug, e.g. `semiconductors`."
    )
    region = django_filters.CharFilter(
        field_name="region__code", help_text="Region code, e.g. `IN-GJ` or `JP-27`."
    )
    north_east = django_filters.BooleanFilter(
        field_name="region__is_north_east", help_text="Only India's north-eastern states."
    )
    platform = django_filters.CharFilter(
        method="filter_platform", help_text="Platform slug: approved members of that platform."
    )
    offers = django_filters.CharFilter(field_name="offers__slug", distinct=True)
    seeks = django_filters.CharFilter(field_name="seeks__slug", distinct=True)
    min_employees = django_filters.NumberFilter(field_name="employees", lookup_expr="gte")
    max_employees = django_filters.NumberFilter(field_name="employees", lookup_expr="lte")

    class Meta:
        model = Organisation
        fields = ["country", "kind", "revenue_band", "verified"]

    def filter_platform(self, queryset, name, value):
        return queryset.filter(
            id__in=Membership.objects.filter(
                platform__slug=value, status=Membership.Status.APPROVED
            ).values("organisation_id")
        )


class MembershipFilter(django_filters.FilterSet):
    platform = django_filters.CharFilter(field_name="platform__slug")

    class Meta:
        model = Membership
        fields = ["status", "organisation"]
