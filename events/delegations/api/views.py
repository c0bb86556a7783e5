"""The delegation API (/api/v1/delegations/…, /api/v1/delegation-applications/…,
/api/v1/delegation-requests/…) and the itinerary calendar feed.

Every object goes through an access function of `delegation_selectors` (404 when not
visible); writes go through `delegation_services`.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from events.api.renderers import ICalendarRenderer
from events.calendar import build_calendar
from events.delegations import selectors as selectors
from events.delegations import services
from events.delegations.api.serializers import (
    ApplicationSerializer,
    ApplySerializer,
    BulkDecisionSerializer,
    DecisionSerializer,
    DelegationSerializer,
    HostCreateSerializer,
    HostSerializer,
    ItinerarySerializer,
    MeetingRequestCreateSerializer,
    MeetingRequestSerializer,
    PinSerializer,
    RunSerializer,
    ScheduleVersionDetailSerializer,
    ScheduleVersionSerializer,
)
from events.delegations.emails import itinerary_calendar, itinerary_ics, itinerary_items
from events.delegations.models import (
    Delegation,
    DelegationApplication,
    DelegationHost,
    DelegationStatus,
    MeetingRequest,
    ScheduleVersion,
)
from events.models import CalendarFeedToken
from forum_site.permissions import IsStaff
from members.api.views import errors
from members.models import Organisation

BUSY = {503: OpenApiResponse(description="The delegation is very busy; try again in a moment.")}


def feed_url(user) -> str:
    token = services_feed_token(user)
    return f"{settings.SITE_URL}/calendar/{token.token}/delegations.ics"


def services_feed_token(user):
    from events.services import calendar_feed_token_get

    return calendar_feed_token_get(user=user)


@extend_schema_view(
    list=extend_schema(
        summary="List delegations (open ones to apply to, and those you take part in)",
        responses={200: DelegationSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="A delegation: days, cities, meeting grid, places left",
        responses={200: DelegationSerializer, **errors(401, 404)},
    ),
)
class DelegationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DelegationSerializer
    queryset = Delegation.objects.none()  # for the schema; get_queryset filters
    filterset_fields = ["status", "direction", "platform__slug"]
    search_fields = ["title", "title_ja", "description", "days__city"]
    ordering_fields = ["created_at", "title"]

    def get_queryset(self):
        return selectors.delegation_list_for_user(self.request.user)

    def get_object(self):
        return selectors.delegation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Apply for your organisation to travel with the delegation",
        request=ApplySerializer,
        responses={201: ApplicationSerializer, **errors(400, 401, 403, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        delegation = self.get_object()
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_submit(
            actor=request.user, delegation=delegation, **serializer.validated_data
        )
        application = selectors.application_get_for_user(user=request.user, pk=application.pk)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Your organisation's itinerary (JSON, or `itinerary.ics` for a calendar file)",
        parameters=[
            OpenApiParameter(
                "organisation",
                int,
                description="Which of your organisations (when several take part).",
            )
        ],
        responses={
            200: ItinerarySerializer,
            (200, "text/calendar"): OpenApiResponse(
                response=OpenApiTypes.STR, description="RFC 5545 calendar"
            ),
            **errors(401, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer, ICalendarRenderer],
    )
    def itinerary(self, request, pk=None, format=None):
        delegation = self.get_object()
        raw = request.query_params.get("organisation")
        try:
            organisation_id = int(raw) if raw else None
        except ValueError as exc:
            raise Http404("No such organisation.") from exc
        organisation = selectors.itinerary_organisation(
            user=request.user, delegation=delegation, organisation_id=organisation_id
        )
        data = selectors.itinerary(delegation=delegation, organisation=organisation)
        language = getattr(getattr(request.user, "profile", None), "language", "en")
        if request.accepted_renderer.format == "ics":
            response = Response(
                itinerary_ics(delegation=delegation, data=data, language=language),
                content_type="text/calendar; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="itinerary-{delegation.slug}.ics"'
            )
            return response
        base = f"{settings.SITE_URL}/api/v1/delegations/{delegation.pk}/itinerary.ics"
        payload = {
            **data,
            "items": itinerary_items(data, language),
            "ics_url": f"{base}?organisation={organisation.pk}",
            "feed_url": feed_url(request.user),
        }
        return Response(ItinerarySerializer(payload).data)


class _DelegationChild:
    """Viewsets nested under /delegations/{delegation_pk}/."""

    def delegation(self):
        if not hasattr(self, "_delegation"):
            self._delegation = selectors.delegation_ref_for_user(
                user=self.request.user, pk=self.kwargs["delegation_pk"]
            )
        return self._delegation


@extend_schema_view(
    list=extend_schema(
        summary="The delegation's host organisations (participants and staff)",
        responses={200: HostSerializer(many=True), **errors(401, 404)},
    ),
    retrieve=extend_schema(
        summary="A host organisation", responses={200: HostSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add a host organisation (staff)",
        request=HostCreateSerializer,
        responses={201: HostSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Remove a host organisation (staff)", responses={204: None, **errors(401, 403, 404)}
    ),
)
class DelegationHostViewSet(
    _DelegationChild,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HostSerializer
    queryset = DelegationHost.objects.none()  # for the schema; get_queryset filters
    filter_backends = []

    def get_permissions(self):
        if self.action in {"create", "destroy"}:
            return [IsStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.host_list_for_user(user=self.request.user, delegation=self.delegation())

    def create(self, request, *args, **kwargs):
        serializer = HostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        host = services.host_add(
            actor=request.user, delegation=self.delegation(), **serializer.validated_data
        )
        host = selectors.host_list(delegation=self.delegation()).get(pk=host.pk)
        return Response(HostSerializer(host).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.host_remove(actor=self.request.user, host=instance)


@extend_schema_view(
    list=extend_schema(
        summary="Schedule versions of the delegation (staff)",
        responses={200: ScheduleVersionSerializer(many=True), **errors(401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="A schedule version: status, solver figures, meetings and unscheduled requests",
        responses={200: ScheduleVersionDetailSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Run the scheduler: creates a queued version, solved in the background",
        request=RunSerializer,
        responses={202: ScheduleVersionSerializer, **errors(400, 401, 403, 404), **BUSY},
    ),
)
class ScheduleVersionViewSet(
    _DelegationChild,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsStaff]
    serializer_class = ScheduleVersionSerializer
    queryset = ScheduleVersion.objects.none()  # for the schema; get_queryset filters
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        return selectors.version_list(delegation=self.delegation())

    def get_object(self):
        return selectors.version_get(delegation=self.delegation(), number=self.kwargs["number"])

    def retrieve(self, request, *args, **kwargs):
        version = self.get_object()
        version = (
            type(version)
            .objects.prefetch_related(
                "meetings__delegate", "meetings__host", "unscheduled__delegate", "unscheduled__host"
            )
            .get(pk=version.pk)
        )
        return Response(ScheduleVersionDetailSerializer(version).data)

    def create(self, request, *args, **kwargs):
        serializer = RunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.schedule_run(
            actor=request.user,
            delegation=self.delegation(),
            time_limit=serializer.validated_data.get("time_limit"),
        )
        version = selectors.version_get(delegation=self.delegation(), number=version.number)
        return Response(ScheduleVersionSerializer(version).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Publish this version: participants get their itinerary by email",
        request=None,
        responses={200: ScheduleVersionSerializer, **errors(400, 401, 403, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, delegation_pk=None, number=None):
        version = self.get_object()
        version = services.schedule_publish(actor=request.user, version=version)
        return Response(ScheduleVersionSerializer(version).data)


@extend_schema_view(
    list=extend_schema(
        summary="Your organisations' delegation applications (staff: all)",
        responses={200: ApplicationSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="A delegation application",
        responses={200: ApplicationSerializer, **errors(401, 404)},
    ),
)
class DelegationApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ApplicationSerializer
    queryset = DelegationApplication.objects.none()  # for the schema; get_queryset filters
    filterset_fields = ["delegation", "status", "organisation"]
    ordering_fields = ["created_at", "decided_at"]

    def get_permissions(self):
        if self.action in {"decide", "decide_many"}:
            return [IsStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.application_list_for_user(self.request.user)

    def get_object(self):
        return selectors.application_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _fresh(self, application):
        return ApplicationSerializer(
            selectors.application_get_for_user(user=self.request.user, pk=application.pk)
        ).data

    @extend_schema(
        summary="Withdraw your organisation's application (frees an accepted place)",
        request=None,
        responses={200: ApplicationSerializer, **errors(400, 401, 403, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        application = services.application_withdraw(actor=request.user, application=application)
        return Response(self._fresh(application))

    @extend_schema(
        summary="Shortlist, accept, waitlist or reject (staff); the applicant is emailed",
        request=DecisionSerializer,
        responses={200: ApplicationSerializer, **errors(400, 401, 403, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        application = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_decide(
            actor=request.user, application=application, **serializer.validated_data
        )
        return Response(self._fresh(application))

    @extend_schema(
        summary="Decide on several applications at once (staff)",
        operation_id="delegation_applications_decide_many",
        request=BulkDecisionSerializer,
        responses={
            200: OpenApiResponse(description='{"done": n, "errors": ["…"]}'),
            **errors(400, 401, 403),
        },
    )
    @action(detail=False, methods=["post"], url_path="decide")
    def decide_many(self, request):
        serializer = BulkDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        applications = DelegationApplication.objects.filter(
            pk__in=data["applications"]
        ).select_related("organisation")
        done, problems = services.application_decide_many(
            actor=request.user, applications=applications, status=data["status"], note=data["note"]
        )
        return Response({"done": done, "errors": problems})


@extend_schema_view(
    list=extend_schema(
        summary="Meeting requests from or to your organisations (staff: all)",
        responses={200: MeetingRequestSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="A meeting request", responses={200: MeetingRequestSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Ask to meet a host (as a delegate) or a delegate (as a host)",
        request=MeetingRequestCreateSerializer,
        responses={201: MeetingRequestSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Take back your request", responses={204: None, **errors(400, 401, 403, 404)}
    ),
)
class MeetingRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeetingRequestSerializer
    queryset = MeetingRequest.objects.none()  # for the schema; get_queryset filters
    filterset_fields = ["delegation", "priority", "dropped"]
    ordering_fields = ["created_at"]

    def get_permissions(self):
        if self.action in {"drop", "restore", "pin"}:
            return [IsStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.meeting_request_list_for_user(self.request.user)

    def get_object(self):
        return selectors.meeting_request_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _fresh(self, request_obj):
        return MeetingRequestSerializer(
            selectors.meeting_request_get_for_user(user=self.request.user, pk=request_obj.pk)
        ).data

    def create(self, request, *args, **kwargs):
        serializer = MeetingRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A delegation you cannot see does not exist, for this route too.
        delegation = selectors.delegation_get_for_user(
            user=request.user, pk=data.pop("delegation").pk
        )
        created = services.meeting_request_create(actor=request.user, delegation=delegation, **data)
        return Response(self._fresh(created), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.meeting_request_delete(actor=self.request.user, request=instance)

    @extend_schema(
        summary="Drop the request from scheduling (staff)",
        request=None,
        responses={200: MeetingRequestSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        obj = services.meeting_request_drop(actor=request.user, request=self.get_object())
        return Response(self._fresh(obj))

    @extend_schema(
        summary="Put a dropped request back into scheduling (staff)",
        request=None,
        responses={200: MeetingRequestSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        obj = services.meeting_request_drop(
            actor=request.user, request=self.get_object(), dropped=False
        )
        return Response(self._fresh(obj))

    @extend_schema(
        summary="Pin the meeting to a slot (day + start), or unpin with nulls (staff)",
        request=PinSerializer,
        responses={200: MeetingRequestSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        serializer = PinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.meeting_request_pin(
            actor=request.user, request=self.get_object(), **serializer.validated_data
        )
        return Response(self._fresh(obj))


def itinerary_feed(request, token: str):
    """Every published delegation itinerary of the token owner's organisations, as one
    calendar. The secret token in the URL is the only credential (same token as the
    events feed; rotating it revokes both)."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("Unknown or revoked calendar feed.")
    user = feed.user
    language = getattr(getattr(user, "profile", None), "language", "en")
    delegations = (
        selectors.delegation_list_for_user(user)
        .filter(published_version__isnull=False)
        .select_related("published_version")
        .defer("published_version__problem", "published_version__solution")
        .exclude(status=DelegationStatus.CANCELLED)
    )
    vevents = []
    for delegation in delegations:
        for org_id in sorted(selectors.user_participant_org_ids(user=user, delegation=delegation)):
            organisation = get_object_or_404(Organisation, pk=org_id)
            data = selectors.itinerary(delegation=delegation, organisation=organisation)
            items = itinerary_items(data, language)
            calendar = itinerary_calendar(
                delegation, items, sequence=delegation.published_version.number
            )
            vevents.extend(c for c in calendar.subcomponents if c.name == "VEVENT")
    body = build_calendar(vevents, name="My delegation itineraries").to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-delegations.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
