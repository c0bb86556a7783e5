"""Schedule versions of a delegation (/delegations/{id}/schedules/): run, read, publish."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.delegations import selectors, services
from events.delegations.api.serializers import (
    RunSerializer,
    ScheduleVersionDetailSerializer,
    ScheduleVersionSerializer,
)
from events.delegations.api.views.common import BUSY, DelegationChild
from events.delegations.models import ScheduleVersion
from forum_site.permissions import IsStaff
from members.api.views import errors


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
    DelegationChild,
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
        version = ScheduleVersion.objects.prefetch_related(
            "meetings__delegate", "meetings__host", "unscheduled__delegate", "unscheduled__host"
        ).get(pk=version.pk)
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
