"""The delegation pages (the `id` path converter is registered by forum_site)."""

from django.urls import path

from events.delegations.views import applications, availability, delegations, itinerary, requests

app_name = "delegations"

urlpatterns = [
    path("delegations/", delegations.delegation_list, name="list"),
    path("delegations/<id:pk>/", delegations.delegation_detail, name="detail"),
    path("delegations/<id:pk>/apply/", applications.apply, name="apply"),
    path("delegations/applications/", applications.application_list, name="applications"),
    path("delegations/applications/<id:pk>/", applications.application_detail, name="application"),
    path(
        "delegations/applications/<id:pk>/withdraw/",
        applications.application_withdraw,
        name="application_withdraw",
    ),
    path("delegations/<id:pk>/counterparts/", requests.counterpart_list, name="counterparts"),
    path(
        "delegations/<id:pk>/counterparts/<id:organisation_pk>/request/",
        requests.request_new,
        name="request_new",
    ),
    path("delegations/<id:pk>/requests/", requests.request_list, name="requests"),
    path("delegations/requests/<id:pk>/answer/", requests.request_answer, name="request_answer"),
    path(
        "delegations/requests/<id:pk>/withdraw/",
        requests.request_withdraw,
        name="request_withdraw",
    ),
    path("delegations/<id:pk>/availability/", availability.availability, name="availability"),
    path("delegations/<id:pk>/itinerary/", itinerary.itinerary, name="itinerary"),
    path("delegations/<id:pk>/itinerary.ics", itinerary.itinerary_download, name="itinerary_ics"),
    path("calendar/<str:token>/delegations.ics", itinerary.itinerary_feed, name="feed"),
]
