from django.urls import path

from events.api import views


def register(router) -> None:
    router.register("events", views.EventViewSet, basename="event")
    router.register("registrations", views.RegistrationViewSet, basename="registration")


urlpatterns = [
    path("calendar-feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
