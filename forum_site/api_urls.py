"""/api/v1/: one router for every app, so the API root lists them all.

Each installed app of ours that has an `api/urls.py` contributes `register(router)` (its
viewsets) and `urlpatterns` (its other routes); they are found the way the admin finds
`admin.py`, so this module names no app.
"""

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter


def _api_modules():
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "api") and module_has_submodule(
            import_module(f"{config.name}.api"), "urls"
        ):
            yield import_module(f"{config.name}.api.urls")


router = DefaultRouter()
urlpatterns = []
for module in _api_modules():
    module.register(router)
    urlpatterns += module.urlpatterns
urlpatterns.append(path("", include(router.urls)))
