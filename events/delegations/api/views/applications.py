"""Applications to delegations (/delegation-applications/): read, withdraw, decide."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.delegations import selectors, services
from events.delegations.api.serializers import (
    ApplicationSerializer,
    BulkDecisionSerializer,
    DecisionSerializer,
)
from events.delegations.api.views.common import BUSY
from events.delegations.models import DelegationApplication
from forum_site.permissions import IsStaff
from members.api.views import errors


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
    """Organisations' applications to travel with a delegation: submitted, then
    shortlisted, accepted (a place), waitlisted or rejected by staff, who see all of them;
    an organisation's people see its own, and may withdraw one."""

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
