"""/api/v1/: every app registers its viewsets on one router so the root lists them all."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from events.api import urls as events_api
from members.api import urls as members_api

router = DefaultRouter()
members_api.register(router)
events_api.register(router)

urlpatterns = [
    *members_api.urlpatterns,
    *events_api.urlpatterns,
    path("", include(router.urls)),
]
