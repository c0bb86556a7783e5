from django.urls import path

from . import invitation_views, views
from .api import delegation_views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>.ics", views.event_ics_view, name="ics"),
    path("calendar/platform/<slug:slug>.ics", views.platform_feed, name="platform-feed"),
    path("calendar/<str:token>.ics", views.user_feed, name="user-feed"),
    path("invitations/<str:token>/", invitation_views.respond, name="invitation"),
    path(
        "calendar/<str:token>/delegations.ics",
        delegation_views.itinerary_feed,
        name="delegation-feed",
    ),
]
