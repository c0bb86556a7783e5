"""Meeting requests (/delegation-requests/): ask, read, take back; staff drop and pin."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.delegations import selectors, services
from events.delegations.api.serializers import (
    AnswerSerializer,
    MeetingRequestCreateSerializer,
    MeetingRequestSerializer,
    PinSerializer,
)
from events.delegations.models import MeetingRequest
from forum_site.permissions import IsStaff
from members.api.views import errors


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
    """Requests to meet during a delegation, between a delegate and a host organisation:
    each side asks with a priority, the other may accept or decline, and the scheduler
    places the accepted and unanswered ones in the meeting grid. Staff may drop a request
    from scheduling or pin it to a slot."""

    serializer_class = MeetingRequestSerializer
    queryset = MeetingRequest.objects.none()  # for the schema; get_queryset filters
    filterset_fields = ["delegation", "priority", "dropped", "answer"]
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
        summary="Answer a request made to your organisation: accepted, or declined (no "
        "thanks: never scheduled)",
        request=AnswerSerializer,
        responses={200: MeetingRequestSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.meeting_request_answer(
            actor=request.user, request=self.get_object(), **serializer.validated_data
        )
        return Response(self._fresh(obj))

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
