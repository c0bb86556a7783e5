from django.urls import path

from . import delegation_views, invitation_views, views


def register(router) -> None:
    router.register("events", views.EventViewSet, basename="event")
    router.register("registrations", views.RegistrationViewSet, basename="registration")
    invitation_views.register(router)
    delegation_views.register(router)


urlpatterns = [
    path("calendar-feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
]
