from django.urls import path

from events.delegations import views

app_name = "delegations"

urlpatterns = [
    path("calendar/<str:token>/delegations.ics", views.itinerary_feed, name="feed"),
]
