"""/api/v1/: one router for every app, so the API root lists them all.

Each installed app of ours that has an `api/urls.py` contributes `register(router)` (its
viewsets) and `urlpatterns` (its other routes); they are found the way the admin finds
`admin.py`, so this module names no app.
"""

import re
from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

from forum_site.ids import ID_PATTERN, SLUG_PATTERN


def _api_modules():
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "api") and module_has_submodule(
            import_module(f"{config.name}.api"), "urls"
        ):
            yield import_module(f"{config.name}.api.urls")


class Router(DefaultRouter):
    """DRF's router, with ids that only match what a primary key can hold (forum_site/ids.py):
    `/api/v1/events/abc/` is a 404 from the URL resolver, never a 500."""

    NESTED_ID = re.compile(r"\(\?P<(\w+)>(?:\\d\+|\[0-9\]\+)\)")

    def register(self, prefix, viewset, basename=None):
        # Nested routes (`events/(?P<event_pk>[0-9]+)/invitations`) get the same id pattern.
        prefix = self._ids(prefix)
        super().register(prefix, viewset, basename)

    def _get_dynamic_route(self, route, action):
        # Ids inside an action's own path (`messages/(?P<message_id>[0-9]+)`) too.
        # (The route's URL is a format string: its braces are doubled.)
        route = super()._get_dynamic_route(route, action)
        return route._replace(
            url=self._ids(route.url, ID_PATTERN.replace("{", "{{").replace("}", "}}"))
        )

    def _ids(self, pattern: str, id_pattern: str = ID_PATTERN) -> str:
        return self.NESTED_ID.sub(lambda m: f"(?P<{m.group(1)}>{id_pattern})", pattern)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        explicit = getattr(viewset, "lookup_value_regex", None)
        field = getattr(viewset, "lookup_field", "pk")
        if (explicit is None and field in {"pk", "id"}) or explicit in {r"\d+", "[0-9]+"}:
            viewset.lookup_value_regex = ID_PATTERN
        elif explicit is None and field == "slug":
            viewset.lookup_value_regex = SLUG_PATTERN
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
urlpatterns = []
for module in _api_modules():
    module.register(router)
    urlpatterns += module.urlpatterns
urlpatterns.append(path("", include(router.urls)))
