"""The project's URLs: each app's pages and API, the admin, the API schema and docs.

This is the composition root; apps are named here only as strings (`include()`), and the
API router finds each app's `api/urls.py` itself (forum_site/api_urls.py).
"""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# The API docs style themselves with <style> elements they create (Redoc also renders in a
# blob: worker): only their pages allow that; scripts still come from our origin only.
docs_styles = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
swagger = docs_styles(SpectacularSwaggerSplitView.as_view(url_name="schema"))
redoc = docs_styles(SpectacularRedocView.as_view(url_name="schema"))

# Under /api/ a missing route is a JSON 404 like every other API error; a page otherwise.
handler404 = "forum_site.api.not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("forum_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The Swagger UI's settings come as a script file of their own (no inline script).
    path("api/docs/", swagger, name="api-docs"),
    path("api/redoc/", redoc, name="api-redoc"),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("events.invitations.urls")),
    path("", include("events.delegations.urls")),
    path("messages/", include("members.messaging.urls")),
]
