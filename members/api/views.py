from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from members import selectors, services
from members.api.filters import ORGANISATION_SEARCH_FIELDS, MembershipFilter, OrganisationFilter
from members.api.serializers import (
    CapabilitySerializer,
    MatchQuerySerializer,
    MatchSerializer,
    MembershipDecisionSerializer,
    MembershipSerializer,
    MeSerializer,
    MeUpdateSerializer,
    OrganisationSerializer,
    PlatformSerializer,
    RegionSerializer,
    SectorSerializer,
)
from members.matchmaking import matches_for
from members.models import Affiliation, Capability, Membership, Organisation, Region, Sector

ERRORS = {
    400: OpenApiResponse(description="Invalid input: a JSON object of field errors."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Authenticated, but not allowed to do this."),
    404: OpenApiResponse(description="No such object, or not visible to you."),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


@extend_schema_view(
    list=extend_schema(summary="List sectors", responses={200: SectorSerializer, **errors(401)}),
    retrieve=extend_schema(
        summary="A sector", responses={200: SectorSerializer, **errors(401, 404)}
    ),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """Industry sectors (`slug`, English and Japanese names): organisations, events and
    delegations are tagged with them, and filters take their slugs."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    pagination_class = None
    filter_backends = []


@extend_schema_view(
    list=extend_schema(summary="List regions (Indian states/UTs, Japanese prefectures)"),
    retrieve=extend_schema(
        summary="A region", responses={200: RegionSerializer, **errors(401, 404)}
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Indian states and union territories and Japanese prefectures (`code`), with the
    Indian North East marked; an organisation's `region` is written by its code."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    pagination_class = None
    filterset_fields = ["country", "kind", "is_north_east"]


@extend_schema_view(
    list=extend_schema(summary="List capability tags (what organisations offer and seek)"),
    retrieve=extend_schema(
        summary="A capability tag", responses={200: CapabilitySerializer, **errors(401, 404)}
    ),
)
class CapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Capability tags (`slug`): what organisations offer and seek, as matchmaking and
    delegation applications use them."""

    queryset = Capability.objects.all()
    serializer_class = CapabilitySerializer
    pagination_class = None
    filter_backends = []


@extend_schema_view(
    list=extend_schema(
        summary="Search the organisation directory",
        responses={200: OrganisationSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="An organisation", responses={200: OrganisationSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Register an organisation (you become its admin)",
        responses={201: OrganisationSerializer, **errors(400, 401)},
    ),
    update=extend_schema(
        summary="Replace an organisation's details (its admins only)",
        responses={200: OrganisationSerializer, **errors(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change an organisation's details (its admins only)",
        responses={200: OrganisationSerializer, **errors(400, 401, 403, 404)},
    ),
)
class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The member directory: Indian and Japanese SMEs, startups, industry bodies."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    search_fields = ORGANISATION_SEARCH_FIELDS
    ordering_fields = ["name", "founded_year", "employees", "created_at"]

    def get_queryset(self):
        return selectors.organisation_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_create(actor=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(selectors.organisation_get(pk=organisation.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Partner matchmaking: the best counterparts across India and Japan",
        description=(
            "Organisations of the other country ranked by complementarity: what they offer "
            "that this organisation seeks and the reverse (3 points each), shared sectors "
            "(2 each), verified (1) and a shared platform (1), with the reasons. For the "
            "organisation's own people (staff: any), once it is an approved member of a "
            "platform."
        ),
        parameters=[MatchQuerySerializer],
        responses={200: MatchSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def matches(self, request, pk=None):
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = get_object_or_404(Organisation, pk=pk)
        found = matches_for(
            user=request.user, organisation=organisation, limit=query.validated_data["limit"]
        )
        return Response(MatchSerializer(found, many=True).data)

    def update(self, request, *args, **kwargs):
        organisation = self.get_object()
        serializer = self.get_serializer(
            organisation, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        services.organisation_update(
            actor=request.user, organisation=organisation, **serializer.validated_data
        )
        return Response(self.get_serializer(selectors.organisation_get(pk=organisation.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List the platforms (Forum, Business Council, Startup Hub)"),
    retrieve=extend_schema(
        summary="A platform", responses={200: PlatformSerializer, **errors(401, 404)}
    ),
)
class PlatformViewSet(viewsets.ReadOnlyModelViewSet):
    """The three platforms organisations join (the Japan–India SME Forum, the India–Japan
    SME Business Council, the India–Japan Startup Hub), by slug, with their organisers."""

    serializer_class = PlatformSerializer
    lookup_field = "slug"
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.platform_list()


@extend_schema_view(
    list=extend_schema(
        summary="Memberships: staff see all, members those of their own organisations",
        responses={200: MembershipSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A membership", responses={200: MembershipSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Apply for membership of a platform (organisation admins)",
        responses={201: MembershipSerializer, **errors(400, 401, 403)},
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """An organisation's membership of a platform: applied, then approved or rejected by
    staff (the applicant is emailed either way); a rejected or lapsed organisation may
    apply again. Members see their own organisations' memberships; staff see all."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["applied_at", "decided_at"]

    queryset = Membership.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.membership_list_for_user(self.request.user)

    def get_object(self):
        return selectors.membership_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.membership_apply(
            actor=request.user,
            organisation=data["organisation"],
            platform=data["platform"],
            note=data.get("application_note", ""),
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decide):
        membership = self.get_object()
        if not request.user.is_staff:
            return Response(
                {"detail": "Only staff can decide on memberships."},
                status=status.HTTP_403_FORBIDDEN,
            )
        serializer = MembershipDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = decide(
            actor=request.user, membership=membership, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(
        summary="Approve a membership (staff); the applicant is emailed",
        request=MembershipDecisionSerializer,
        responses={200: MembershipSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.membership_approve)

    @extend_schema(
        summary="Reject a membership with a reason (staff); the applicant is emailed",
        request=MembershipDecisionSerializer,
        responses={200: MembershipSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.membership_reject)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled against guessing)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    # DRF's view names its own parsers; ours refuse deep nesting and NUL like every view.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        summary="Get an API token for a username (or email) and password",
        description="The same key every time until it is revoked; send it as "
        "`Authorization: Token <key>`. Wrong credentials are a 400; attempts per client "
        "are limited (API_AUTH_RATE), past which the answer is a 429.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(RetrieveUpdateAPIView):
    """The authenticated person, their profile and the organisations they represent."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return (
            get_user_model()
            .objects.select_related("profile")
            .prefetch_related(
                Prefetch(
                    "affiliations",
                    queryset=Affiliation.objects.filter(is_active=True).select_related(
                        "organisation"
                    ),
                    to_attr="active_affiliations",
                )
            )
            .get(pk=self.request.user.pk)
        )

    @extend_schema(summary="Who am I", responses={200: MeSerializer, **errors(401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change my name, job title, language or time zone",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **errors(400, 401)},
    )
    def patch(self, request, *args, **kwargs):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.person_update(user=request.user, **serializer.validated_data)
        return Response(MeSerializer(self.get_object()).data)
