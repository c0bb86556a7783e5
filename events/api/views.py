from django.core.paginator import Paginator
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from events import selectors, services
from events.api.filters import EventFilter, LeanFilterBackend
from events.api.renderers import CSVRenderer, ErrorsAsJSON, ICalendarRenderer
from events.api.serializers import (
    LIST_FIELDS,
    AttendeeSerializer,
    CalendarFeedSerializer,
    CheckInSerializer,
    EventDetailSerializer,
    EventListSerializer,
    RegisterSerializer,
    RegistrationSerializer,
    event_list_rows,
)
from events.calendar import event_ics, feed_url
from events.models import Event, Registration
from forum_site.api import Pagination
from forum_site.permissions import IsStaff
from members.api.views import errors

BUSY = {503: OpenApiResponse(description="The event is very busy; try again in a moment.")}


class _ValuesRows:
    """What the paginator slices: counts the plain queryset (no join) and fetches only the
    page as `.values()` rows; `rows_and_count` gets both in one query."""

    ordered = True

    def __init__(self, queryset, fields):
        self.queryset, self.fields = queryset, fields

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return list(self.queryset.values(*self.fields)[index])

    def rows_and_count(self, bottom: int, top: int) -> tuple[list[dict], int | None]:
        total = selectors.CountOf(self.queryset.order_by().values("pk"))
        rows = list(self.queryset.values(*self.fields, total_count=total)[bottom:top])
        return rows, (rows[0]["total_count"] if rows else None)


class _PageAndCountPaginator(Paginator):
    """Fetches a page and the total count in one query. Only a page past the end (no rows,
    so no total) falls back to Django's paginator: a COUNT, then its usual error."""

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        if number < 1 or self.orphans:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows, total = self.object_list.rows_and_count(bottom, bottom + self.per_page)
        if not rows:
            return super().page(number)
        self.count = total  # the cached_property, known now
        return self._get_page(rows, number, self)


class _EventPagination(Pagination):
    django_paginator_class = _PageAndCountPaginator


@extend_schema_view(
    list=extend_schema(
        summary="List events you can see, with seats left",
        description="Anonymous visitors see published public events; members also see the "
        "members-only events of their platforms; staff see every event.",
        responses={200: EventListSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(
        summary="An event, with seats left, waitlist length and your registration",
        responses={200: EventDetailSerializer, **errors(404)},
    ),
)
class EventViewSet(ErrorsAsJSON, viewsets.ReadOnlyModelViewSet):
    serializer_class = EventDetailSerializer
    pagination_class = _EventPagination
    # `search` is one of EventFilter's filters (the events page uses the same class).
    filter_backends = [LeanFilterBackend, OrderingFilter]
    filterset_class = EventFilter
    ordering_fields = ["starts_at", "title", "city"]
    ordering = ["starts_at", "id"]

    def get_permissions(self):
        if self.action in {"list", "retrieve", "ics"}:
            return [permissions.AllowAny()]
        if self.action in {"attendees", "check_in"}:
            return [IsStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        if self.action == "list":
            return selectors.event_rows_for_user(self.request.user)
        return selectors.event_list_for_user(self.request.user)

    def get_object(self) -> Event:
        return selectors.event_get_for_user(
            user=self.request.user,
            pk=self.kwargs["pk"],
            details=self.action not in {"register", "cancel"},
        )

    def list(self, request, *args, **kwargs):
        # Rows (and the total) straight from .values(): no model instances; sectors of the
        # page in one more query (a correlated subquery would also run for every OFFSET row).
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(_ValuesRows(queryset, LIST_FIELDS))
        sectors = selectors.sector_slugs_by_event([r["id"] for r in rows])
        return self.get_paginated_response(event_list_rows(rows, sectors))

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        context = {
            **self.get_serializer_context(),
            "my_registration": selectors.active_registration(event=event, user=request.user),
        }
        return Response(EventDetailSerializer(event, context=context).data)

    @extend_schema(
        summary="Register yourself (confirmed, or waitlisted when the event is full)",
        request=RegisterSerializer,
        responses={201: RegistrationSerializer, **errors(400, 401, 403, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        event = self.get_object()
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_create(
            actor=request.user,
            event=event,
            organisation=serializer.validated_data.get("organisation"),
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel your registration (your seat goes to the first on the waitlist)",
        request=None,
        responses={200: RegistrationSerializer, **errors(400, 401, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        registration = services.registration_cancel_for_event(actor=request.user, event=event)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        summary="Attendee list (staff); `?format=csv` or `attendees.csv` for a CSV file",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                description="confirmed, waitlisted, "
                "cancelled or attended; default: all but cancelled",
            )
        ],
        responses={200: AttendeeSerializer(many=True), **errors(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer, CSVRenderer],
        pagination_class=None,  # every attendee: the list is also the CSV export
    )
    def attendees(self, request, pk=None, format=None):
        event = self.get_object()
        rows = selectors.attendee_rows(event=event, status=request.query_params.get("status"))
        response = Response(rows)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="attendees-{event.slug}.csv"'
        return response

    @extend_schema(
        summary="Check a person in (staff)",
        request=CheckInSerializer,
        responses={200: RegistrationSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        event = self.get_object()
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = selectors.registration_for_staff(
            event=event, pk=serializer.validated_data["registration"]
        )
        registration = services.registration_check_in(actor=request.user, registration=registration)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        summary="The event as an iCalendar (.ics) file",
        responses={
            (200, "text/calendar"): OpenApiResponse(description="RFC 5545 calendar"),
            **errors(404),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[ICalendarRenderer])
    def ics(self, request, pk=None, format=None):
        event = self.get_object()
        response = Response(event_ics(event), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
        return response


@extend_schema_view(
    list=extend_schema(
        summary="My registrations",
        responses={200: RegistrationSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="One of my registrations",
        responses={200: RegistrationSerializer, **errors(401, 404)},
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """My registrations to events: confirmed, waitlisted (with my place in the queue),
    cancelled or attended. Cancelling frees the seat for the first on the waitlist."""

    serializer_class = RegistrationSerializer
    filterset_fields = ["status", "event"]
    ordering_fields = ["created_at"]
    queryset = Registration.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.registration_list_for_user(self.request.user)

    def get_object(self):
        return selectors.registration_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Cancel one of my registrations",
        request=None,
        responses={200: RegistrationSerializer, **errors(400, 401, 404), **BUSY},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = self.get_object()
        registration = services.registration_cancel(actor=request.user, registration=registration)
        return Response(RegistrationSerializer(registration).data)


class CalendarFeedView(APIView):
    """The secret URL of my calendar feed (my confirmed events), for calendar apps."""

    @extend_schema(
        summary="My calendar feed URL (created on first use)",
        responses={200: CalendarFeedSerializer, **errors(401)},
    )
    def get(self, request):
        token = services.calendar_feed_token_get(user=request.user)
        return Response({"url": feed_url(token), "created_at": token.created_at})

    @extend_schema(
        summary="Revoke my calendar feed URL and get a new one",
        request=None,
        responses={200: CalendarFeedSerializer, **errors(401)},
    )
    def post(self, request):
        token = services.calendar_feed_token_rotate(user=request.user)
        return Response({"url": feed_url(token), "created_at": token.created_at})
