"""The project's URLs: each app's pages and API, the admin, the API schema and docs.

This is the composition root; apps are named here only as strings (`include()`), and the
API router finds each app's `api/urls.py` itself (forum_site/api_urls.py).
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("forum_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("events.invitations.urls")),
    path("", include("events.delegations.urls")),
]
