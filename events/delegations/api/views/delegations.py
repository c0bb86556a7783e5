"""Delegations: the list and detail, applying, and an organisation's itinerary."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from events.api.renderers import ErrorsAsJSON, ICalendarRenderer
from events.delegations import selectors, services
from events.delegations.api.serializers import (
    ApplicationSerializer,
    ApplySerializer,
    DelegationSerializer,
    ItinerarySerializer,
)
from events.delegations.api.views.common import BUSY
from events.delegations.itineraries import itinerary_ics, itinerary_items
from events.delegations.models import Delegation
from events.services import calendar_feed_token_get
from forum_site.i18n import person_language
from forum_site.links import absolute_url
from forum_site.schema import ICS
from members.api.views import errors

WHICH_ORGANISATION = OpenApiParameter(
    "organisation", int, description="Which of your organisations (when several take part)."
)


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
class DelegationViewSet(ErrorsAsJSON, viewsets.ReadOnlyModelViewSet):
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
        parameters=[WHICH_ORGANISATION],
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
        organisation = selectors.participant_organisation(
            user=request.user, delegation=delegation, organisation_id=organisation_id
        )
        data = selectors.itinerary(delegation=delegation, organisation=organisation)
        language = person_language(request.user)
        if request.accepted_renderer.format == "ics":
            response = Response(
                itinerary_ics(delegation=delegation, data=data, language=language),
                content_type="text/calendar; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="itinerary-{delegation.slug}.ics"'
            )
            return response
        payload = {
            **data,
            "items": itinerary_items(data, language),
            "ics_url": absolute_url(
                "delegation-itinerary",
                pk=delegation.pk,
                format="ics",
                query={"organisation": organisation.pk},
            ),
            # The same secret as the events feed: revoking one revokes both.
            "feed_url": absolute_url(
                "delegations:feed", calendar_feed_token_get(user=request.user).token
            ),
        }
        return Response(ItinerarySerializer(payload).data)


class ItineraryCalendarViewSet(DelegationViewSet):
    """`/delegations/{id}/itinerary.ics`, the itinerary's `ics_url`: the same itinerary as
    an iCalendar file, one event per meeting and activity, in the delegation's time zones."""

    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        operation_id="delegations_itinerary_ics_retrieve",
        summary="Your organisation's itinerary as an iCalendar (.ics) file",
        parameters=[WHICH_ORGANISATION],
        responses={(200, "text/calendar"): ICS, **errors(401, 404)},
    )
    def itinerary(self, request, pk=None, format=None):
        return super().itinerary(request, pk=pk, format="ics")
