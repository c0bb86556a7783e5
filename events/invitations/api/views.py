"""Invitations in the API: staff manage an event's invitations; invitees answer by token."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from events.api.serializers import registration_message
from events.invitations import selectors, services
from events.invitations.api.serializers import (
    AcceptSerializer,
    AnswerSerializer,
    DeclineSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    InvitationStatsSerializer,
    InviteResultSerializer,
)
from events.invitations.models import Invitation
from events.models import Event
from forum_site.permissions import IsStaff
from forum_site.spreadsheets import csv_response
from members.api.views import errors

# What answering (accept, decline) may get back.
ANSWERED = {
    200: AnswerSerializer,
    **errors(400),
    404: OpenApiResponse(description="Unknown token."),
    410: OpenApiResponse(description="Expired, revoked or already answered."),
    429: OpenApiResponse(description="Too many attempts; wait a minute."),
}
STATE = OpenApiParameter(
    "status",
    str,
    enum=selectors.STATES,
    description="Only invitations in this state (`expired`: unanswered and past the deadline).",
)


@extend_schema_view(
    list=extend_schema(
        summary="An event's invitations (staff)",
        parameters=[STATE, OpenApiParameter("search", str, description="In email or name.")],
        responses={200: InvitationSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One invitation (staff)",
        responses={200: InvitationSerializer, **errors(401, 403, 404)},
    ),
)
class EventInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """`/events/{event_pk}/invitations/`: staff only."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # for the schema; rows come from get_queryset
    permission_classes = [IsStaff]
    filter_backends = []  # the `status` and `search` parameters are read below

    def get_event(self) -> Event:
        if not hasattr(self, "_event"):
            self._event = get_object_or_404(Event, pk=self.kwargs["event_pk"])
        return self._event

    def get_queryset(self):
        state = self.request.query_params.get("status", "")
        if state and state not in selectors.STATES:
            raise ValidationError({"status": f"Choose one of {', '.join(selectors.STATES)}."})
        return selectors.invitations_for_event(
            event=self.get_event(),
            state=state,
            search=self.request.query_params.get("search", "").strip(),
        )

    def get_object(self) -> Invitation:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        summary="Invite people (staff): emails, people, organisations and/or an audience",
        description="Addresses are merged case-insensitively with each other and with the "
        "event's existing invitations; invalid lines are reported with their line "
        "number and reason, and the valid ones are invited. Emails are sent by "
        "Celery after the request commits.",
        request=InvitationCreateSerializer,
        responses={201: InviteResultSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request, event_pk=None):
        event = self.get_event()
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.invitations_create(
            actor=request.user,
            event=event,
            # One item per line, blank items kept so line numbers match list positions.
            emails_text="\n".join(e.replace("\n", " ") for e in data.get("emails") or []),
            users=data.get("users", []),
            organisations=data.get("organisations", []),
            audience=data.get("audience"),
            language=data["language"],
            note=data.get("note", ""),
            expires_at=data.get("expires_at"),
        )
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="How many invitations are in each state (staff)",
        responses={200: InvitationStatsSerializer, **errors(401, 403, 404)},
    )
    @action(detail=False, methods=["get"])
    def stats(self, request, event_pk=None):
        return Response(selectors.invitation_stats(event=self.get_event()))

    @extend_schema(
        summary="All invitations as CSV (staff)",
        parameters=[STATE],
        responses={
            (200, "text/csv"): OpenApiResponse(description="CSV file"),
            **errors(401, 403, 404),
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request, event_pk=None):
        event = self.get_event()
        # Through forum_site.spreadsheets: cells that would be formulas are written as text.
        rows = selectors.invitation_export_rows(
            event=event, state=request.query_params.get("status", "")
        )
        return csv_response(
            f"invitations-{event.slug}.csv",
            selectors.EXPORT_HEADER,
            ([row[h] for h in selectors.EXPORT_HEADER] for row in rows),
        )

    @extend_schema(
        summary="Send the invitation again with a new link (staff)",
        request=None,
        responses={200: InvitationSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, event_pk=None, pk=None):
        return self._act(services.invitation_resend)

    @extend_schema(
        summary="Withdraw the invitation; its links stop working (staff)",
        request=None,
        responses={200: InvitationSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, event_pk=None, pk=None):
        return self._act(services.invitation_revoke)

    def _act(self, service) -> Response:
        """Run a staff service on the invitation; answer with it as the list shows it."""
        invitation = service(actor=self.request.user, invitation=self.get_object())
        row = selectors.invitations_for_event(event=self.get_event()).get(pk=invitation.pk)
        return Response(InvitationSerializer(row).data)


def _answer(invitation: Invitation, message: str) -> dict:
    registration = invitation.registration
    return {
        "status": invitation.status,
        "event": invitation.event_id,
        "delegation": invitation.delegation_id,
        "registration_status": registration.status if registration else None,
        "waitlist_position": registration.waitlist_position if registration else None,
        "message": message,
    }


class InvitationAnswerViewSet(viewsets.ViewSet):
    """`/invitations/accept/` and `/invitations/decline/`: the token is the credential."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # the token in the body, not a session: no CSRF to bypass
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitation_response"
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def handle_exception(self, exc):
        # Unknown token 404, expired/revoked/answered 410 (the status comes with the error).
        if isinstance(exc, services.InvitationUnavailable):
            return Response(exc.as_dict(), status=exc.status_code)
        return super().handle_exception(exc)

    @extend_schema(
        summary="Accept an invitation (registers you: confirmed, or waitlisted when full)",
        description="The token is the secret from the invitation link "
        "(`/invitations/<token>/`). Without an account for the invited address, "
        "one is created (no password); without an organisation, give "
        "`organisation_name` and `country`.",
        request=AcceptSerializer,
        responses={
            **ANSWERED,
            403: OpenApiResponse(description="The chosen organisation is not one you represent."),
            503: OpenApiResponse(description="The event is very busy; try again in a moment."),
        },
    )
    @action(detail=False, methods=["post"])
    def accept(self, request):
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation = services.invitation_accept(
            token=data["token"],
            organisation=data.get("organisation"),
            organisation_name=data.get("organisation_name", ""),
            country=data.get("country", ""),
            name=data.get("name", ""),
        )
        if invitation.delegation_id:
            message = (
                f"Thank you: your organisation hosts this delegation in {invitation.host_city}."
            )
            return Response(_answer(invitation, message))
        return Response(_answer(invitation, registration_message(invitation.registration)))

    @extend_schema(
        summary="Decline an invitation, optionally with a reason",
        request=DeclineSerializer,
        responses=ANSWERED,
    )
    @action(detail=False, methods=["post"])
    def decline(self, request):
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_decline(
            token=serializer.validated_data["token"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(_answer(invitation, "Thank you; your answer has been recorded."))
