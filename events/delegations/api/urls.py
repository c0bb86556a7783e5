from django.urls import re_path

from events.delegations.api import views
from forum_site.ids import ID_PATTERN


def register(router) -> None:
    router.register("delegations", views.DelegationViewSet, basename="delegation")
    router.register(
        r"delegations/(?P<delegation_pk>\d+)/hosts",
        views.DelegationHostViewSet,
        basename="delegation-host",
    )
    router.register(
        r"delegations/(?P<delegation_pk>\d+)/schedules",
        views.ScheduleVersionViewSet,
        basename="delegation-schedule",
    )
    router.register(
        "delegation-applications",
        views.DelegationApplicationViewSet,
        basename="delegation-application",
    )
    router.register(
        "delegation-requests", views.MeetingRequestViewSet, basename="delegation-request"
    )


urlpatterns = [
    # Before the router's own `itinerary.<format>` route, so that the schema shows it.
    re_path(
        rf"^delegations/(?P<pk>{ID_PATTERN})/itinerary\.ics$",
        views.ItineraryCalendarViewSet.as_view({"get": "itinerary"}),
        name="delegation-itinerary-ics",
    ),
]
